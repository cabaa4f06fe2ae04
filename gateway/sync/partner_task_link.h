// PartnerTaskLink: what the gateway remembers about the partner's own copy of a referral's Task,
// so that the practice's status can go back to it (push_referral_status): the partner's id, the
// partner's Task as last seen with its ETag (the base a status update is PUT onto, with
// If-Match), and the local status the partner last had from us. pull_referrals records it when
// it takes a referral in; push_referral_status updates it after every delivery. Kept as a
// marker of the SyncStateStore under "partner-tasks:<endpoint>", key "Task/<local id>", so the
// jobs of one endpoint share it whatever their names.
//
// Free functions; thread-safe as the state store is.
#pragma once

#include <optional>
#include <string>

#include "fhir/json.h"
#include "fhir/status.h"
#include "gateway/sync/sync_state_store.h"

namespace duet::gateway {

struct PartnerTaskLink {
  std::string partner_id;   // Task id at the partner
  std::string etag;         // W/"<versionId>" of `task`
  fhir::Json task;          // the partner's Task as last seen
  std::string base_status;  // the local status the partner's Task last reflected
};

StatusOr<std::optional<PartnerTaskLink>> LoadPartnerTaskLink(SyncStateStore& state,
                                                             const std::string& endpoint,
                                                             const std::string& local_task_id);
Status SavePartnerTaskLink(SyncStateStore& state, const std::string& endpoint,
                           const std::string& local_task_id, const PartnerTaskLink& link);

// The ETag of a partner resource: the answer's ETag header, else W/"<meta.versionId>".
std::string PartnerETag(const std::string& header, const fhir::Json& resource);

}  // namespace duet::gateway
