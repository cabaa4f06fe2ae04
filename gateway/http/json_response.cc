#include "gateway/http/json_response.h"

namespace duet::gateway {

using fhir::Json;

HttpResponse JsonResponse(int status, const Json& body, const std::string& content_type) {
  HttpResponse response;
  response.status = status;
  response.headers.Set("Content-Type", content_type);
  response.headers.Set("Cache-Control", "no-store");
  response.body = fhir::WriteJson(body);
  return response;
}

Json JsonErrorBody(int status, const std::string& message,
                   const std::vector<JsonProblem>& problems) {
  Json error = Json::MakeObject();
  error.Set("status", Json::Integer(status));
  error.Set("message", Json::String(message));
  if (!problems.empty()) {
    Json list = Json::MakeArray();
    for (const JsonProblem& problem : problems) {
      Json item = Json::MakeObject();
      if (problem.parameter.empty()) {
        item.Set("pointer", Json::String(problem.pointer));
      } else {
        item.Set("parameter", Json::String(problem.parameter));
      }
      item.Set("message", Json::String(problem.message));
      list.Append(std::move(item));
    }
    error.Set("problems", std::move(list));
  }
  Json body = Json::MakeObject();
  body.Set("error", std::move(error));
  return body;
}

HttpResponse JsonErrorResponse(int status, const std::string& message,
                               const std::vector<JsonProblem>& problems) {
  return JsonResponse(status, JsonErrorBody(status, message, problems));
}

}  // namespace duet::gateway
