// OutboundBundle: resources of the store written out for a partner's FHIR server as one
// transaction Bundle of conditional upserts by business identifier (FHIR-MAPPING.md §4), so that
// sending it again changes nothing there. The root resource comes with what it references (three
// levels deep: a plan of care with its patient, clinicians, care team, conditions, goals and
// referral). Server-assigned ids and versions stay home: each literal reference becomes a
// reference to the target's business identifier, which the Bundle turns into the target entry's
// urn:uuid, so the partner resolves everything inside the transaction (conditional references
// only remain for a target without an identifier, which is left out).
//
// Free functions over a ResourceStore; thread-safe as the store is.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "fhir/json.h"
#include "fhir/status.h"
#include "gateway/store/resource_store.h"

namespace duet::gateway {

// Where each resource to send comes from: its conditional URL (OutboundKey) → the stored version
// (for the audit trail, which names the store's own ids).
using OutboundOrigins = std::map<std::string, StoredResource>;

// The resources to send: the root first, then what it references, in the order found; their
// origins into `origins` when given.
StatusOr<std::vector<fhir::Json>> GatherOutbound(ResourceStore& store, const StoredResource& root,
                                                 OutboundOrigins* origins = nullptr);

// The conditional URL by business identifier of a resource to send ("" without one).
std::string OutboundKey(const fhir::Json& resource);

// The transaction Bundle for `resources` (as GatherOutbound returns them).
fhir::Json OutboundTransaction(std::vector<fhir::Json> resources);

// For partners that limit the size of a transaction (`max_transaction_entries`): the resources
// ordered so that each comes after the ones it references, cut into chunks of at most
// `max_entries` (0 = one chunk). Send the chunks in order, each as an OutboundTransaction, after
// UsePartnerReferences with what the partner answered for the earlier chunks.
std::vector<std::vector<fhir::Json>> OutboundChunks(std::vector<fhir::Json> resources,
                                                    size_t max_entries);

// Rewrites references to resources the partner already stored, given as conditional URL
// ("Patient?identifier=sys|val") → the partner's "Type/id".
void UsePartnerReferences(fhir::Json& resource,
                          const std::map<std::string, std::string>& partner_references);

// What a transaction-response says the partner stored for each entry of `request`: its
// conditional URL → the partner's "Type/id".
void CollectPartnerReferences(const fhir::Json& request, const fhir::Json& response,
                              std::map<std::string, std::string>* partner_references);

}  // namespace duet::gateway
