// Validator: structural validation of FHIR R4 JSON resources against the official definitions.
//
// Checks resourceType, unknown elements (including wrong choice suffixes such as valueFoo), the
// JSON kind and lexical form of every primitive, cardinality (arrays vs single values, min/max,
// required elements), choice types, primitive extensions (`_name`), required bindings that are
// enumerable from the core definitions, nested datatypes and backbone elements, contentReference
// recursion, contained resources, Bundle/Parameters resources, Extension shape (ext-1), narrative
// (txt-1/txt-2), empty values and Reference.reference syntax and target type.
// It does not evaluate FHIRPath invariants in general, profiles, or terminology outside the core.
//
// A Validator is immutable and holds no per-call state: one instance may be shared by all
// threads. The StructureDefinitions it reads must outlive it.
#pragma once

#include <cstddef>
#include <vector>

#include "fhir/json.h"
#include "fhir/validation/structure_definitions.h"
#include "fhir/validation/validation_issue.h"

namespace duet::fhir {

struct ValidatorOptions {
  // Collection stops after this many issues (one more "too many issues" note is added), so a
  // hostile or badly broken document cannot make the report unbounded.
  size_t max_issues = 500;
};

class Validator {
 public:
  explicit Validator(const StructureDefinitions& definitions = StructureDefinitions::R4(),
                     ValidatorOptions options = {});

  // Validates one resource (a Bundle's entries are validated as resources too). Returns every
  // issue found, in document order; an empty vector means the resource is valid.
  std::vector<ValidationIssue> Validate(const Json& resource) const;

 private:
  const StructureDefinitions& definitions_;
  ValidatorOptions options_;
};

}  // namespace duet::fhir
