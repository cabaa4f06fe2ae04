#include "gateway/practice_api/practice_api_handler.h"

#include <map>
#include <vector>

#include "gateway/http/http_status.h"
#include "gateway/http/json_response.h"
#include "mappings/record_converter.h"

namespace duet::gateway {
namespace {

using fhir::Json;

constexpr std::string_view kMount = "/practice/v1";

// Collection names in URLs, next to the record types themselves.
const std::map<std::string, std::string>& RecordTypeByCollection() {
  static const auto* collections = new std::map<std::string, std::string>{
      {"patients", "patient"},
      {"providers", "provider"},
      {"referrals", "referral"},
      {"plans_of_care", "plan_of_care"},
      {"home_exercise_programs", "home_exercise_program"},
      {"medication_lists", "medication_list"},
      {"nps_responses", "nps_response"},
      {"education", "education"},
  };
  return *collections;
}

std::string RecordTypeFor(const std::string& segment) {
  auto found = RecordTypeByCollection().find(segment);
  if (found != RecordTypeByCollection().end()) return found->second;
  return mappings::MainResourceType(segment).empty() ? "" : segment;
}

HttpResponse ErrorResponse(int status, const std::string& message,
                           const std::vector<mappings::PrfProblem>& problems = {},
                           const Json& outcome = Json()) {
  std::vector<JsonProblem> listed;
  for (const mappings::PrfProblem& problem : problems) {
    listed.push_back({problem.pointer, problem.message, ""});
  }
  Json body = JsonErrorBody(status, message, listed);
  if (!outcome.is_null()) body.Find("error")->Set("operation_outcome", outcome);
  return JsonResponse(status, body);
}

HttpResponse StatusResponse(const Status& status) {
  return ErrorResponse(HttpStatusFor(status.code()), status.message());
}

std::string QueryValue(const HttpRequest& request, const std::string& name) {
  for (const auto& [key, value] : request.query) {
    if (key == name) return value;
  }
  return "";
}

Status CheckParameters(const HttpRequest& request, const std::vector<std::string>& allowed) {
  for (const auto& [key, value] : request.query) {
    bool known = false;
    for (const std::string& name : allowed) known = known || name == key;
    if (!known) {
      std::string names;
      for (const std::string& name : allowed) names += (names.empty() ? "" : ", ") + name;
      return InvalidArgumentError("unknown query parameter '" + key + "'; this resource takes " +
                                  (names.empty() ? std::string("none") : names));
    }
  }
  return Status::Ok();
}

HttpResponse MethodNotAllowed(const std::string& allowed) {
  HttpResponse response = ErrorResponse(405, "use " + allowed + " here");
  response.headers.Set("Allow", allowed);
  return response;
}

}  // namespace

PracticeApiHandler::PracticeApiHandler(ResourceStore& store, HttpHandler& fhir_api,
                                       const mappings::MappingContext& context)
    : loader_(store, context),
      upload_(loader_, fhir_api),
      queries_(store, loader_),
      medication_lists_(store, loader_) {}

HttpResponse PracticeApiHandler::Failure(int status, const std::string& /*path*/,
                                         const std::string& message) const {
  return ErrorResponse(status, message);
}

HttpResponse PracticeApiHandler::Handle(const HttpRequest& request) {
  std::string_view path = request.path;
  if (path.substr(0, kMount.size()) != kMount) return ErrorResponse(404, "no such resource");
  std::vector<std::string> segments;
  for (std::string_view segment : SplitPathSegments(path.substr(kMount.size()))) {
    segments.emplace_back(segment);
  }
  if (segments.size() == 1 && segments[0] == "records") {
    if (request.method != "POST") return MethodNotAllowed("POST");
    return PostRecords(request);
  }
  bool get = request.method == "GET" || request.method == "HEAD";
  if (segments.size() == 1 && segments[0] == "referrals") {
    return get ? GetReferrals(request) : MethodNotAllowed("GET");
  }
  if (segments.size() == 1 && segments[0] == "nps") {
    return get ? GetNps(request) : MethodNotAllowed("GET");
  }
  if (segments.size() == 2) {
    if (!get) return MethodNotAllowed("GET");
    Status parameters = CheckParameters(request, {});
    if (!parameters.ok()) return StatusResponse(parameters);
    return GetRecord(segments[0], segments[1]);
  }
  return ErrorResponse(404, "no resource at " + request.path +
                                "; see /practice/v1/records, /practice/v1/<type>/<id>, "
                                "/practice/v1/referrals and /practice/v1/nps");
}

HttpResponse PracticeApiHandler::PostRecords(const HttpRequest& request) {
  const std::string* content_type = request.headers.Find("Content-Type");
  if (content_type == nullptr || content_type->find("json") == std::string::npos) {
    return ErrorResponse(415, "send the records as application/json");
  }
  UploadFailure failure;
  auto result = upload_.Upload(request.body, request, &failure);
  if (!result.ok()) {
    if (failure.message.empty()) return StatusResponse(result.status());
    return ErrorResponse(failure.http_status, failure.message, failure.problems,
                         failure.operation_outcome);
  }
  return JsonResponse(200, *result);
}

HttpResponse PracticeApiHandler::GetRecord(const std::string& collection, const std::string& id) {
  std::string record_type = RecordTypeFor(collection);
  if (record_type.empty()) {
    return ErrorResponse(404, "'" + collection + "' is not a record type or collection");
  }
  auto record =
      record_type == "medication_list" ? medication_lists_.Load(id) : loader_.Load(record_type, id);
  if (!record.ok()) return StatusResponse(record.status());
  return JsonResponse(200, *record);
}

HttpResponse PracticeApiHandler::GetReferrals(const HttpRequest& request) {
  Status parameters = CheckParameters(request, {"status", "direction"});
  if (!parameters.ok()) return StatusResponse(parameters);
  std::string status = QueryValue(request, "status");
  auto result =
      queries_.Referrals(status.empty() ? "received" : status, QueryValue(request, "direction"));
  if (!result.ok()) return StatusResponse(result.status());
  return JsonResponse(200, *result);
}

HttpResponse PracticeApiHandler::GetNps(const HttpRequest& request) {
  Status parameters = CheckParameters(request, {"from", "to"});
  if (!parameters.ok()) return StatusResponse(parameters);
  auto result = queries_.NpsSummary(QueryValue(request, "from"), QueryValue(request, "to"));
  if (!result.ok()) return StatusResponse(result.status());
  return JsonResponse(200, *result);
}

}  // namespace duet::gateway
