// RecordConverter functions: the entry points of the PRF ⇄ FHIR mapping. They dispatch on the
// record type to the mapper of that type (mappings/*_mapper.h) and handle batches.
//
// Input records are expected to be schema-valid (mappings/schema/); anything the mapping cannot
// carry is still refused cleanly: kInvalidArgument naming every problem with its JSON pointer.
// The reverse direction reports resources it cannot map as kUnprocessable with FHIR paths, and a
// record whose main resource is missing as kNotFound.
//
// Stateless functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fhir/json.h"
#include "fhir/status.h"
#include "mappings/mapping_context.h"
#include "mappings/resource_writer.h"

namespace duet::mappings {

// The FHIR resources of one record (for a batch, of all its records, in record order). Each
// record's main resource comes first among its own resources (MainResourceType). References are
// conditional (`Type?identifier=system|value`); ToTransactionBundle turns those that name an
// entry of the Bundle into urn:uuid references.
StatusOr<std::vector<fhir::Json>> ToFhir(const fhir::Json& record, const MappingContext& context);

// The same resources handed to `writer` as they are made: a TransactionBundleWriter makes the
// Bundle text without building the resources' trees. On an error (the same as ToFhir's) what
// `writer` holds is unspecified: discard it.
Status WriteFhir(const fhir::Json& record, const MappingContext& context, ResourceWriter& writer);

// Rebuilds one PRF record of `record_type` with this native id (mrn, npi, id, or patient_mrn for
// a medication_list) from resources as a server holds them: references may be "Type/id",
// absolute, urn:uuid (of a transaction Bundle), conditional or logical.
StatusOr<fhir::Json> ToPractice(const std::vector<fhir::Json>& resources,
                                std::string_view record_type, std::string_view native_id,
                                const MappingContext& context);

// A PRF record named by its type and native id.
struct RecordRef {
  std::string record_type;
  std::string native_id;
};

// The records whose main resources are among `resources`, in the order of those resources.
std::vector<RecordRef> FindRecords(const std::vector<fhir::Json>& resources,
                                   const MappingContext& context);

// Every record found by FindRecords: the record itself when there is one, a batch when there are
// several, kNotFound when there is none.
StatusOr<fhir::Json> ToPracticeRecords(const std::vector<fhir::Json>& resources,
                                       const MappingContext& context);

// The main resource type of a record type ("plan_of_care" → "CarePlan"), "" if unknown.
std::string MainResourceType(std::string_view record_type);

// The identifier system that names a record of this type by its native id (the NPI system for
// providers, "<identifier_base>/<kind>" otherwise); "" for an unknown type.
std::string MainIdentifierSystem(std::string_view record_type, const MappingContext& context);

// The native id member of a record type ("mrn", "npi", "patient_mrn" or "id"); "" if unknown.
std::string NativeIdMember(std::string_view record_type);

}  // namespace duet::mappings
