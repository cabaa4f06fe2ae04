#include "mappings/prf_schema_checker.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/internal/regex.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/pointer.h>
#include <rapidjson/reader.h>
#include <rapidjson/schema.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <utility>

namespace duet::mappings {
namespace {

namespace rj = rapidjson;

constexpr int kMaxSchemaDepth = 64;
constexpr size_t kMaxIdleTrees = 64;
constexpr rapidjson::SizeType kMaxRenderedStringLength = 60;

using SchemaPointer = rj::SchemaDocument::PointerType;

// ---- Small RapidJSON helpers ----------------------------------------------------------------

std::string ToString(const rj::Value& string_value) {
  return {string_value.GetString(), string_value.GetStringLength()};
}

const rj::Value* Member(const rj::Value& object, const char* name) {
  if (!object.IsObject()) return nullptr;
  auto it = object.FindMember(name);
  return it == object.MemberEnd() ? nullptr : &it->value;
}

bool HasAnyMember(const rj::Value& object, std::initializer_list<const char*> names) {
  return std::any_of(names.begin(), names.end(),
                     [&](const char* name) { return Member(object, name) != nullptr; });
}

bool TypeIs(const rj::Value& schema, const char* type) {
  const rj::Value* value = Member(schema, "type");
  return value != nullptr && value->IsString() && std::strcmp(value->GetString(), type) == 0;
}

bool ContainsRef(const rj::Value& value) {
  if (value.IsObject()) {
    for (const auto& member : value.GetObject()) {
      if (std::strcmp(member.name.GetString(), "$ref") == 0 || ContainsRef(member.value)) {
        return true;
      }
    }
  } else if (value.IsArray()) {
    for (const auto& item : value.GetArray()) {
      if (ContainsRef(item)) return true;
    }
  }
  return false;
}

std::string Stringify(const SchemaPointer& pointer) {
  rj::StringBuffer buffer;
  pointer.Stringify(buffer);
  return {buffer.GetString(), buffer.GetSize()};
}

std::string WriteValue(const rj::Value& value) {
  rj::StringBuffer buffer;
  rj::Writer<rj::StringBuffer> writer(buffer);
  value.Accept(writer);
  return {buffer.GetString(), buffer.GetSize()};
}

// ---- The compiled tree ------------------------------------------------------------------------

// One schema location, compiled for the way its instances are walked (see the header).
struct Node {
  enum class Kind { kAny, kLeaf, kObject, kArray, kOneOf };
  Kind kind = Kind::kAny;
  const rj::Value* schema = nullptr;  // the resolved sub-schema inside the source schema
  rj::Document check_source;          // what `check` was compiled from; outlives it
  std::unique_ptr<rj::SchemaDocument> check;
  std::map<std::string, std::unique_ptr<Node>, std::less<>> properties;  // kObject
  std::unique_ptr<Node> items;                                           // kArray
  std::vector<std::unique_ptr<Node>> alternatives;                       // kOneOf

  const Node* Property(std::string_view name) const {
    auto it = properties.find(name);
    return it == properties.end() ? nullptr : it->second.get();
  }
};

bool IsDecomposableObject(const rj::Value& schema) {
  const rj::Value* properties = Member(schema, "properties");
  const rj::Value* additional = Member(schema, "additionalProperties");
  return TypeIs(schema, "object") && properties != nullptr && properties->IsObject() &&
         (additional == nullptr || additional->IsBool()) &&
         !HasAnyMember(schema, {"oneOf", "anyOf", "allOf", "not", "enum", "patternProperties",
                                "dependencies"});
}

bool IsDecomposableArray(const rj::Value& schema) {
  const rj::Value* items = Member(schema, "items");
  return TypeIs(schema, "array") && items != nullptr && items->IsObject() &&
         !HasAnyMember(schema, {"oneOf", "anyOf", "allOf", "not", "enum", "additionalItems"});
}

bool IsPlainOneOf(const rj::Value& schema) {
  const rj::Value* one_of = Member(schema, "oneOf");
  return one_of != nullptr && one_of->IsArray() && !one_of->Empty() &&
         !HasAnyMember(schema, {"type", "enum", "anyOf", "allOf", "not", "properties", "items"});
}

class TreeBuilder {
 public:
  TreeBuilder(const rj::Document& source, const std::vector<std::string>& opaque_pointers)
      : source_(source), opaque_pointers_(opaque_pointers) {}

