// ResourceWriter: the FHIR write interactions (create, conditional create, update, conditional
// update, delete, conditional delete) carried out inside a caller's WriteTransaction, so that a
// single request and a whole transaction Bundle share the same rules.
//
// Stateless apart from the rules it borrows (which must outlive it); any thread may call it, each
// with its own transaction. Resources reaching it have already been parsed and validated
// (ResourceIntake). Every create and update goes through the WriteRules, when there are any.
#pragma once

#include <optional>
#include <string>

#include "fhir/json.h"
#include "gateway/fhir_api/interaction_result.h"
#include "gateway/fhir_api/write_rules.h"
#include "gateway/store/resource_store.h"

namespace duet::gateway {

class ResourceWriter {
 public:
  explicit ResourceWriter(const WriteRules* rules = nullptr) : rules_(rules) {}

  // Creates the resource; with `if_none_exist` (a query such as "identifier=sys|1"), returns the
  // one existing match instead (200), or fails with 412 when several match. `id` is the id to
  // use ("" lets the store choose): transactions pre-assign ids to resolve urn:uuid references.
  InteractionResult Create(WriteTransaction& tx, const std::string& type, fhir::Json resource,
                           const std::string& if_none_exist, const std::string& id = "") const;

  // Updates (or creates, 201) the resource with that id. The body's id must equal `id`. A body
  // that equals the current version (apart from meta.versionId/lastUpdated) makes no new version.
  InteractionResult Update(WriteTransaction& tx, const std::string& type, const std::string& id,
                           fhir::Json resource, std::optional<int64_t> if_match) const;

  // Updates the single resource matching `query`, or creates one when none matches; 412 when
  // several match. `new_id` is used when creating ("" lets the store choose).
  InteractionResult ConditionalUpdate(WriteTransaction& tx, const std::string& type,
                                      const std::string& query, fhir::Json resource,
                                      const std::string& new_id = "") const;

  // 204 on success (also when already deleted); 404 when it never existed.
  InteractionResult Delete(WriteTransaction& tx, const std::string& type, const std::string& id,
                           std::optional<int64_t> if_match) const;

  // Deletes the single match of `query`; 204 when none matches, 412 when several do.
  InteractionResult ConditionalDelete(WriteTransaction& tx, const std::string& type,
                                      const std::string& query) const;

  // The ids of resources of `type` matching `query` (at most `limit`), inside the transaction.
  StatusOr<std::vector<std::string>> Match(WriteTransaction& tx, const std::string& type,
                                           const std::string& query, int limit) const;

 private:
  // Stores `resource` as a new resource or as a new version of `previous` (null when there is
  // none), through the rules; no new version when nothing changed.
  InteractionResult Store(WriteTransaction& tx, const std::string& type, const std::string& id,
                          fhir::Json resource, const StoredResource* previous,
                          std::optional<int64_t> if_match, bool create) const;

  const WriteRules* rules_;
};

}  // namespace duet::gateway
