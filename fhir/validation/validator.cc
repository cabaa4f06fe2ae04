#include "fhir/validation/validator.h"

#include <algorithm>
#include <array>
#include <string>
#include <string_view>

#include "fhir/primitives.h"

namespace duet::fhir {
namespace {

// Choice elements tracked per object for the "only one type" rule; R4 has at most five per node
// (any beyond this are not checked for duplicates).
constexpr size_t kMaxChoicesPerNode = 16;

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

std::string Quoted(std::string_view text) {
  std::string quoted = "\"";
  quoted.append(text.substr(0, 128));
  if (text.size() > 128) quoted.append("...");
  quoted.push_back('"');
  return quoted;
}

std::string JoinNames(const std::vector<std::string>& names, std::string_view last_separator) {
  std::string joined;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) joined.append(i + 1 == names.size() ? last_separator : ", ");
    joined.append(names[i]);
  }
  return joined;
}

// The resource type and id at the end of a reference path ("Patient/1",
// ".../Patient/1/_history/2").
struct TypeAndId {
  std::string_view type;
  std::string_view id;
};

std::optional<TypeAndId> TrailingTypeAndId(std::string_view path) {
  std::vector<std::string_view> segments;
  size_t start = 0;
  while (true) {
    size_t slash = path.find('/', start);
    segments.push_back(path.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  size_t n = segments.size();
  if (n >= 4 && segments[n - 2] == "_history") return TypeAndId{segments[n - 4], segments[n - 3]};
  if (n >= 2) return TypeAndId{segments[n - 2], segments[n - 1]};
  return std::nullopt;
}

// Local "#id" references resolve against the contained resources of the enclosing resource.
struct ResourceScope {
  std::vector<std::string_view> contained_ids;
};

// One validation call: the issues found so far and the path of the value being checked.
class ValidationRun {
 public:
  ValidationRun(const StructureDefinitions& definitions, const ValidatorOptions& options,
                std::vector<ValidationIssue>& issues)
      : definitions_(definitions), options_(options), issues_(issues) {}

  void ValidateRoot(const Json& resource) { ValidateResource(resource, true, false); }

 private:
  // Appends a segment to the path for the lifetime of the scope.
  class PathScope {
   public:
    PathScope(std::string& path, std::string_view separator, std::string_view name)
        : path_(path), mark_(path.size()) {
      path_.append(separator);
      path_.append(name);
    }
    PathScope(std::string& path, size_t index) : path_(path), mark_(path.size()) {
      path_.push_back('[');
      path_.append(std::to_string(index));
      path_.push_back(']');
    }
    ~PathScope() { path_.resize(mark_); }
    PathScope(const PathScope&) = delete;
    PathScope& operator=(const PathScope&) = delete;

   private:
    std::string& path_;
    size_t mark_;
  };

  struct ChoiceSeen {
    const std::string* name = nullptr;
    size_t type_index = 0;
  };

  void Report(std::string_view code, std::string message) {
    if (issues_.size() > options_.max_issues) return;
    if (issues_.size() == options_.max_issues) {
      issues_.push_back({IssueSeverity::kInformation, "too-costly", "",
                         "stopped after " + std::to_string(options_.max_issues) + " issues"});
      return;
    }
    issues_.push_back({IssueSeverity::kError, std::string(code), path_, std::move(message)});
  }

  bool Stopped() const { return issues_.size() > options_.max_issues; }

  void ValidateResource(const Json& value, bool is_root, bool is_contained) {
    if (!value.is_object()) {
      Report("structure", std::string("expected a resource (a JSON object), found ") +
                              JsonKindName(value.kind()));
      return;
    }
    const Json* resource_type = value.Find("resourceType");
    if (resource_type == nullptr) {
      Report("required", "missing resourceType: not a FHIR resource");
      return;
    }
    if (!resource_type->is_string()) {
      Report("structure", "resourceType must be a string");
      return;
    }
    const std::string& type_name = resource_type->string_value();
    const TypeDefinition* type = definitions_.FindType(type_name);
    if (type == nullptr || type->kind != TypeDefinition::Kind::kResource) {
      Report("not-supported", "unknown resource type " + Quoted(type_name));
      return;
    }
    if (type->is_abstract) {
      Report("not-supported", "resource type " + type_name + " is abstract");
      return;
    }
    if (is_root) path_ = type_name;
    if (is_contained) {
      CheckContainedRules(value);
      ValidateObject(*type->root, value, true);
      return;
    }
    ResourceScope scope;
    if (const Json* contained = value.Find("contained"); contained && contained->is_array()) {
      for (const Json& item : contained->items()) {
        std::string_view id = item.StringOr("id");
        if (!id.empty()) scope.contained_ids.push_back(id);
      }
    }
    const ResourceScope* outer = scope_;
    scope_ = &scope;
    ValidateObject(*type->root, value, true);
    scope_ = outer;
  }

  // dom-2 and dom-4 of DomainResource.
  void CheckContainedRules(const Json& resource) {
    if (resource.Find("contained") != nullptr) {
      PathScope scope(path_, ".", "contained");
      Report("invariant", "dom-2: a contained resource SHALL NOT contain other resources");
    }
    const Json* meta = resource.Find("meta");
    if (meta != nullptr &&
        (meta->Find("versionId") != nullptr || meta->Find("lastUpdated") != nullptr)) {
      PathScope scope(path_, ".", "meta");
      Report("invariant",
             "dom-4: a contained resource SHALL NOT have meta.versionId or meta.lastUpdated");
    }
  }

  void ValidateObject(const ElementNode& node, const Json& object, bool is_resource) {
    if (object.members().empty()) {
      Report("structure", "empty object (FHIR forbids empty objects: omit the element)");
      return;
    }
    std::array<ChoiceSeen, kMaxChoicesPerNode> choices{};
    for (const auto& [name, value] : object.members()) {
      if (Stopped()) return;
      if (is_resource && name == "resourceType") continue;
      const MemberLookup* lookup = node.Find(name);
      if (lookup == nullptr) {
        ReportUnknown(node, name);
        continue;
      }
      const ElementDefinition& element = *lookup->element;
      if (element.is_choice && element.choice_index < static_cast<int>(kMaxChoicesPerNode)) {
        ChoiceSeen& seen = choices[element.choice_index];
        if (seen.name == nullptr) {
          seen = {&name, lookup->type_index};
        } else if (seen.type_index != lookup->type_index) {
          PathScope scope(path_, ".", name);
          Report("structure", element.name + " has more than one type: " + *seen.name + " and " +
                                  name + " (only one is allowed)");
          continue;
        }
      }
      const ElementType& type = element.types[lookup->type_index];
      if (lookup->is_underscore) {
        std::string_view value_name = std::string_view(name).substr(1);
        if (object.Find(value_name) == nullptr) {
          ValidateUnderscore(element, nullptr, value, value_name);
        }
        continue;
      }
      const Json* underscore = nullptr;
      if (type.primitive) {
        underscore =
            element.is_choice ? object.Find("_" + name) : object.Find(element.underscore_name);
      }
      ValidateValue(element, type, value, underscore, name);
      if (underscore != nullptr) ValidateUnderscore(element, &value, *underscore, name);
    }
    CheckRequired(node, object, choices);
  }

  void CheckRequired(const ElementNode& node, const Json& object,
                     const std::array<ChoiceSeen, kMaxChoicesPerNode>& choices) {
    for (const ElementDefinition* element : node.required) {
      bool present;
      if (element->is_choice) {
        present = element->choice_index >= static_cast<int>(kMaxChoicesPerNode) ||
                  choices[element->choice_index].name != nullptr;
      } else {
        present = object.Find(element->json_name) != nullptr ||
                  object.Find(element->underscore_name) != nullptr;
      }
      if (!present) {
        PathScope scope(path_, ".", element->is_choice ? element->name : element->json_name);
        Report("required", "missing required element " + element->name + " (min cardinality " +
                               std::to_string(element->min) + ")");
      }
    }
  }

  void ReportUnknown(const ElementNode& node, const std::string& name) {
    PathScope scope(path_, ".", name);
    for (const ElementDefinition* choice : node.choices) {
      const std::string& stem = choice->json_name;
      std::string_view bare = name[0] == '_' ? std::string_view(name).substr(1) : name;
      if (bare.size() > stem.size() && StartsWith(bare, stem) && bare[stem.size()] >= 'A' &&
          bare[stem.size()] <= 'Z') {
        std::vector<std::string> allowed;
        for (const auto& [member, lookup] : node.members) {
          if (lookup.element == choice && !lookup.is_underscore) allowed.push_back(member);
        }
        std::sort(allowed.begin(), allowed.end());
        Report("structure", "unknown element " + Quoted(name) + ": " + choice->name + " allows " +
                                JoinNames(allowed, " or "));
        return;
      }
    }
    if (name[0] == '_') {
      if (const MemberLookup* base = node.Find(name.substr(1)); base != nullptr) {
        Report("structure", "unknown element " + Quoted(name) + ": " + name.substr(1) +
                                " is not a primitive, so it has no _" + name.substr(1));
        return;
      }
    }
    Report("structure", "unknown element " + Quoted(name));
  }

  void ValidateValue(const ElementDefinition& element, const ElementType& type, const Json& value,
                     const Json* underscore, std::string_view json_name) {
    PathScope scope(path_, ".", json_name);
    if (element.max == 0) {
      Report("structure", "element " + element.name + " is not allowed here (max cardinality 0)");
      return;
    }
    if (!element.is_array()) {
      if (value.is_array()) {
        Report("structure", "expected a single value, found an array (max cardinality 1)");
      } else if (value.is_null()) {
        Report("structure", "null is not allowed: omit the element instead");
      } else {
        ValidateItem(element, type, value);
      }
      return;
    }
    if (!value.is_array()) {
      Report("structure", std::string("expected an array (max cardinality ") +
                              (element.max == kUnboundedMax ? "*" : std::to_string(element.max)) +
                              "), found " + JsonKindName(value.kind()));
      return;
    }
    const Json::Array& items = value.items();
    if (items.empty()) {
      Report("structure", "empty array (FHIR forbids empty arrays: omit the element)");
      return;
    }
    if (items.size() < element.min) {
      Report("structure", "has " + std::to_string(items.size()) + " entries; at least " +
                              std::to_string(element.min) + " are required");
    }
    if (element.max != kUnboundedMax && items.size() > element.max) {
      Report("structure", "has " + std::to_string(items.size()) + " entries; at most " +
                              std::to_string(element.max) + " are allowed");
    }
    const Json::Array* underscore_items =
        underscore != nullptr && underscore->is_array() ? &underscore->items() : nullptr;
    for (size_t i = 0; i < items.size(); ++i) {
      if (Stopped()) return;
      PathScope index(path_, i);
      if (items[i].is_null()) {
        bool has_extension = type.primitive && underscore_items != nullptr &&
                             i < underscore_items->size() && !(*underscore_items)[i].is_null();
        if (!has_extension) {
          Report("structure", "null is only allowed in a primitive array when _" +
                                  std::string(json_name) + " has an extension at the same index");
        }
        continue;
      }
      ValidateItem(element, type, items[i]);
    }
  }

  // The `_name` companion of a primitive: objects with id/extension, aligned with the values.
  void ValidateUnderscore(const ElementDefinition& element, const Json* value,
                          const Json& underscore, std::string_view json_name) {
    PathScope scope(path_, "._", json_name);
    const ElementNode& node = definitions_.primitive_extension_node();
    if (!element.is_array()) {
      if (!underscore.is_object()) {
        Report("structure", std::string("expected an object with id/extension, found ") +
                                JsonKindName(underscore.kind()));
        return;
      }
      ValidateObject(node, underscore, false);
      return;
    }
    if (!underscore.is_array()) {
      Report("structure", std::string("expected an array aligned with ") + std::string(json_name) +
                              ", found " + JsonKindName(underscore.kind()));
      return;
    }
    const Json::Array& extensions = underscore.items();
    const Json::Array* values = value != nullptr && value->is_array() ? &value->items() : nullptr;
    if (extensions.empty()) {
      Report("structure", "empty array (FHIR forbids empty arrays: omit the element)");
      return;
    }
    if (values != nullptr && values->size() != extensions.size()) {
      Report("structure", "has " + std::to_string(extensions.size()) + " entries but " +
                              std::string(json_name) + " has " + std::to_string(values->size()) +
                              "; the arrays must align");
    }
    for (size_t i = 0; i < extensions.size(); ++i) {
      PathScope index(path_, i);
      const Json& item = extensions[i];
      if (item.is_null()) {
        // A null facing a null value is reported once, on the value side.
        if (values == nullptr || i >= values->size()) {
          Report("structure",
                 "null here and no value in " + std::string(json_name) + " at the same index");
        }
      } else if (!item.is_object()) {
        Report("structure", std::string("expected an object with id/extension or null, found ") +
                                JsonKindName(item.kind()));
      } else {
        ValidateObject(node, item, false);
      }
    }
  }

  void ValidateItem(const ElementDefinition& element, const ElementType& type, const Json& item) {
    if (type.primitive) {
      if (auto error = CheckPrimitive(*type.primitive, item)) {
        Report(error->issue_code, std::move(error->message));
        return;
      }
      if (element.value_set != nullptr && item.is_string() &&
          !element.value_set->ContainsCode(item.string_value())) {
        Report("code-invalid", "value " + Quoted(item.string_value()) +
                                   " is not in the required value set " + element.value_set->url);
      }
      return;
    }
    if (type.node == nullptr) {  // a resource: contained, Bundle.entry.resource, ...
      if (type.code != "Resource" && item.is_object() &&
          item.StringOr("resourceType") != type.code) {
        Report("structure", "expected a " + type.code + " resource, found " +
                                Quoted(item.StringOr("resourceType")));
        return;
      }
      ValidateResource(item, false, element.name == "contained");
      return;
    }
    if (!item.is_object()) {
      Report("structure",
             "expected an object (" + type.code + "), found " + JsonKindName(item.kind()));
      return;
    }
    ValidateObject(*type.node, item, false);
    if (type.code == "Extension") {
      CheckExtensionShape(item);
    } else if (type.code == "Reference") {
      CheckReference(type, item);
    } else if (element.value_set != nullptr && type.code == "Coding") {
      CheckCoding(*element.value_set, item);
    } else if (element.value_set != nullptr && type.code == "CodeableConcept") {
      CheckCodeableConcept(*element.value_set, item);
    }
  }

  // ext-1: an extension has either nested extensions or a value[x], never both or neither.
  void CheckExtensionShape(const Json& extension) {
    bool has_extensions = extension.Find("extension") != nullptr;
    bool has_value = false;
    for (const auto& [name, unused] : extension.members()) {
      has_value = has_value || StartsWith(name, "value") || StartsWith(name, "_value");
    }
    if (has_extensions && has_value) {
      Report("invariant", "ext-1: an extension must have either extensions or value[x], not both");
    } else if (!has_extensions && !has_value) {
      Report("invariant", "ext-1: an extension must have either extensions or a value[x]");
    }
  }

  void CheckReference(const ElementType& type, const Json& reference) {
    const Json* literal = reference.Find("reference");
    if (literal == nullptr || !literal->is_string() || literal->string_value().empty()) return;
    const std::string& text = literal->string_value();
    PathScope scope(path_, ".", "reference");
    if (text.find_first_of(" \t\r\n") != std::string::npos) {
      Report("value", "reference " + Quoted(text) + " contains whitespace");
      return;
    }
    if (text[0] == '#') {
      CheckLocalReference(text);
      return;
    }
    if (StartsWith(text, "urn:uuid:")) {
      if (auto error = CheckPrimitive(PrimitiveType::kUuid, Json::String(text))) {
        Report("value", "reference " + error->message);
      }
      return;
    }
    if (StartsWith(text, "urn:oid:")) {
      if (auto error = CheckPrimitive(PrimitiveType::kOid, Json::String(text))) {
        Report("value", "reference " + error->message);
      }
      return;
    }
    if (text.find("://") != std::string::npos) {
      std::optional<TypeAndId> parts =
          TrailingTypeAndId(std::string_view(text).substr(0, text.find('?')));
      if (parts && definitions_.IsResourceType(parts->type)) CheckTarget(type, parts->type);
      return;
    }
    size_t question = text.find('?');
    if (question != std::string::npos) {  // conditional reference, resolved in a transaction
      CheckReferencedType(type, std::string_view(text).substr(0, question), text);
      return;
    }
    std::optional<TypeAndId> parts = TrailingTypeAndId(text);
    size_t slashes = std::count(text.begin(), text.end(), '/');
    if (!parts ||
        (slashes != 1 && !(slashes == 3 && text.find("/_history/") != std::string::npos))) {
      Report("value", "reference " + Quoted(text) +
                          " is not a valid reference: expected Type/id, an absolute URL, "
                          "urn:uuid:, urn:oid: or #id");
      return;
    }
    if (!CheckReferencedType(type, parts->type, text)) return;
    if (auto error = CheckIdText(parts->id)) Report("value", "reference " + *error);
  }

  bool CheckReferencedType(const ElementType& type, std::string_view resource_type,
                           const std::string& text) {
    if (!definitions_.IsResourceType(resource_type)) {
      Report("value", "reference " + Quoted(text) + " names " + Quoted(resource_type) +
                          ", which is not a resource type");
      return false;
    }
    return CheckTarget(type, resource_type);
  }

  bool CheckTarget(const ElementType& type, std::string_view resource_type) {
    if (type.target_types.empty()) return true;
    for (const std::string& target : type.target_types) {
      if (target == resource_type || target == "Resource") return true;
    }
    Report("invalid", "a reference to " + std::string(resource_type) +
                          " is not allowed here (allowed: " + JoinNames(type.target_types, ", ") +
                          ")");
    return false;
  }

  // ref-1: "#id" must name a contained resource; "#" alone is the container itself.
  void CheckLocalReference(const std::string& text) {
    if (text.size() == 1) return;
    std::string_view id = std::string_view(text).substr(1);
    if (scope_ != nullptr && std::find(scope_->contained_ids.begin(), scope_->contained_ids.end(),
                                       id) != scope_->contained_ids.end()) {
      return;
    }
    Report("invariant", "ref-1: local reference " + Quoted(text) +
                            " does not match the id of a contained resource");
  }

  void CheckCoding(const ValueSetExpansion& value_set, const Json& coding) {
    if (CodingMatches(value_set, coding) != CodingMatch::kNotInSet) return;
    Report("code-invalid", "code " + Quoted(DescribeCoding(coding)) +
                               " is not in the required value set " + value_set.url);
  }

  void CheckCodeableConcept(const ValueSetExpansion& value_set, const Json& concept) {
    const Json* codings = concept.Find("coding");
    if (codings == nullptr || !codings->is_array()) return;  // text only: nothing to check
    std::vector<std::string> seen;
    for (const Json& coding : codings->items()) {
      CodingMatch match = CodingMatches(value_set, coding);
      if (match == CodingMatch::kInSet) return;
      if (match == CodingMatch::kNotInSet) seen.push_back(DescribeCoding(coding));
    }
    if (seen.empty()) return;
    PathScope scope(path_, ".", "coding");
    Report("code-invalid", "none of the codings (" + JoinNames(seen, ", ") +
                               ") is in the required value set " + value_set.url);
  }

  enum class CodingMatch { kInSet, kNotInSet, kNoCode };

  static CodingMatch CodingMatches(const ValueSetExpansion& value_set, const Json& coding) {
    const Json* code = coding.Find("code");
    if (code == nullptr || !code->is_string()) return CodingMatch::kNoCode;
    const Json* system = coding.Find("system");
    bool found = system != nullptr && system->is_string()
                     ? value_set.Contains(system->string_value(), code->string_value())
                     : value_set.ContainsCode(code->string_value());
    return found ? CodingMatch::kInSet : CodingMatch::kNotInSet;
  }

  static std::string DescribeCoding(const Json& coding) {
    std::string system(coding.StringOr("system"));
    std::string code(coding.StringOr("code"));
    return system.empty() ? code : system + "|" + code;
  }

  const StructureDefinitions& definitions_;
  const ValidatorOptions& options_;
  std::vector<ValidationIssue>& issues_;
  std::string path_;
  const ResourceScope* scope_ = nullptr;
};

}  // namespace

Validator::Validator(const StructureDefinitions& definitions, ValidatorOptions options)
    : definitions_(definitions), options_(options) {}

std::vector<ValidationIssue> Validator::Validate(const Json& resource) const {
  std::vector<ValidationIssue> issues;
  ValidationRun(definitions_, options_, issues).ValidateRoot(resource);
  return issues;
}

}  // namespace duet::fhir
