#include "gateway/sync/pull_referrals_job.h"

#include <utility>
#include <vector>

#include "fhir/client/http_error.h"
#include "fhir/search/date_range.h"
#include "gateway/sync/outbox_policy.h"
#include "gateway/sync/partner_capabilities.h"
#include "gateway/sync/partner_task_link.h"
#include "gateway/workflow/workflow_support.h"
#include "mappings/code_tables.h"
#include "mappings/resource_set.h"

namespace duet::gateway {
namespace {

using fhir::Json;

constexpr int64_t kOverlapMillis = 3 * 60 * 1000;
constexpr int kPageSize = 50;

std::string VersionOf(const Json& resource) {
  const Json* meta = resource.Find("meta");
  return meta == nullptr ? "" : std::string(meta->StringOr("versionId"));
}

// meta.lastUpdated as a normalized instant ("" when absent or not an instant).
std::string LastUpdated(const Json& resource) {
  const Json* meta = resource.Find("meta");
  if (meta == nullptr) return "";
  auto range = fhir::ParseDateRange(meta->StringOr("lastUpdated"));
  return range.ok() ? range->low : "";
}

std::string FirstQuery(const std::string& watermark) {
  std::string query = "ServiceRequest?category=" +
                      PercentEncode(std::string(mappings::kSnomedSystem) + "|3457005") +
                      "&_sort=_lastUpdated&_count=" + std::to_string(kPageSize) +
                      "&_revinclude=Task:focus&_include=ServiceRequest:subject"
                      "&_include=ServiceRequest:requester";
  std::string from = WatermarkMinus(watermark, kOverlapMillis);
  if (!from.empty()) query += "&_lastUpdated=ge" + PercentEncode(from);
  return query;
}

bool HasNpi(const Json& identifier, const std::string& npi) {
  return identifier.StringOr("system") == mappings::kNpiSystem &&
         identifier.StringOr("value") == npi;
}

}  // namespace

struct PullReferralsJob::Page {
  std::vector<const Json*> requests;          // the matches, in the partner's order
  std::map<std::string, const Json*> by_ref;  // every resource of the page by "Type/id"
  std::vector<const Json*> tasks;
};

struct PullReferralsJob::Progress {
  std::string watermark;   // what may be saved: covers only what is committed
  std::string seen;        // the highest lastUpdated seen so far
  bool failed = false;     // a referral could not be taken in: the watermark stays before it
  bool unordered = false;  // the partner's order is not ascending: move only after the last page
  JobRunReport report;
  int64_t repeats = 0;
  std::string first_error;
};

PullReferralsJob::PullReferralsJob(std::string name, EndpointConfig endpoint,
                                   std::string practice_npi, const SyncContext& context,
                                   fhir::FhirClient& client)
    : name_(std::move(name)),
      endpoint_(std::move(endpoint)),
      practice_npi_(std::move(practice_npi)),
      context_(context),
      client_(client),
      audit_(context.audit, name_, endpoint_) {}

Status PullReferralsJob::CheckPartner() {
  auto capabilities = client_.Capabilities();
  if (!capabilities.ok()) {
    return capabilities.status().WithContext("reading the partner's CapabilityStatement");
  }
  if (!CapabilityListed(*capabilities, "ServiceRequest", "", "_lastUpdated")) {
    return FailedPreconditionError(
        endpoint_.base_url +
        "/metadata does not list the _lastUpdated search parameter for ServiceRequest; "
        "pull_referrals polls by it and cannot run against this server");
  }
  return Status::Ok();
}

StatusOr<bool> PullReferralsJob::OwnedByPractice(const Page& page, const Json& task) {
  const Json* owner = task.Find("owner");
  if (owner == nullptr || !owner->is_object()) return false;
  if (const Json* identifier = owner->Find("identifier")) return HasNpi(*identifier, practice_npi_);
  DUET_ASSIGN_OR_RETURN(std::optional<Json> organization, Referenced(page, owner, "Organization"));
  if (!organization) return false;
  const Json* identifiers = organization->Find("identifier");
  if (identifiers == nullptr || !identifiers->is_array()) return false;
  for (const Json& identifier : identifiers->items()) {
    if (HasNpi(identifier, practice_npi_)) return true;
  }
  return false;
}

StatusOr<std::optional<Json>> PullReferralsJob::Referenced(const Page& page, const Json* reference,
                                                           const std::string& type) {
  if (reference == nullptr || !reference->is_object()) return std::optional<Json>();
  std::string target = PartnerTarget(endpoint_.base_url, reference->StringOr("reference"));
  if (target.rfind(type + "/", 0) != 0) return std::optional<Json>();  // not the partner's `type`
  if (auto found = page.by_ref.find(target); found != page.by_ref.end()) {
    return std::optional<Json>(*found->second);
  }
  DUET_ASSIGN_OR_RETURN(Json resource, client_.Read(type, target.substr(type.size() + 1)));
  return std::optional<Json>(std::move(resource));
}

StatusOr<std::string> PullReferralsJob::WriteLocally(const Json& transaction) {
  HttpRequest post;
  post.method = "POST";
  post.path = "/fhir";
  post.base_url = "https://localhost";
  post.remote_address = "sync job " + name_;
  post.headers.Set("Content-Type", "application/fhir+json");
  post.body = fhir::WriteJson(transaction);
  HttpResponse answer = context_.local_fhir.Handle(post);
  fhir::FhirResponse response;
  response.status = answer.status;
  response.body = answer.body;
  response.url = "the gateway's own FHIR API";
  DUET_RETURN_IF_ERROR(fhir::HttpErrorStatus("POST", response));
  DUET_ASSIGN_OR_RETURN(Json result, fhir::ParseJson(answer.body));
  const Json* entries = result.Find("entry");
  LiteralReference task;
  if (entries == nullptr || !entries->is_array() || entries->items().empty() ||
      !ParseLiteralReference(entries->items().back().Find("response") == nullptr
                                 ? ""
                                 : entries->items().back().Find("response")->StringOr("location"),
                             &task) ||
      task.type != "Task") {
    return InternalError("the local transaction response names no Task");
  }
  return task.id;
}

Status PullReferralsJob::TakeReferral(const Page& page, const Json& request, const Json& task,
                                      Progress& progress) {
  std::string request_key = "ServiceRequest/" + std::string(request.StringOr("id"));
  std::string task_key = "Task/" + std::string(task.StringOr("id"));
  DUET_ASSIGN_OR_RETURN(auto request_seen, context_.state.Marker(name_, request_key));
  DUET_ASSIGN_OR_RETURN(auto task_seen, context_.state.Marker(name_, task_key));
  // The Task is taken in once (the practice owns it then), so a new version of it alone, e.g.
  // the status push_referral_status put there, is a repeat.
  if (request_seen && *request_seen == VersionOf(request) && task_seen) {
    ++progress.repeats;
    return Status::Ok();
  }
  PulledReferral referral{request, task, std::nullopt, std::nullopt, {}};
  DUET_ASSIGN_OR_RETURN(referral.patient, Referenced(page, request.Find("subject"), "Patient"));
  DUET_ASSIGN_OR_RETURN(referral.requester,
                        Referenced(page, request.Find("requester"), "Practitioner"));
  if (const Json* performers = request.Find("performer"); performers && performers->is_array()) {
    for (const Json& performer : performers->items()) {
      for (const char* type : {"Organization", "Practitioner"}) {
        DUET_ASSIGN_OR_RETURN(std::optional<Json> found, Referenced(page, &performer, type));
        if (found) referral.others.push_back(std::move(*found));
      }
    }
  }
  PulledReferralOptions options{endpoint_.base_url, practice_npi_, context_.mapping,
                                request_seen.has_value()};
  DUET_ASSIGN_OR_RETURN(Json transaction, PulledReferralTransaction(referral, options));
  std::string local_task;
  AuditRecord record = audit_.Draft("search-type");
  DUET_RETURN_IF_ERROR(audit_.Imported(record, [&]() -> Status {
    DUET_ASSIGN_OR_RETURN(local_task, WriteLocally(transaction));
    return Status::Ok();
  }));
  DUET_ASSIGN_OR_RETURN(auto link, LoadPartnerTaskLink(context_.state, endpoint_.name, local_task));
  if (!link) {
    auto stored = context_.store.Read("Task", local_task);
    if (!stored.ok()) return stored.status();
    DUET_ASSIGN_OR_RETURN(Json local, ParseStored(*stored));
    PartnerTaskLink created{std::string(task.StringOr("id")), PartnerETag("", task), task,
                            std::string(local.StringOr("status"))};
    DUET_RETURN_IF_ERROR(SavePartnerTaskLink(context_.state, endpoint_.name, local_task, created));
  }
  DUET_RETURN_IF_ERROR(context_.state.SetMarker(name_, request_key, VersionOf(request)));
  DUET_RETURN_IF_ERROR(context_.state.SetMarker(name_, task_key, VersionOf(task)));
  ++progress.report.received;
  return Status::Ok();
}

Status PullReferralsJob::TakePage(const Json& bundle, Progress& progress) {
  Page page;
  const Json* entries = bundle.Find("entry");
  if (entries != nullptr && entries->is_array()) {
    for (const Json& entry : entries->items()) {
      const Json* resource = entry.Find("resource");
      if (resource == nullptr || !resource->is_object()) continue;
      std::string type(resource->StringOr("resourceType"));
      page.by_ref[type + "/" + std::string(resource->StringOr("id"))] = resource;
      const Json* search = entry.Find("search");
      bool included = search != nullptr && search->StringOr("mode") == "include";
      if (type == "ServiceRequest" && !included) page.requests.push_back(resource);
      if (type == "Task") page.tasks.push_back(resource);
    }
  }
  for (const Json* request : page.requests) {
    std::string updated = LastUpdated(*request);
    if (updated.empty() || updated < progress.seen) progress.unordered = true;
    progress.seen = std::max(progress.seen, updated);
    std::string url = PartnerUrl(endpoint_.base_url, *request);
    for (const Json* task : page.tasks) {
      const Json* focus = task->Find("focus");
      if (focus == nullptr ||
          !RefersTo(endpoint_.base_url, focus->StringOr("reference"), *request)) {
        continue;
      }
      Status taken = [&]() -> Status {
        DUET_ASSIGN_OR_RETURN(bool ours, OwnedByPractice(page, *task));
        return ours ? TakeReferral(page, *request, *task, progress) : Status::Ok();
      }();
      if (taken.ok()) continue;
      if (PartnerUnreachable(taken.code())) return taken;
      ++progress.report.failed;
      progress.failed = true;
      if (progress.first_error.empty()) progress.first_error = url + ": " + taken.message();
    }
    if (!progress.failed && !progress.unordered) {
      progress.watermark = std::max(progress.watermark, updated);
    }
  }
  return Status::Ok();
}

StatusOr<JobRunReport> PullReferralsJob::RunOnce(const std::function<bool()>& should_stop) {
  DUET_RETURN_IF_ERROR(CheckPartner());
  DUET_ASSIGN_OR_RETURN(JobState job, context_.state.LoadJob(name_));
  Progress progress;
  progress.watermark = job.watermark;
  std::string stopped;
  for (std::string path = FirstQuery(job.watermark); !path.empty();) {
    if (should_stop()) {
      stopped = "; stopped early, the rest waits for the next run";
      break;
    }
    DUET_ASSIGN_OR_RETURN(fhir::FhirResponse response, client_.Send("GET", path));
    DUET_RETURN_IF_ERROR(fhir::HttpErrorStatus("GET", response));
    auto bundle = fhir::ParseJson(response.body);
    if (!bundle.ok() || bundle->StringOr("resourceType") != "Bundle") {
      return InvalidArgumentError("GET " + response.url + ": the answer is not a Bundle");
    }
    DUET_RETURN_IF_ERROR(TakePage(*bundle, progress));
    // What this page covered is committed: the watermark may move past it.
    if (progress.watermark != job.watermark) {
      DUET_RETURN_IF_ERROR(context_.state.SaveWatermark(name_, progress.watermark));
      job.watermark = progress.watermark;
    }
    path = fhir::NextLink(*bundle);
  }
  if (stopped.empty() && !progress.failed && progress.unordered && progress.seen > job.watermark) {
    DUET_RETURN_IF_ERROR(context_.state.SaveWatermark(name_, progress.seen));
  }
  JobRunReport& report = progress.report;
  report.message = std::to_string(report.received) + " referral(s) taken in from " +
                   endpoint_.name + ", " + std::to_string(progress.repeats) +
                   " repeat(s) skipped, " + std::to_string(report.failed) + " failed" + stopped;
  if (!progress.first_error.empty()) report.message += ": " + progress.first_error;
  return report;
}

}  // namespace duet::gateway
