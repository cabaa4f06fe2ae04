#include "fhir/validation/structure_definitions.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "embedded/r4_structure_json.h"
#include "fhir/json.h"

namespace duet::fhir {

bool ValueSetExpansion::Contains(const std::string& system, const std::string& code) const {
  auto it = codes_by_system.find(system);
  return it != codes_by_system.end() && it->second.count(code) > 0;
}

bool ValueSetExpansion::ContainsCode(const std::string& code) const {
  return std::any_of(
      codes_by_system.begin(), codes_by_system.end(),
      [&code](const auto& system_codes) { return system_codes.second.count(code) > 0; });
}

const MemberLookup* ElementNode::Find(const std::string& json_name) const {
  auto it = members.find(json_name);
  return it == members.end() ? nullptr : &it->second;
}

// Two passes over the JSON: first every type's elements and nodes, then the links between them
// (datatype nodes, contentReference targets, value sets), which need all types to exist.
class StructureDefinitions::Builder {
 public:
  explicit Builder(StructureDefinitions& out) : out_(out) {}

  Status Build(const Json& root) {
    const Json* value_sets = root.Find("valueSets");
    const Json* skipped = root.Find("skippedValueSets");
    const Json* types = root.Find("types");
    if (types == nullptr || !types->is_object() || value_sets == nullptr ||
        !value_sets->is_object() || skipped == nullptr || !skipped->is_object()) {
      return InvalidArgumentError(
          "definitions need \"types\", \"valueSets\", \"skippedValueSets\"");
    }
    DUET_RETURN_IF_ERROR(ReadValueSets(*value_sets, *skipped));
    for (const auto& [name, type] : types->members()) {
      DUET_RETURN_IF_ERROR(ReadType(name, type).WithContext("type " + name));
    }
    DUET_RETURN_IF_ERROR(Link());
    const TypeDefinition* element = out_.FindType("Element");
    if (element == nullptr) return InvalidArgumentError("definitions lack the Element type");
    out_.primitive_extension_node_ = element->root;
    std::sort(out_.resource_types_.begin(), out_.resource_types_.end());
    return Status::Ok();
  }

 private:
  struct PendingElement {
    ElementDefinition* element;
    std::string content_reference;  // "#Questionnaire.item" or ""
  };

  Status ReadValueSets(const Json& value_sets, const Json& skipped) {
    for (const auto& [url, systems] : value_sets.members()) {
      ValueSetExpansion& expansion = out_.value_sets_[url];
      expansion.url = url;
      if (!systems.is_object()) return InvalidArgumentError("ValueSet " + url + " is malformed");
      for (const auto& [system, codes] : systems.members()) {
        if (!codes.is_array()) return InvalidArgumentError("ValueSet " + url + " is malformed");
        auto& set = expansion.codes_by_system[system];
        for (const Json& code : codes.items()) set.insert(code.string_value());
      }
    }
    for (const auto& [url, reason] : skipped.members()) {
      out_.skipped_value_sets_[url] = reason.string_value();
    }
    return Status::Ok();
  }

  Status ReadType(const std::string& name, const Json& json) {
    TypeDefinition& type = out_.types_[name];
    type.name = name;
    std::string_view kind = json.StringOr("kind");
    if (kind == "primitive-type") {
      type.kind = TypeDefinition::Kind::kPrimitive;
      type.primitive = PrimitiveTypeFromName(name);
      if (!type.primitive) return InvalidArgumentError("unknown primitive type " + name);
    } else if (kind == "resource") {
      type.kind = TypeDefinition::Kind::kResource;
    } else if (kind != "complex-type") {
      return InvalidArgumentError("unknown kind \"" + std::string(kind) + "\"");
    }
    const Json* is_abstract = json.Find("abstract");
    type.is_abstract =
        is_abstract != nullptr && is_abstract->is_bool() && is_abstract->bool_value();
    type.base = std::string(json.StringOr("base"));
    type.regex = std::string(json.StringOr("regex"));
    if (type.kind == TypeDefinition::Kind::kResource && !type.is_abstract) {
      out_.resource_types_.push_back(name);
    }
    type.root = &NodeFor(name);

    const Json* elements = json.Find("elements");
    if (elements == nullptr || !elements->is_array()) return InvalidArgumentError("no elements");
    for (const Json& element_json : elements->items()) {
      DUET_RETURN_IF_ERROR(ReadElement(element_json));
    }
    return Status::Ok();
  }

