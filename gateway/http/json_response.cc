#include "gateway/http/json_response.h"

namespace duet::gateway {

using fhir::Json;

HttpResponse JsonResponse(int status, const Json& body) {
  HttpResponse response;
  response.status = status;
  response.headers.Set("Content-Type", "application/json");
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
      item.Set("pointer", Json::String(problem.pointer));
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