  StatusOr<std::unique_ptr<Node>> Build(const rj::Value& schema, const std::string& location,
                                        int depth) {
    if (depth > kMaxSchemaDepth) {
      return InvalidArgumentError("schema nests deeper than " + std::to_string(kMaxSchemaDepth) +
                                  " levels at " + location + " (a $ref cycle?)");
    }
    auto node = std::make_unique<Node>();
    node->schema = &schema;
    if (std::find(opaque_pointers_.begin(), opaque_pointers_.end(), location) !=
        opaque_pointers_.end()) {
      return node;  // kAny
    }
    if (!schema.IsObject())
      return InvalidArgumentError("the schema at " + location + " is not an object");
    if (const rj::Value* ref = Member(schema, "$ref")) return BuildRef(*ref, location, depth);

    if (IsDecomposableObject(schema)) {
      node->kind = Node::Kind::kObject;
      node->check_source.CopyFrom(schema, node->check_source.GetAllocator());
      node->check_source.RemoveMember("definitions");
      for (auto& member : node->check_source["properties"].GetObject()) member.value.SetObject();
      for (const auto& member : schema["properties"].GetObject()) {
        std::string name = ToString(member.name);
        DUET_ASSIGN_OR_RETURN(
            auto child,
            Build(member.value, AppendPointer(location + "/properties", name), depth + 1));
        node->properties.emplace(std::move(name), std::move(child));
      }
    } else if (IsDecomposableArray(schema)) {
      node->kind = Node::Kind::kArray;
      node->check_source.CopyFrom(schema, node->check_source.GetAllocator());
      node->check_source.RemoveMember("items");
      node->check_source.RemoveMember("definitions");
      DUET_ASSIGN_OR_RETURN(node->items, Build(schema["items"], location + "/items", depth + 1));
    } else {
      node->kind = IsPlainOneOf(schema) ? Node::Kind::kOneOf : Node::Kind::kLeaf;
      CopyWithDefinitions(schema, &node->check_source);
      if (node->kind == Node::Kind::kOneOf) {
        const rj::Value& alternatives = schema["oneOf"];
        for (rj::SizeType i = 0; i < alternatives.Size(); ++i) {
          DUET_ASSIGN_OR_RETURN(
              auto alternative,
              Build(alternatives[i], AppendPointer(location + "/oneOf", i), depth + 1));
          node->alternatives.push_back(std::move(alternative));
        }
      }
    }
    node->check = std::make_unique<rj::SchemaDocument>(node->check_source);
    return node;
  }

 private:
  StatusOr<std::unique_ptr<Node>> BuildRef(const rj::Value& ref, const std::string& location,
                                           int depth) {
    std::string target = ref.IsString() ? ToString(ref) : "";
    if (target.empty() || target[0] != '#') {
      return InvalidArgumentError("$ref at " + location +
                                  " must point into the same schema (\"#/definitions/...\")");
    }
    rj::Pointer pointer(target.c_str() + 1);
    const rj::Value* resolved = pointer.IsValid() ? pointer.Get(source_) : nullptr;
    if (resolved == nullptr) {
      return InvalidArgumentError("$ref \"" + target + "\" at " + location + " names nothing");
    }
    return Build(*resolved, target.substr(1), depth + 1);
  }

  // A sub-schema checked whole keeps the definitions its $refs point at.
  void CopyWithDefinitions(const rj::Value& schema, rj::Document* copy) const {
    copy->CopyFrom(schema, copy->GetAllocator());
    const rj::Value* definitions = Member(source_, "definitions");
    if (definitions != nullptr && ContainsRef(schema) && !copy->HasMember("definitions")) {
      rj::Value copied(*definitions, copy->GetAllocator());
      copy->AddMember("definitions", copied, copy->GetAllocator());
    }
  }