  ElementNode& NodeFor(const std::string& path) {
    auto it = nodes_by_path_.find(path);
    if (it != nodes_by_path_.end()) return *it->second;
    ElementNode& node = out_.nodes_.emplace_back();
    node.path = path;
    nodes_by_path_[path] = &node;
    return node;
  }

  static StatusOr<uint32_t> ParseMax(std::string_view max) {
    if (max == "*") return kUnboundedMax;
    if (max.empty() || max.find_first_not_of("0123456789") != std::string_view::npos) {
      return InvalidArgumentError("bad max \"" + std::string(max) + "\"");
    }
    return static_cast<uint32_t>(std::strtoul(std::string(max).c_str(), nullptr, 10));
  }

  Status ReadElement(const Json& json) {
    std::string path(json.StringOr("path"));
    size_t dot = path.rfind('.');
    if (dot == std::string::npos) return InvalidArgumentError("element path " + path);
    ElementDefinition& element = out_.elements_.emplace_back();
    element.path = path;
    element.name = path.substr(dot + 1);
    const Json* min = json.Find("min");
    if (min == nullptr || !min->is_number()) return InvalidArgumentError(path + ": no min");
    element.min = static_cast<uint32_t>(std::strtoul(min->number_text().c_str(), nullptr, 10));
    DUET_ASSIGN_OR_RETURN(element.max, ParseMax(json.StringOr("max")));
    element.is_choice =
        element.name.size() > 3 && element.name.compare(element.name.size() - 3, 3, "[x]") == 0;
    element.json_name =
        element.is_choice ? element.name.substr(0, element.name.size() - 3) : element.name;
    element.underscore_name = "_" + element.json_name;
    element.required_binding = std::string(json.StringOr("requiredBinding"));
    if (const Json* types = json.Find("types"); types != nullptr && types->is_array()) {
      for (const Json& type_json : types->items()) {
        ElementType& type = element.types.emplace_back();
        if (type_json.is_string()) {
          type.code = type_json.string_value();
        } else {
          type.code = std::string(type_json.StringOr("code"));
          if (const Json* targets = type_json.Find("targets"); targets && targets->is_array()) {
            for (const Json& target : targets->items()) {
              type.target_types.push_back(target.string_value());
            }
          }
        }
        type.primitive = PrimitiveTypeFromName(type.code);
      }
    }
    std::string content_reference(json.StringOr("contentReference"));
    if (element.types.empty() && content_reference.empty()) {
      return InvalidArgumentError(path + " has neither types nor a contentReference");
    }
    NodeFor(path.substr(0, dot)).elements.push_back(&element);
    pending_.push_back({&element, std::move(content_reference)});
    return Status::Ok();
  }

  const ElementNode* ExistingNode(const std::string& path) const {
    auto it = nodes_by_path_.find(path);
    return it == nodes_by_path_.end() ? nullptr : it->second;
  }

