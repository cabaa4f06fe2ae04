#include "gateway/sync/partner_task_link.h"

#include "fhir/client/fhir_client.h"

namespace duet::gateway {
namespace {

using fhir::Json;

std::string Namespace(const std::string& endpoint) { return "partner-tasks:" + endpoint; }

}  // namespace

StatusOr<std::optional<PartnerTaskLink>> LoadPartnerTaskLink(SyncStateStore& state,
                                                             const std::string& endpoint,
                                                             const std::string& local_task_id) {
  DUET_ASSIGN_OR_RETURN(auto value, state.Marker(Namespace(endpoint), "Task/" + local_task_id));
  if (!value) return std::optional<PartnerTaskLink>();
  auto parsed = fhir::ParseJson(*value);
  if (!parsed.ok() || !parsed->is_object() || parsed->Find("task") == nullptr) {
    return InternalError("the sync state's link of Task/" + local_task_id + " to endpoint " +
                         endpoint + " is not readable");
  }
  PartnerTaskLink link;
  link.partner_id = std::string(parsed->StringOr("partner_id"));
  link.etag = std::string(parsed->StringOr("etag"));
  link.base_status = std::string(parsed->StringOr("base_status"));
  link.task = *parsed->Find("task");
  return std::optional<PartnerTaskLink>(std::move(link));
}

Status SavePartnerTaskLink(SyncStateStore& state, const std::string& endpoint,
                           const std::string& local_task_id, const PartnerTaskLink& link) {
  Json value = Json::MakeObject();
  value.Set("partner_id", Json::String(link.partner_id));
  value.Set("etag", Json::String(link.etag));
  value.Set("base_status", Json::String(link.base_status));
  value.Set("task", link.task);
  return state.SetMarker(Namespace(endpoint), "Task/" + local_task_id, fhir::WriteJson(value));
}

std::string PartnerETag(const std::string& header, const Json& resource) {
  if (!header.empty()) return header;
  const Json* meta = resource.Find("meta");
  std::string version(meta == nullptr ? "" : meta->StringOr("versionId"));
  return version.empty() ? "" : fhir::WeakETag(version);
}

}  // namespace duet::gateway