  const rj::Document& source_;
  const std::vector<std::string>& opaque_pointers_;
};

// RapidJSON drops a pattern its regex engine cannot compile and then checks nothing: refuse it.
Status CheckPatterns(const rj::Value& value, const std::string& location) {
  if (value.IsObject()) {
    for (const auto& member : value.GetObject()) {
      std::string name = ToString(member.name);
      if (name == "pattern" && member.value.IsString()) {
        rj::internal::Regex regex(member.value.GetString());
        if (!regex.IsValid()) {
          return InvalidArgumentError("pattern \"" + ToString(member.value) + "\" at " +
                                      AppendPointer(location, name) +
                                      " cannot be compiled by RapidJSON's regex engine (it has "
                                      "no \\d, \\w or \\s; use explicit classes)");
        }
      }
      DUET_RETURN_IF_ERROR(CheckPatterns(member.value, AppendPointer(location, name)));
    }
  } else if (value.IsArray()) {
    for (rj::SizeType i = 0; i < value.Size(); ++i) {
      DUET_RETURN_IF_ERROR(CheckPatterns(value[i], AppendPointer(location, i)));
    }
  }
  return Status::Ok();
}

// ---- Messages ---------------------------------------------------------------------------------

// How a value is named in a message: its JSON text when it is a scalar.
std::string Subject(const rj::Value& value) {
  if (value.IsObject()) return "the object";
  if (value.IsArray()) return "the array";
  if (value.IsString() && value.GetStringLength() > kMaxRenderedStringLength) {
    rj::SizeType length = kMaxRenderedStringLength;
    while (length > 0 && (static_cast<unsigned char>(value.GetString()[length]) & 0xC0) == 0x80) {
      --length;  // keep whole UTF-8 sequences
    }
    rj::Value shortened(value.GetString(), length);
    std::string text = WriteValue(shortened);
    text.insert(text.size() - 1, "...");
    return text;
  }
  return WriteValue(value);
}

std::string KindName(const rj::Value& value) {
  if (value.IsNull()) return "null";
  if (value.IsBool()) return "a boolean";
  if (value.IsDouble()) return "a number";
  if (value.IsNumber()) return "an integer";
  if (value.IsString()) return "a string";
  if (value.IsArray()) return "an array";
  return "an object";
}

std::string TypeName(std::string_view type) {
  if (type == "integer" || type == "object" || type == "array") return "an " + std::string(type);
  if (type == "null") return "null";
  return "a " + std::string(type);
}

std::vector<std::string> SchemaTypes(const rj::Value& schema) {
  std::vector<std::string> types;
  const rj::Value* type = Member(schema, "type");
  if (type == nullptr) return types;
  if (type->IsString()) types.push_back(ToString(*type));
  if (type->IsArray()) {
    for (const auto& item : type->GetArray()) {
      if (item.IsString()) types.push_back(ToString(item));
    }
  }
  return types;
}

std::string Join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string joined;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) joined += separator;
    joined += parts[i];
  }
  return joined;
}

std::string EnumList(const rj::Value& values) {
  std::vector<std::string> names;
  for (const auto& value : values.GetArray()) {
    names.push_back(value.IsString() ? ToString(value) : WriteValue(value));
  }
  return Join(names, "|");
}

std::string TypeMessage(const rj::Value& schema, const rj::Value& value) {
  if (value.IsNull()) return "null is not allowed: leave an optional member out instead";
  std::vector<std::string> types = SchemaTypes(schema);
  if (value.IsNumber() && std::find(types.begin(), types.end(), "integer") != types.end()) {
    return Subject(value) + " is not an integer";
  }
  std::vector<std::string> expected;
  expected.reserve(types.size());
  for (const std::string& type : types) expected.push_back(TypeName(type));
  std::string subject = value.IsObject() || value.IsArray() ? "is " : Subject(value) + " is ";
  return subject + KindName(value) + ", must be " + Join(expected, " or ");
}