  Status Link() {
    for (PendingElement& pending : pending_) {
      ElementDefinition& element = *pending.element;
      if (!pending.content_reference.empty()) {
        const ElementNode* target = ExistingNode(pending.content_reference.substr(1));
        if (target == nullptr || pending.content_reference[0] != '#') {
          return InvalidArgumentError(element.path + ": unresolved contentReference " +
                                      pending.content_reference);
        }
        element.types.push_back(ElementType{"BackboneElement", std::nullopt, target, {}});
      }
      const ElementNode* own_children = ExistingNode(element.path);
      for (ElementType& type : element.types) {
        if (type.node != nullptr || type.primitive || type.code == "Resource") continue;
        if (own_children != nullptr) {
          type.node = own_children;  // a backbone element defined inline
          continue;
        }
        const TypeDefinition* datatype = out_.FindType(type.code);
        if (datatype == nullptr) {
          return InvalidArgumentError(element.path + ": unknown type " + type.code);
        }
        // Elements typed with a resource (Bundle.entry.response.outcome: OperationOutcome) hold
        // a whole resource, validated from its own resourceType.
        if (datatype->kind != TypeDefinition::Kind::kResource) type.node = datatype->root;
      }
      if (!element.required_binding.empty()) {
        element.value_set = out_.FindValueSet(element.required_binding);
      }
    }
    for (ElementNode& node : out_.nodes_) IndexMembers(node);
    return Status::Ok();
  }

  static std::string Capitalized(const std::string& code) {
    std::string result = code;
    if (!result.empty() && result[0] >= 'a' && result[0] <= 'z') result[0] -= 'a' - 'A';
    return result;
  }

  static void IndexMembers(ElementNode& node) {
    for (const ElementDefinition* element : node.elements) {
      if (element->min > 0) node.required.push_back(element);
      if (element->is_choice) {
        const_cast<ElementDefinition*>(element)->choice_index =
            static_cast<int>(node.choices.size());
        node.choices.push_back(element);
      }
      for (size_t i = 0; i < element->types.size(); ++i) {
        const ElementType& type = element->types[i];
        std::string name =
            element->is_choice ? element->json_name + Capitalized(type.code) : element->json_name;
        if (type.primitive && *type.primitive != PrimitiveType::kXhtml) {
          node.members["_" + name] = MemberLookup{element, i, true};
        }
        node.members[std::move(name)] = MemberLookup{element, i, false};
      }
    }
  }

  StructureDefinitions& out_;
  std::unordered_map<std::string, ElementNode*> nodes_by_path_;
  std::vector<PendingElement> pending_;
};

StatusOr<std::unique_ptr<StructureDefinitions>> StructureDefinitions::Parse(std::string_view json) {
  DUET_ASSIGN_OR_RETURN(Json root, ParseJson(json));
  std::unique_ptr<StructureDefinitions> definitions(new StructureDefinitions());
  Builder builder(*definitions);
  DUET_RETURN_IF_ERROR(builder.Build(root).WithContext("R4 structure definitions"));
  return definitions;
}

const StructureDefinitions& StructureDefinitions::R4() {
  static const StructureDefinitions* const definitions = [] {
    auto parsed = Parse(duet_embedded::r4_structure_json());
    if (!parsed.ok()) {
      std::fprintf(stderr, "fatal: embedded %s\n", parsed.status().ToString().c_str());
      std::abort();
    }
    return std::move(parsed).value().release();
  }();
  return *definitions;
}

const TypeDefinition* StructureDefinitions::FindType(std::string_view name) const {
  auto it = types_.find(std::string(name));
  return it == types_.end() ? nullptr : &it->second;
}

bool StructureDefinitions::IsResourceType(std::string_view name) const {
  const TypeDefinition* type = FindType(name);
  return type != nullptr && type->kind == TypeDefinition::Kind::kResource && !type->is_abstract;
}

const ValueSetExpansion* StructureDefinitions::FindValueSet(std::string_view url) const {
  auto it = value_sets_.find(std::string(url));
  return it == value_sets_.end() ? nullptr : &it->second;
}

const std::string* StructureDefinitions::SkippedValueSetReason(std::string_view url) const {
  auto it = skipped_value_sets_.find(std::string(url));
  return it == skipped_value_sets_.end() ? nullptr : &it->second;
}

}  // namespace duet::fhir
