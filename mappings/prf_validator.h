// PrfValidator: checks a Practice Record Format document (one record or a batch) against the PRF
// v1 JSON Schema of its record type and the rules the schemas cannot express (prf_checks.h), and
// reports every problem with its JSON pointer.
//
// - The record type comes from the "record" member; a missing, non-string or unknown type is one
//   problem at /record.
// - A batch is checked against batch.schema.json for its own members, then each of its records
//   in full against its own type's schema and rules, with pointers such as /records/3/npi. A
//   batch inside a batch is refused at /records/N/record.
// - Duplicate member names are refused by fhir::ParseJson before anything else (ValidateText).
//
// The schemas are the embedded copies of mappings/schema/ (prf_schemas.h), compiled once.
// Validate() is const and safe to call from many threads at once on one instance; Shared() is the
// process-wide instance, built on first use and never destroyed.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/json.h"
#include "fhir/status.h"
#include "mappings/prf_problem.h"
#include "mappings/prf_schema_checker.h"

namespace duet::mappings {

// True when `document` looks like PRF rather than FHIR: an object with a string "record" member.
bool IsPrfRecord(const fhir::Json& document);

class PrfValidator {
 public:
  // Compiles the embedded schemas. Errors name the schema that does not compile.
  static StatusOr<std::unique_ptr<PrfValidator>> Create();

  // The shared instance. The embedded schemas are part of the build and are tested to compile;
  // if they do not, this prints why and aborts the process at first use.
  static const PrfValidator& Shared();

  // Every problem of a parsed document; empty when it is a valid PRF record or batch.
  std::vector<PrfProblem> Validate(const fhir::Json& document) const;

  // Parses `text` first (an invalid JSON text or a duplicate member name is one problem at "",
  // naming the byte offset) and then validates it.
  std::vector<PrfProblem> ValidateText(std::string_view text) const;

 private:
  explicit PrfValidator(
      std::map<std::string, std::unique_ptr<PrfSchemaChecker>, std::less<>> schemas);

  void ValidateRecord(const fhir::Json& record, const std::string& pointer, bool inside_batch,
                      std::vector<PrfProblem>* problems) const;

  // By record type; the batch schema's records are left to ValidateRecord.
  std::map<std::string, std::unique_ptr<PrfSchemaChecker>, std::less<>> schemas_;
};

}  // namespace duet::mappings