std::string NumberLimitMessage(const rj::Value& schema, const rj::Value& value, bool minimum) {
  const char* limit_name = minimum ? "minimum" : "maximum";
  const rj::Value* limit = Member(schema, limit_name);
  const rj::Value* exclusive = Member(schema, minimum ? "exclusiveMinimum" : "exclusiveMaximum");
  std::string limit_text = limit != nullptr ? WriteValue(*limit) : "?";
  if (exclusive != nullptr && exclusive->IsBool() && exclusive->GetBool()) {
    return Subject(value) + (minimum ? " must be greater than " : " must be less than ") +
           limit_text;
  }
  return Subject(value) + (minimum ? " is below the minimum " : " is above the maximum ") +
         limit_text;
}

std::string LengthMessage(const rj::Value& schema, const rj::Value& value, bool minimum) {
  const rj::Value* limit = Member(schema, minimum ? "minLength" : "maxLength");
  std::string limit_text = limit != nullptr ? WriteValue(*limit) : "?";
  if (minimum && limit != nullptr && limit->IsUint() && limit->GetUint() == 1) {
    return "must not be empty";
  }
  return Subject(value) + (minimum ? " is shorter than " : " is longer than ") + limit_text +
         " characters";
}

std::string ItemCountMessage(const rj::Value& schema, const rj::Value& value, bool minimum) {
  const rj::Value* limit = Member(schema, minimum ? "minItems" : "maxItems");
  std::string limit_text = limit != nullptr ? WriteValue(*limit) : "?";
  std::string count = value.IsArray() ? std::to_string(value.Size()) : "?";
  return "has " + count + (count == "1" ? " item, " : " items, ") +
         (minimum ? "at least " : "at most ") + limit_text + (minimum ? " required" : " allowed");
}

// The message for a failed keyword other than type/required/additionalProperties on objects
// (handled where the object is walked) and oneOf (handled by VisitOneOf).
std::string KeywordMessage(std::string_view keyword, const rj::Value& schema,
                           const rj::Value& value) {
  if (keyword == "type") return TypeMessage(schema, value);
  if (keyword == "enum") {
    const rj::Value* values = Member(schema, "enum");
    return Subject(value) + " is not one of " + (values != nullptr ? EnumList(*values) : "?");
  }
  if (keyword == "pattern") {
    const rj::Value* pattern = Member(schema, "pattern");
    return Subject(value) + " does not match pattern " +
           (pattern != nullptr && pattern->IsString() ? ToString(*pattern) : "?");
  }
  if (keyword == "minLength") return LengthMessage(schema, value, true);
  if (keyword == "maxLength") return LengthMessage(schema, value, false);
  if (keyword == "minimum") return NumberLimitMessage(schema, value, true);
  if (keyword == "maximum") return NumberLimitMessage(schema, value, false);
  if (keyword == "multipleOf") {
    const rj::Value* factor = Member(schema, "multipleOf");
    return Subject(value) + " is not a multiple of " + (factor ? WriteValue(*factor) : "?");
  }
  if (keyword == "minItems") return ItemCountMessage(schema, value, true);
  if (keyword == "maxItems") return ItemCountMessage(schema, value, false);
  if (keyword == "uniqueItems") {
    return Subject(value) + " appears more than once (the items must be unique)";
  }
  if (keyword == "oneOf" || keyword == "anyOf" || keyword == "allOf" || keyword == "not") {
    return Subject(value) + " does not match the allowed forms (" + std::string(keyword) + ")";
  }
  return Subject(value) + " fails the schema keyword \"" + std::string(keyword) + "\"";
}

// ---- Walking an instance ----------------------------------------------------------------------

struct Failure {
  std::string keyword;
  SchemaPointer schema_pointer;    // into the node's check_source
  SchemaPointer instance_pointer;  // relative to the checked value
};

