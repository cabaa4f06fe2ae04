// PrfSchemaChecker: one compiled PRF JSON Schema (draft-04), checked with RapidJSON's
// SchemaValidator, reporting every problem of an instance rather than the first.
//
// RapidJSON 1.1.0 (Debian 12) stops at the first error and reports only a keyword and two
// pointers. To report everything, the schema is compiled as a tree that follows the instance:
// an object schema is checked "shallowly" (its type, required and unknown members, with each
// member's schema replaced by {}) and each member is then checked against its own sub-schema; an
// array schema likewise with its items; a oneOf is checked whole and, when it fails, the one
// alternative whose type fits the value explains why. Every check is RapidJSON's own; the messages
// are built from the failing keyword, the failing sub-schema and the value.
//
// Compile() also refuses a pattern that RapidJSON's regex engine cannot compile (RapidJSON would
// silently drop it and check nothing).
//
// Thread safety: Validate() is const and may run on many threads at once. RapidJSON 1.1.0 keeps
// regex match state inside the compiled pattern, so a compiled tree is used by one thread at a
// time: the checker keeps a pool of trees and compiles another one when all are in use.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/json.h"
#include "fhir/status.h"
#include "mappings/prf_problem.h"

namespace duet::mappings {

class PrfSchemaChecker {
 public:
  // Compiles `schema_text`. Instances at the schema locations named by `opaque_schema_pointers`
  // (JSON pointers into the schema, such as "/properties/records/items") are accepted unchecked:
  // the caller checks them itself. Errors: kInvalidArgument naming what is wrong with the schema.
  static StatusOr<std::unique_ptr<PrfSchemaChecker>> Compile(
      std::string_view schema_text, std::vector<std::string> opaque_schema_pointers = {});

  ~PrfSchemaChecker();
  PrfSchemaChecker(const PrfSchemaChecker&) = delete;
  PrfSchemaChecker& operator=(const PrfSchemaChecker&) = delete;

  // Appends every schema problem of `instance` to `problems`, each pointer prefixed with
  // `pointer_prefix` (the instance's own location in a larger document, "" for the root).
  void Validate(const fhir::Json& instance, std::string_view pointer_prefix,
                std::vector<PrfProblem>* problems) const;

 private:
  struct Impl;
  explicit PrfSchemaChecker(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace duet::mappings
