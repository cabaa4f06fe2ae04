#include "gateway/sync/push_referral_status_job.h"

#include <set>
#include <utility>

#include "fhir/client/http_error.h"
#include "gateway/audit/audit_entities.h"
#include "gateway/sync/changed_resources.h"
#include "gateway/sync/outbox_policy.h"
#include "gateway/sync/pulled_referral.h"
#include "gateway/sync/referral_status_merge.h"
#include "gateway/workflow/workflow_support.h"
#include "mappings/code_tables.h"
#include "mappings/extensions.h"

namespace duet::gateway {
namespace {

using fhir::Json;

constexpr int kMergeAttempts = 3;

bool IsConflict(int status) { return status == 409 || status == 412; }

// The identifiers of `task` the partner may know it by: not the practice's own systems.
std::vector<std::pair<std::string, std::string>> PartnerIdentifiers(
    const Json& task, const std::string& identifier_base) {
  std::vector<std::pair<std::string, std::string>> found;
  const Json* identifiers = task.Find("identifier");
  if (identifiers == nullptr || !identifiers->is_array()) return found;
  for (const Json& identifier : identifiers->items()) {
    std::string system(identifier.StringOr("system"));
    std::string value(identifier.StringOr("value"));
    if (system.empty() || value.empty() || system.rfind(identifier_base + "/", 0) == 0) continue;
    found.emplace_back(system, value);
  }
  return found;
}

}  // namespace

PushReferralStatusJob::PushReferralStatusJob(std::string name, EndpointConfig endpoint,
                                             const SyncContext& context, fhir::FhirClient& client)
    : name_(std::move(name)),
      endpoint_(std::move(endpoint)),
      context_(context),
      client_(client),
      audit_(context.audit, name_, endpoint_) {}

StatusOr<bool> PushReferralStatusJob::FromPartner(const StoredResource& stored,
                                                  const PartnerSharing& sharing) {
  DUET_ASSIGN_OR_RETURN(auto link, LoadPartnerTaskLink(context_.state, endpoint_.name, stored.id));
  if (link) return true;
  DUET_ASSIGN_OR_RETURN(Json task, ParseStored(stored));
  const Json* focus = task.Find("focus");
  LiteralReference target;
  if (focus == nullptr || !ParseLiteralReference(focus->StringOr("reference"), &target) ||
      target.type != "ServiceRequest") {
    return false;
  }
  auto request_stored = context_.store.Read("ServiceRequest", target.id);
  if (!request_stored.ok() || request_stored->deleted) return false;
  DUET_ASSIGN_OR_RETURN(Json request, ParseStored(*request_stored));
  const Json* direction = mappings::FindExtension(request, mappings::ext::kReferralDirection);
  if (direction == nullptr || direction->StringOr("valueCode") != "inbound") return false;
  const Json* requester = request.Find("requester");
  LiteralReference who;
  if (requester == nullptr || !ParseLiteralReference(requester->StringOr("reference"), &who)) {
    return false;
  }
  return sharing.practitioners().count(who.type + "/" + who.id) > 0;
}

StatusOr<int64_t> PushReferralStatusJob::EnqueueChangedTasks() {
  DUET_ASSIGN_OR_RETURN(JobState job, context_.state.LoadJob(name_));
  DUET_ASSIGN_OR_RETURN(PartnerSharing sharing, PartnerSharing::ForOrganization(
                                                    context_.store, endpoint_.organization_npi));
  int64_t queued = 0;
  SearchParams params = {{"code", std::string(mappings::kTaskCodeSystem) + "|fulfill"}};
  DUET_ASSIGN_OR_RETURN(
      std::string watermark,
      VisitChangedSince(
          context_.store, "Task", std::move(params), job.watermark,
          [&](const StoredResource& stored) -> Status {
            DUET_ASSIGN_OR_RETURN(bool ours, FromPartner(stored, sharing));
            if (!ours) return Status::Ok();
            std::string key = "Task/" + stored.id;
            std::string version = std::to_string(stored.version_id);
            DUET_ASSIGN_OR_RETURN(auto handled, context_.state.Marker(name_, key));
            if (handled && *handled == version) return Status::Ok();
            ++queued;
            return context_.state.Enqueue(name_, key, version, context_.clock()).status();
          }));
  if (watermark != job.watermark) {
    DUET_RETURN_IF_ERROR(context_.state.SaveWatermark(name_, watermark));
  }
  return queued;
}

Status PushReferralStatusJob::Reread(PartnerTaskLink& link) {
  DUET_ASSIGN_OR_RETURN(fhir::FhirResponse response,
                        client_.Send("GET", "Task/" + link.partner_id));
  DUET_RETURN_IF_ERROR(fhir::HttpErrorStatus("GET", response));
  DUET_ASSIGN_OR_RETURN(link.task, fhir::ParseJson(response.body));
  link.etag = PartnerETag(response.ETag(), link.task);
  return Status::Ok();
}

StatusOr<PartnerTaskLink> PushReferralStatusJob::Link(const StoredResource& stored,
                                                      const Json& local) {
  DUET_ASSIGN_OR_RETURN(auto remembered,
                        LoadPartnerTaskLink(context_.state, endpoint_.name, stored.id));
  if (remembered) return *remembered;
  // A referral the partner posted: its Task carries the partner's identifiers.
  std::set<std::string> ids;
  std::string searched;
  for (const auto& [system, value] :
       PartnerIdentifiers(local, context_.mapping.identifier_base())) {
    std::string query = "Task?identifier=" + PercentEncode(system) + "%7C" + PercentEncode(value);
    searched += (searched.empty() ? "" : ", ") + system + "|" + value;
    DUET_ASSIGN_OR_RETURN(fhir::SearchResult found, client_.SearchAll(query, 2));
    for (const Json& task : found.resources) {
      if (task.StringOr("resourceType") == "Task") ids.insert(std::string(task.StringOr("id")));
    }
    if (!ids.empty()) break;
  }
  if (ids.size() != 1) {
    return (ids.empty() ? NotFoundError("the partner has no Task with identifier " +
                                        (searched.empty() ? "(the Task has none)" : searched))
                        : FailedPreconditionError("the partner has " + std::to_string(ids.size()) +
                                                  " Tasks with identifier " + searched));
  }
  PartnerTaskLink link;
  link.partner_id = *ids.begin();
  DUET_RETURN_IF_ERROR(Reread(link));
  // The partner's Task reflected the referral as it was posted: the local Task's first version.
  DUET_ASSIGN_OR_RETURN(StoredResource first, context_.store.ReadVersion("Task", stored.id, 1));
  DUET_ASSIGN_OR_RETURN(Json posted, ParseStored(first));
  link.base_status = std::string(posted.StringOr("status"));
  return link;
}

StatusOr<fhir::FhirResponse> PushReferralStatusJob::Put(const StoredResource& stored,
                                                        fhir::FhirRequest put) {
  AuditRecord record = audit_.Draft("update");
  AddStoredAuditEntity(record, stored);
  StatusOr<fhir::FhirResponse> response = client_.Send(put);
  DUET_RETURN_IF_ERROR(audit_.Disclosed(record, response));
  return response;
}

StatusOr<bool> PushReferralStatusJob::Deliver(const StoredResource& stored, int64_t& retry_after) {
  DUET_ASSIGN_OR_RETURN(Json parsed, ParseStored(stored));
  DUET_ASSIGN_OR_RETURN(Json local, PortableOutputs(context_.store, std::move(parsed)));
  DUET_ASSIGN_OR_RETURN(PartnerTaskLink link, Link(stored, local));
  std::string path = "Task/" + link.partner_id;
  const std::string base_status = link.base_status;
  for (int attempt = 0; attempt < kMergeAttempts; ++attempt) {
    if (link.etag.empty()) DUET_RETURN_IF_ERROR(Reread(link));
    auto merged = MergePracticeOwnedFields(link.task, local, base_status);
    if (!merged.ok()) return merged.status().WithContext(endpoint_.base_url + "/" + path);
    // Once delivered (or found there already), the partner's Task reflects the local status.
    link.base_status = std::string(local.StringOr("status"));
    if (!merged->changed) {
      DUET_RETURN_IF_ERROR(SavePartnerTaskLink(context_.state, endpoint_.name, stored.id, link));
      return false;
    }
    fhir::FhirRequest put;
    put.method = "PUT";
    put.path = path;
    put.body = fhir::WriteJson(merged->task);
    put.headers = {{"If-Match", link.etag}};
    DUET_ASSIGN_OR_RETURN(fhir::FhirResponse response, Put(stored, std::move(put)));
    retry_after = RetryAfterSeconds(response);
    if (IsConflict(response.status)) {
      DUET_RETURN_IF_ERROR(Reread(link));  // the partner moved on: merge onto what it has now
      continue;
    }
    DUET_RETURN_IF_ERROR(fhir::HttpErrorStatus("PUT", response));
    auto answered = fhir::ParseJson(response.body);
    link.task = answered.ok() && answered->StringOr("resourceType") == "Task" ? std::move(*answered)
                                                                              : merged->task;
    link.etag = PartnerETag(response.ETag(), link.task);
    DUET_RETURN_IF_ERROR(SavePartnerTaskLink(context_.state, endpoint_.name, stored.id, link));
    return true;
  }
  return InternalError("PUT " + endpoint_.base_url + "/" + path + ": the partner's Task changed " +
                       "under every one of " + std::to_string(kMergeAttempts) +
                       " attempts (HTTP 412/409); trying again later");
}

Status PushReferralStatusJob::Send(const OutboxItem& item, JobRunReport& report) {
  std::string id = item.key.substr(item.key.find('/') + 1);
  auto current = context_.store.Read("Task", id);
  if (!current.ok() || current->deleted) return context_.state.MarkDone(item.id);
  int64_t retry_after = 0;
  StatusOr<bool> delivered = Deliver(*current, retry_after);
  if (delivered.ok()) {
    if (*delivered) ++report.sent;
    DUET_RETURN_IF_ERROR(
        context_.state.SetMarker(name_, item.key, std::to_string(current->version_id)));
    return context_.state.MarkDone(item.id);
  }
  ++report.failed;
  return RecordOutboxFailure(context_.state, item, delivered.status(), retry_after,
                             context_.clock());
}

StatusOr<JobRunReport> PushReferralStatusJob::RunOnce(const std::function<bool()>& should_stop) {
  DUET_ASSIGN_OR_RETURN(int64_t queued, EnqueueChangedTasks());
  JobRunReport report;
  DUET_ASSIGN_OR_RETURN(OutboxDrain drain,
                        DrainOutbox(context_.state, name_, context_.clock(), should_stop,
                                    [&](const OutboxItem& item) { return Send(item, report); }));
  report.message = std::to_string(report.sent) + " referral status update(s) sent to " +
                   endpoint_.name + ", " + std::to_string(report.failed) + " failed, " +
                   std::to_string(queued) + " newly queued" + drain.stopped;
  if (!drain.unreachable.ok() && report.sent == 0) {
    return Status(drain.unreachable.code(), report.message + ": " + drain.unreachable.message());
  }
  return report;
}

}  // namespace duet::gateway