std::optional<Failure> Check(const rj::SchemaDocument& schema, const rj::Value& value) {
  // The validator's state (its stacks, oneOf sub-validators, enum hashers) lives in a buffer on
  // the stack instead of one malloc per piece of state (RapidJSON's default CrtAllocator).
  constexpr size_t kStateBufferSize = 8 * 1024;
  alignas(std::max_align_t) char state_buffer[kStateBufferSize];
  using PooledValidator =
      rj::GenericSchemaValidator<rj::SchemaDocument, rj::BaseReaderHandler<rj::UTF8<>>,
                                 rj::MemoryPoolAllocator<>>;
  rj::MemoryPoolAllocator<> state_allocator(state_buffer, sizeof state_buffer);
  PooledValidator validator(schema, &state_allocator);
  value.Accept(validator);
  if (validator.IsValid()) return std::nullopt;
  const char* keyword = validator.GetInvalidSchemaKeyword();
  return Failure{keyword != nullptr ? keyword : "", validator.GetInvalidSchemaPointer(),
                 validator.GetInvalidDocumentPointer()};
}

bool TypeAdmits(const rj::Value& schema, const rj::Value& value) {
  std::vector<std::string> types = SchemaTypes(schema);
  if (types.empty()) return true;
  return std::any_of(types.begin(), types.end(), [&](const std::string& type) {
    if (type == "integer") return value.IsInt64() || value.IsUint64();
    if (type == "number") return value.IsNumber();
    if (type == "string") return value.IsString();
    if (type == "array") return value.IsArray();
    if (type == "object") return value.IsObject();
    if (type == "boolean") return value.IsBool();
    return type == "null" && value.IsNull();
  });
}

class Walker {
 public:
  Walker(const rj::Document& source, std::vector<PrfProblem>* problems)
      : source_(source), problems_(problems) {}

  void Visit(const Node& node, const rj::Value& value, const std::string& pointer) {
    switch (node.kind) {
      case Node::Kind::kAny: return;
      case Node::Kind::kLeaf:
        if (auto failure = Check(*node.check, value)) Report(node, *failure, value, pointer);
        return;
      case Node::Kind::kObject: return VisitObject(node, value, pointer);
      case Node::Kind::kArray: return VisitArray(node, value, pointer);
      case Node::Kind::kOneOf: return VisitOneOf(node, value, pointer);
    }
  }

 private:
  void Add(std::string pointer, std::string message) {
    problems_->push_back({std::move(pointer), std::move(message)});
  }

  void Report(const Node& node, const Failure& failure, const rj::Value& value,
              const std::string& pointer) {
    const rj::Value* schema = failure.schema_pointer.Get(node.check_source);
    if (schema == nullptr) schema = &node.check_source;
    const rj::Value* instance = failure.instance_pointer.Get(value);
    if (instance == nullptr) instance = &value;
    std::string location = pointer + Stringify(failure.instance_pointer);
    if (failure.keyword == "required") return ReportMissing(*schema, *instance, location);
    if (failure.keyword == "additionalProperties") {
      return ReportUnknown(*schema, *instance, location);
    }
    Add(location, KeywordMessage(failure.keyword, *schema, *instance));
  }

  void ReportMissing(const rj::Value& schema, const rj::Value& object, const std::string& pointer) {
    const rj::Value* required = Member(schema, "required");
    if (required == nullptr || !required->IsArray() || !object.IsObject()) return;
    for (const auto& name : required->GetArray()) {
      if (name.IsString() && !object.HasMember(name)) {
        Add(AppendPointer(pointer, ToString(name)),
            "required member \"" + ToString(name) + "\" is missing");
      }
    }
  }

  void ReportUnknown(const rj::Value& schema, const rj::Value& object, const std::string& pointer) {
    const rj::Value* properties = Member(schema, "properties");
    if (!object.IsObject()) return;
    for (const auto& member : object.GetObject()) {
      if (properties == nullptr || !properties->IsObject() || !properties->HasMember(member.name)) {
        std::string name = ToString(member.name);
        Add(AppendPointer(pointer, name), "unknown member \"" + name + "\"");
      }
    }
  }

