#include "gateway/practice_api/practice_audit.h"

#include <string>
#include <vector>

#include "fhir/json.h"

namespace duet::gateway {
namespace {

constexpr std::string_view kMount = "/practice/v1";

std::string UploadInteraction(const std::string& body) {
  auto document = fhir::ParseJson(body);
  bool batch = document.ok() && document->is_object() && document->StringOr("record") == "batch";
  return batch ? "batch" : "update";
}

}  // namespace

AuditedRequest ClassifyPracticeRequest(const HttpRequest& request) {
  AuditedRequest what;
  std::string_view path = request.path;
  if (path.substr(0, kMount.size()) != kMount) return what;
  std::vector<std::string_view> segments = SplitPathSegments(path.substr(kMount.size()));
  bool get = request.method == "GET" || request.method == "HEAD";
  if (segments.size() == 1 && segments[0] == "records" && request.method == "POST") {
    what.interaction = UploadInteraction(request.body);
  } else if (segments.size() == 1 && (segments[0] == "referrals" || segments[0] == "nps")) {
    if (get) what.interaction = "search-type";
  } else if (segments.size() == 2 && get) {
    what.interaction = "read";
  }
  // One FHIR transaction stores the whole upload, a batch too; the practice API answers 200.
  what.record_in_transaction = true;
  what.success_status = 200;
  return what;
}

AuditRules PracticeAuditRules(std::function<AuditAgent(const HttpRequest&)> identify) {
  AuditRules rules;
  rules.classify = ClassifyPracticeRequest;
  rules.identify = std::move(identify);
  return rules;
}

}  // namespace duet::gateway
