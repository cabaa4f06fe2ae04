// PRF `provider` ⇄ US Core Practitioner + PractitionerRole (NUCC taxonomy) + Organization
// (docs/mapping.md, "provider"). An organization without an NPI has no business identifier of its
// own, so it is contained in the PractitionerRole instead of standing alone.
//
// Stateless functions; thread-safe.
#pragma once

#include <string_view>
#include <vector>

#include "fhir/json.h"
#include "fhir/status.h"
#include "mappings/mapping_context.h"
#include "mappings/resource_set.h"

namespace duet::mappings {

// The Practitioner first, then the PractitionerRole, then the Organization when it has an NPI.
// `pointer` locates the record in its document (e.g. "/records/2" in a batch); problems are
// reported with JSON pointers below it.
StatusOr<std::vector<fhir::Json>> ProviderToFhir(const fhir::Json& record,
                                                 const MappingContext& context,
                                                 std::string_view pointer = "");

// Rebuilds the provider record with this NPI from its Practitioner, PractitionerRole and
// Organization.
StatusOr<fhir::Json> ProviderFromFhir(const ResourceSet& resources, std::string_view npi,
                                      const MappingContext& context);

}  // namespace duet::mappings