  // The check of an object or array node ignores member and item values (their schemas were
  // replaced by {} or removed), so it runs over the value's outline: the same member names, or
  // the same number of items, with null values. That keeps each level from walking the whole
  // subtree again. uniqueItems compares items, so an array check that has it sees them all.
  static std::optional<Failure> CheckOutline(const Node& node, const rj::Value& value) {
    bool outline_object = value.IsObject();
    bool outline_array = value.IsArray() && Member(node.check_source, "uniqueItems") == nullptr;
    if (!outline_object && !outline_array) return Check(*node.check, value);
    constexpr size_t kOutlineBufferSize = 4 * 1024;
    alignas(std::max_align_t) char buffer[kOutlineBufferSize];
    rj::MemoryPoolAllocator<> allocator(buffer, sizeof buffer);
    rj::Value outline;
    if (outline_object) {
      outline.SetObject();
      for (const auto& member : value.GetObject()) {
        outline.AddMember(
            rj::Value(rj::StringRef(member.name.GetString(), member.name.GetStringLength())),
            rj::Value(), allocator);
      }
    } else {
      outline.SetArray();
      outline.Reserve(value.Size(), allocator);
      for (rj::SizeType i = 0; i < value.Size(); ++i) outline.PushBack(rj::Value(), allocator);
    }
    return Check(*node.check, outline);
  }

  void VisitObject(const Node& node, const rj::Value& value, const std::string& pointer) {
    if (auto failure = CheckOutline(node, value)) {
      if (failure->keyword == "type") return Add(pointer, TypeMessage(node.check_source, value));
      if (!value.IsObject()) return Report(node, *failure, value, pointer);
      if (failure->keyword == "additionalProperties") {
        ReportUnknown(node.check_source, value, pointer);
        // RapidJSON stopped at the first unknown member: check the rest of the object again
        // without them (member values do not matter to this shallow check).
        rj::Document known;
        known.SetObject();
        for (const auto& member : value.GetObject()) {
          if (node.Property(ToString(member.name)) != nullptr) {
            known.AddMember(rj::Value(member.name, known.GetAllocator()), rj::Value(),
                            known.GetAllocator());
          }
        }
        failure = Check(*node.check, known);
      }
      if (failure && failure->keyword != "additionalProperties") {
        Report(node, *failure, value, pointer);
      }
    }
    for (const auto& member : value.GetObject()) {
      std::string name = ToString(member.name);
      if (const Node* child = node.Property(name)) {
        Visit(*child, member.value, AppendPointer(pointer, name));
      }
    }
  }

  void VisitArray(const Node& node, const rj::Value& value, const std::string& pointer) {
    if (auto failure = CheckOutline(node, value)) {
      Report(node, *failure, value, pointer);
      if (failure->keyword == "type") return;
    }
    if (!value.IsArray()) return;
    for (rj::SizeType i = 0; i < value.Size(); ++i) {
      Visit(*node.items, value[i], AppendPointer(pointer, i));
    }
  }

  void VisitOneOf(const Node& node, const rj::Value& value, const std::string& pointer) {
    auto failure = Check(*node.check, value);
    if (!failure) return;
    if (failure->keyword != "oneOf") return Report(node, *failure, value, pointer);
    std::vector<const Node*> fitting;
    for (const auto& alternative : node.alternatives) {
      if (TypeAdmits(*alternative->schema, value)) fitting.push_back(alternative.get());
    }
    // When the value's type picks one structured alternative, that alternative says what is
    // wrong inside the value.
    if (fitting.size() == 1 && fitting[0]->kind != Node::Kind::kLeaf &&
        fitting[0]->kind != Node::Kind::kAny) {
      size_t before = problems_->size();
      Visit(*fitting[0], value, pointer);
      if (problems_->size() > before) return;
    }
    std::vector<std::string> forms;
    for (const auto& alternative : node.alternatives)
      forms.push_back(Describe(*alternative->schema));
    Add(pointer, Subject(value) + " is not one of the allowed forms: " + Join(forms, ", or "));
  }

