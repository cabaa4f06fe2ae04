// Small helpers the workflows share: searching and reading inside a write transaction, and
// storing a changed resource as a new version.
//
// Free functions; each call uses only the transaction it is given.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "fhir/json.h"
#include "fhir/status.h"
#include "gateway/store/resource_store.h"

namespace duet::gateway {

using SearchParams = std::vector<std::pair<std::string, std::string>>;

// The current resources of `type` matching `params` (at most 1000), inside the transaction.
StatusOr<std::vector<StoredResource>> SearchInTransaction(WriteTransaction& tx,
                                                          const std::string& type,
                                                          const SearchParams& params);

// Every current resource of `type` matching `params` in the store (outside any transaction),
// following the store's page cursors.
StatusOr<std::vector<StoredResource>> SearchAllInStore(ResourceStore& store,
                                                       const std::string& type,
                                                       const SearchParams& params);

// Parses a stored version's JSON; kInternal when the store holds something unparsable.
StatusOr<fhir::Json> ParseStored(const StoredResource& stored);

// "Type/id" or "Type/id/_history/n" (relative, or absolute ending so) split into its parts;
// version 0 when the reference names no version. False when it is not such a reference.
struct LiteralReference {
  std::string type;
  std::string id;
  int64_t version = 0;
};
bool ParseLiteralReference(std::string_view reference, LiteralReference* out);

// Every literal reference ("reference": "Type/id[/_history/n]") anywhere in `value`.
void CollectLiteralReferences(const fhir::Json& value, std::vector<LiteralReference>* out);

// A resource reached by WalkReferences, parsed, with its distance from where the walk began.
struct ReachedResource {
  StoredResource stored;
  fhir::Json json;
  int depth = 0;
};

// Breadth-first through the literal references of the `start` resources (each with its depth),
// following them while a resource's depth is below `max_depth`, until `max_resources` are
// reached. Each current resource comes once; deleted ones are left out. `more`, when given, names
// further resources to visit from a parsed one (e.g. by canonical URL).
StatusOr<std::vector<ReachedResource>> WalkReferences(
    ResourceStore& store, std::vector<std::pair<StoredResource, int>> start, int max_depth,
    size_t max_resources,
    const std::function<StatusOr<std::vector<StoredResource>>(const fhir::Json&)>& more = {});

// Today's date (UTC) as a FHIR date, and now as a FHIR instant with milliseconds.
std::string TodayUtc();
std::string NowInstantUtc();

}  // namespace duet::gateway
