// StructureDefinitions: the FHIR R4 type system as validation needs it, built from the trimmed
// official definitions (fhir/definitions/r4-structure.json, embedded in the library).
//
// Every type (primitive, datatype, resource) is a tree of ElementNodes: a node lists the elements
// an object at that place may hold and resolves JSON member names ("status", "_status",
// "valueQuantity") to their element definition in one hash lookup. Datatype and contentReference
// children point at shared nodes, so the graph is built once and never copied.
//
// Immutable once built: R4() is built on first use (thread-safe static initialisation) and then
// read concurrently by any number of threads. Pointers it hands out live as long as it does.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "fhir/primitives.h"
#include "fhir/status.h"

namespace duet::fhir {

inline constexpr uint32_t kUnboundedMax = UINT32_MAX;

// The codes of a required-binding ValueSet that could be enumerated from the R4 definitions.
struct ValueSetExpansion {
  std::string url;
  std::unordered_map<std::string, std::unordered_set<std::string>> codes_by_system;

  bool Contains(const std::string& system, const std::string& code) const;
  // True when `code` is in the set under any system (for the `code` datatype, which has none).
  bool ContainsCode(const std::string& code) const;
};

struct ElementNode;

// One allowed type of an element.
struct ElementType {
  std::string code;                        // "string", "Reference", "BackboneElement", "Resource"
  std::optional<PrimitiveType> primitive;  // set for primitive types
  const ElementNode* node = nullptr;  // children of complex types; null for primitives, resources
  std::vector<std::string> target_types;  // Reference/canonical targets ("Resource" means any)
};

struct ElementDefinition {
  std::string name;             // last path segment: "status", "value[x]"
  std::string json_name;        // "status"; for choices the stem "value"
  std::string underscore_name;  // "_status": where a primitive's id/extensions go
  std::string path;             // "CarePlan.activity.detail.status"
  uint32_t min = 0;
  uint32_t max = kUnboundedMax;
  bool is_choice = false;
  int choice_index = -1;  // index among its node's choice elements
  std::vector<ElementType> types;
  std::string required_binding;                  // ValueSet url of a required binding, or ""
  const ValueSetExpansion* value_set = nullptr;  // null when the binding is not enumerable

  bool is_array() const { return max > 1; }
};

// What a JSON member name means inside a node.
struct MemberLookup {
  const ElementDefinition* element = nullptr;
  size_t type_index = 0;
  bool is_underscore = false;  // "_name": the id/extensions of a primitive
};

struct ElementNode {
  std::string path;  // "CarePlan.activity" or the type name at a type's root
  std::vector<const ElementDefinition*> elements;
  std::vector<const ElementDefinition*> required;  // min >= 1
  std::vector<const ElementDefinition*> choices;
  std::unordered_map<std::string, MemberLookup> members;

  const MemberLookup* Find(const std::string& json_name) const;
};

struct TypeDefinition {
  enum class Kind { kPrimitive, kComplex, kResource };
  std::string name;
  Kind kind = Kind::kComplex;
  bool is_abstract = false;
  std::string base;                        // "DomainResource", "Element", ...
  std::optional<PrimitiveType> primitive;  // for kPrimitive
  std::string regex;                       // the official value regex of a primitive, if any
  const ElementNode* root = nullptr;
};

class StructureDefinitions {
 public:
  // The embedded R4 4.0.1 definitions. Aborts with a message if they do not parse (a build
  // defect, caught by the unit tests).
  static const StructureDefinitions& R4();

  // Builds from the JSON written by fhir/definitions/trim_r4_definitions.py.
  static StatusOr<std::unique_ptr<StructureDefinitions>> Parse(std::string_view json);

  StructureDefinitions(const StructureDefinitions&) = delete;
  StructureDefinitions& operator=(const StructureDefinitions&) = delete;

  const TypeDefinition* FindType(std::string_view name) const;
  // True for concrete (non-abstract) resource types such as "Patient".
  bool IsResourceType(std::string_view name) const;
  const ValueSetExpansion* FindValueSet(std::string_view url) const;
  // Why a required ValueSet is not enumerated ("code system urn:ietf:bcp:13 is not defined..."),
  // or nullptr when it is expanded or unknown.
  const std::string* SkippedValueSetReason(std::string_view url) const;
  // Sorted names of the concrete resource types.
  const std::vector<std::string>& resource_types() const { return resource_types_; }
  // The node every `_name` object is checked against (Element: id and extension).
  const ElementNode& primitive_extension_node() const { return *primitive_extension_node_; }

 private:
  StructureDefinitions() = default;
  class Builder;

  std::deque<ElementNode> nodes_;
  std::deque<ElementDefinition> elements_;
  std::unordered_map<std::string, TypeDefinition> types_;
  std::unordered_map<std::string, ValueSetExpansion> value_sets_;
  std::unordered_map<std::string, std::string> skipped_value_sets_;
  std::vector<std::string> resource_types_;
  const ElementNode* primitive_extension_node_ = nullptr;
};

}  // namespace duet::fhir