  const rj::Value& Resolve(const rj::Value& schema) const {
    const rj::Value* ref = Member(schema, "$ref");
    if (ref == nullptr || !ref->IsString() || ref->GetString()[0] != '#') return schema;
    rj::Pointer pointer(ref->GetString() + 1);
    const rj::Value* target = pointer.IsValid() ? pointer.Get(source_) : nullptr;
    return target != nullptr ? *target : schema;
  }

  // A short description of what a schema accepts, for oneOf messages.
  std::string Describe(const rj::Value& unresolved) const {
    const rj::Value& schema = Resolve(unresolved);
    const rj::Value* values = Member(schema, "enum");
    if (values != nullptr && values->IsArray()) {
      if (values->Size() == 1) {
        return ((*values)[0].IsString() ? "the string " : "the value ") + WriteValue((*values)[0]);
      }
      return "one of " + EnumList(*values);
    }
    const rj::Value* items = Member(schema, "items");
    if (TypeIs(schema, "array") && items != nullptr && items->IsObject()) {
      const rj::Value& item_schema = Resolve(*items);
      const rj::Value* item_values = Member(item_schema, "enum");
      if (item_values != nullptr && item_values->IsArray()) {
        return "an array of " + EnumList(*item_values);
      }
      std::vector<std::string> item_types = SchemaTypes(item_schema);
      if (!item_types.empty()) return "an array of " + Join(item_types, " or ") + " items";
    }
    const rj::Value* pattern = Member(schema, "pattern");
    if (TypeIs(schema, "string") && pattern != nullptr && pattern->IsString()) {
      return "a string matching " + ToString(*pattern);
    }
    std::vector<std::string> types;
    for (const std::string& type : SchemaTypes(schema)) types.push_back(TypeName(type));
    return types.empty() ? "a value of another form" : Join(types, " or ");
  }

  const rj::Document& source_;
  std::vector<PrfProblem>* problems_;
};

}  // namespace

// Captures the one number a RapidJSON reader finds, typed as Document::Parse would type it.
struct NumberHandler : rj::BaseReaderHandler<rj::UTF8<>, NumberHandler> {
  bool Default() { return false; }
  bool Int(int i) { return Take(rj::Value(i)); }
  bool Uint(unsigned u) { return Take(rj::Value(u)); }
  bool Int64(int64_t i) { return Take(rj::Value(i)); }
  bool Uint64(uint64_t u) { return Take(rj::Value(u)); }
  bool Double(double d) { return Take(rj::Value(d)); }
  bool Take(rj::Value number) {
    value = std::move(number);
    return true;
  }
  rj::Value value;
};

// The RapidJSON value the schema checks see for `json`, as if it had been written and parsed
// again: numbers are parsed from their text, strings and member names are referenced in place
// (`json` outlives the returned value). An unparsable number text gives its parse error.
std::optional<rj::ParseErrorCode> ToRapidJson(const fhir::Json& json,
                                              rj::Document::AllocatorType& allocator,
                                              rj::Value* out) {
  switch (json.kind()) {
    case fhir::Json::Kind::kNull: out->SetNull(); return std::nullopt;
    case fhir::Json::Kind::kBool: out->SetBool(json.bool_value()); return std::nullopt;
    case fhir::Json::Kind::kNumber: {
      const std::string& text = json.number_text();
      rj::Reader reader;
      rj::MemoryStream stream(text.data(), text.size());
      NumberHandler handler;
      rj::ParseResult result = reader.Parse<rj::kParseStopWhenDoneFlag>(stream, handler);
      if (!result) return result.Code();
      if (stream.Tell() != text.size()) return rj::kParseErrorDocumentRootNotSingular;
      *out = std::move(handler.value);
      return std::nullopt;
    }
    case fhir::Json::Kind::kString: {
      const std::string& text = json.string_value();
      out->SetString(rj::StringRef(text.data(), static_cast<rj::SizeType>(text.size())));
      return std::nullopt;
    }
    case fhir::Json::Kind::kArray:
      out->SetArray();
      out->Reserve(static_cast<rj::SizeType>(json.items().size()), allocator);
      for (const fhir::Json& item : json.items()) {
        rj::Value converted;
        if (auto error = ToRapidJson(item, allocator, &converted)) return error;
        out->PushBack(converted, allocator);
      }
      return std::nullopt;
    case fhir::Json::Kind::kObject:
      out->SetObject();
      for (const auto& [key, member] : json.members()) {
        rj::Value converted;
        if (auto error = ToRapidJson(member, allocator, &converted)) return error;
        out->AddMember(rj::StringRef(key.data(), static_cast<rj::SizeType>(key.size())), converted,
                       allocator);
      }
      return std::nullopt;
  }
  return std::nullopt;
}

