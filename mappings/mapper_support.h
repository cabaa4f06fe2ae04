// Pieces every record mapper shares: identifier systems, references to the patient and to
// clinicians, the record-updated-at and rank extensions, and finding a record's main resource.
//
// Free functions; thread-safe.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/json.h"
#include "fhir/status.h"
#include "mappings/field_reader.h"
#include "mappings/mapping_context.h"
#include "mappings/resource_set.h"

namespace duet::mappings {

// "<identifier_base>/<kind>" for a kind of code_tables.h (MappingContext::System): valid as long
// as `context`.
std::string_view SystemFor(const MappingContext& context, std::string_view kind);
// A conditional reference to the patient with this MRN.
fhir::Json PatientReference(const MappingContext& context, std::string_view mrn);
// A conditional reference to a resource that the practice identifies with `kind`.
fhir::Json KindReference(const MappingContext& context, std::string_view type,
                         std::string_view kind, std::string_view value);

fhir::Json UpdatedAtExtension(std::string_view updated_at);
fhir::Json RankExtension(size_t rank);
// The rank extension's value, or `fallback` when absent or malformed.
size_t RankOf(const fhir::Json& resource, size_t fallback);

// A reader over a FHIR resource, with paths starting at its resourceType.
FieldReader ResourceReader(const fhir::Json& resource, Problems* problems);

// The main resource of a record: kNotFound naming the identifier when it is not in the set.
StatusOr<const fhir::Json*> FindMainResource(const ResourceSet& resources, std::string_view type,
                                             std::string_view system, std::string_view value);

// Reads a string-valued extension (value key `value_key`) of `element`; a problem is recorded
// when the extension is present with another kind of value.
std::optional<std::string> StringExtension(const FieldReader& element, std::string_view url,
                                           std::string_view value_key);

// The NPI of a referenced clinician or organization, or a problem at `path`.
std::string ReferencedNpi(const ResourceSet& resources, const fhir::Json* reference,
                          const fhir::Json& container, const std::string& path, Problems* problems);
// The native id (identifier value with `system`) of a referenced resource, or a problem.
std::string ReferencedId(const ResourceSet& resources, const fhir::Json* reference,
                         const fhir::Json& container, std::string_view system,
                         const std::string& path, Problems* problems);

// The PRF provider roles (provider.role, plan_of_care.care_team[].role).
inline const std::initializer_list<std::string_view> kProviderRoles = {
    "physical_therapist",
    "physical_therapist_assistant",
    "occupational_therapist",
    "speech_language_pathologist",
    "physician",
    "nurse_practitioner",
    "physician_assistant",
    "other"};
// A provider role as a CodeableConcept: NUCC coding and text, or text alone for the roles with
// no single NUCC code (physician, other).
fhir::Json ProviderRoleConcept(std::string_view role);
// The provider role a CodeableConcept names (NUCC code first, then its text), or "" with a problem.
std::string ProviderRoleFromConcept(const FieldReader& role_concept);

// The MRN of the patient that `resource` references in "subject", or "" with a problem.
std::string SubjectMrn(const ResourceSet& resources, const FieldReader& resource,
                       const MappingContext& context, Problems* problems);
// Sets the record's "updated_at" from the resource's record-updated-at extension, or records a
// problem when the resource has none.
void SetUpdatedAtFromExtension(const FieldReader& resource, fhir::Json* record);

// Timing.repeat for "per_week times a week for `weeks` weeks" (numbers kept as given).
fhir::Json WeeklyTiming(fhir::Json per_week, fhir::Json weeks);

// Sorts resources by their rank extension (stable; unranked ones keep their order at the end).
void SortByRank(std::vector<const fhir::Json*>& resources);

}  // namespace duet::mappings
