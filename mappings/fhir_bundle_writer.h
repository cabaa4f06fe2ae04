// Writes the FHIR resources made from PRF records as one transaction Bundle of conditional
// upserts keyed by business identifier, so that posting the same Bundle twice creates nothing
// new (docs/mapping.md, "Transaction Bundle").
//
// Pure functions; thread-safe.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/json.h"

namespace duet::mappings {

// "urn:uuid:" + DeterministicUuid("<resourceType>|<system>|<value>") of the resource's business
// (first) identifier; "" when the resource has none.
std::string ResourceFullUrl(const fhir::Json& resource);

// A transaction Bundle with one entry per resource:
// - a resource with a business identifier becomes `PUT <Type>?identifier=<system>|<value>` (a
//   conditional update: created when absent, updated in place when present) with its
//   deterministic urn:uuid fullUrl; a later resource with the same type and identifier replaces
//   an earlier one (the same Organization named by two provider records is written once);
// - a resource without one becomes a plain POST;
// - every conditional reference (`Type?identifier=...`) that names a resource of the Bundle is
//   rewritten to that entry's urn:uuid; the others stay conditional, for the server to resolve.
// Takes the resources by value: pass them with std::move to spare a copy of each.
fhir::Json ToTransactionBundle(std::vector<fhir::Json> resources);

// WriteJson(ToTransactionBundle(resources), pretty), made by a TransactionBundleWriter
// (transaction_bundle_writer.h).
std::string WriteTransactionBundle(std::vector<fhir::Json> resources, bool pretty);
// The same text written to `out`.
void WriteTransactionBundle(std::vector<fhir::Json> resources, bool pretty, std::ostream& out);

}  // namespace duet::mappings