struct PrfSchemaChecker::Impl {
  rj::Document source;
  std::vector<std::string> opaque_pointers;
  mutable std::mutex mutex;
  mutable std::vector<std::unique_ptr<Node>> idle_trees;  // guarded by mutex

  StatusOr<std::unique_ptr<Node>> BuildTree() const {
    return TreeBuilder(source, opaque_pointers).Build(source, "", 0);
  }

  std::unique_ptr<Node> Acquire() const {
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (!idle_trees.empty()) {
        std::unique_ptr<Node> tree = std::move(idle_trees.back());
        idle_trees.pop_back();
        return tree;
      }
    }
    StatusOr<std::unique_ptr<Node>> tree = BuildTree();  // built once already by Compile()
    if (!tree.ok()) return nullptr;
    return std::move(tree).value();
  }

  void Release(std::unique_ptr<Node> tree) const {
    std::lock_guard<std::mutex> lock(mutex);
    if (idle_trees.size() < kMaxIdleTrees) idle_trees.push_back(std::move(tree));
  }
};

PrfSchemaChecker::PrfSchemaChecker(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PrfSchemaChecker::~PrfSchemaChecker() = default;

StatusOr<std::unique_ptr<PrfSchemaChecker>> PrfSchemaChecker::Compile(
    std::string_view schema_text, std::vector<std::string> opaque_schema_pointers) {
  auto impl = std::make_unique<Impl>();
  impl->source.Parse(schema_text.data(), schema_text.size());
  if (impl->source.HasParseError()) {
    return InvalidArgumentError("the schema is not valid JSON at byte " +
                                std::to_string(impl->source.GetErrorOffset()) + ": " +
                                rj::GetParseError_En(impl->source.GetParseError()));
  }
  if (!impl->source.IsObject()) return InvalidArgumentError("the schema is not a JSON object");
  DUET_RETURN_IF_ERROR(CheckPatterns(impl->source, ""));
  impl->opaque_pointers = std::move(opaque_schema_pointers);
  DUET_ASSIGN_OR_RETURN(std::unique_ptr<Node> tree, impl->BuildTree());
  impl->idle_trees.push_back(std::move(tree));
  return std::unique_ptr<PrfSchemaChecker>(new PrfSchemaChecker(std::move(impl)));
}

void PrfSchemaChecker::Validate(const fhir::Json& instance, std::string_view pointer_prefix,
                                std::vector<PrfProblem>* problems) const {
  // fhir::Json keeps numbers as text; RapidJSON's schema checks need them as numbers (9.0 and 1e1
  // stay non-integers, as the PRF schema README requires). The document is built straight from
  // the tree, as if written and parsed again.
  rj::Document document;
  if (auto error = ToRapidJson(instance, document.GetAllocator(), &document)) {
    problems->push_back(
        {std::string(pointer_prefix),
         std::string("cannot be checked against the schema: ") + rj::GetParseError_En(*error)});
    return;
  }
  std::unique_ptr<Node> tree = impl_->Acquire();
  if (tree == nullptr) {
    problems->push_back(
        {std::string(pointer_prefix), "internal error: the schema cannot be compiled"});
    return;
  }
  Walker(impl_->source, problems).Visit(*tree, document, std::string(pointer_prefix));
  impl_->Release(std::move(tree));
}

}  // namespace duet::mappings
