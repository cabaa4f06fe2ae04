#include "gateway/fhir_api/fhir_rest_handler.h"

#include <algorithm>
#include <exception>

#include "fhir/search/search_query.h"
#include "gateway/fhir_api/bundle_builder.h"
#include "gateway/fhir_api/capability_statement.h"
#include "gateway/fhir_api/search_response.h"
#include "gateway/http/http_status.h"

namespace duet::gateway {
namespace {

using Kind = FhirRoute::Kind;

Status MethodNotAllowed(const std::string& method, const std::string& what,
                        const std::string& allowed) {
  return Status(StatusCode::kMethodNotAllowed,
                method + " is not allowed on " + what + "; allowed: " + allowed);
}

// Parameters that shape the response format, not the search.
bool IsFormatParameter(const std::string& name) { return name == "_format" || name == "_pretty"; }

// "json", "application/json", "application/fhir+json" (and their charset forms) are served.
bool IsJsonFormat(const std::string& value) {
  std::string media = value.substr(0, value.find(';'));
  return media == "json" || media == "application/json" || media == "application/fhir+json" ||
         media == "application/json+fhir";
}

Status CheckAcceptable(const HttpRequest& request) {
  for (const auto& [name, value] : request.query) {
    if (name == "_format" && !IsJsonFormat(value)) {
      return Status(StatusCode::kUnsupportedMediaType,
                    "_format '" + value + "' is not supported; this server speaks JSON only");
    }
  }
  const std::string* accept = request.headers.Find("Accept");
  if (accept != nullptr && accept->find("json") == std::string::npos &&
      accept->find("*/*") == std::string::npos &&
      accept->find("application/*") == std::string::npos) {
    return Status(
        StatusCode::kUnsupportedMediaType,
        "Accept '" + *accept + "' cannot be met; this server answers application/fhir+json");
  }
  return Status::Ok();
}

std::vector<std::pair<std::string, std::string>> SearchParams(
    const std::vector<std::pair<std::string, std::string>>& query) {
  std::vector<std::pair<std::string, std::string>> params;
  for (const auto& pair : query) {
    if (!IsFormatParameter(pair.first)) params.push_back(pair);
  }
  return params;
}

const std::string* FindHeader(const HttpRequest& request, std::string_view name) {
  return request.headers.Find(name);
}

}  // namespace

FhirRestHandler::FhirRestHandler(ResourceStore& store, const fhir::Validator& validator,
                                 FhirApiOptions options, const WriteRules* rules)
    : store_(store),
      intake_(validator),
      writer_(rules),
      options_(std::move(options)),
      bundles_(store, intake_, writer_, options_.max_bundle_entries) {}

HttpResponse FhirRestHandler::Handle(const HttpRequest& request) {
  ResponseFormat format;
  for (const auto& [name, value] : request.query) {
    if (name == "_pretty") format.pretty = value == "true";
  }
  try {
    std::string_view path = request.path;
    if (path.rfind(options_.mount_path, 0) == 0) path.remove_prefix(options_.mount_path.size());
    auto route = ParseFhirRoute(path);
    if (!route.ok()) return ErrorResponse(route.status(), format);
    Status acceptable = CheckAcceptable(request);
    if (!acceptable.ok()) {
      HttpResponse response = ErrorResponse(acceptable, format);
      response.status = 406;
      return response;
    }
    std::string fhir_base = options_.public_fhir_base.empty()
                                ? request.base_url + options_.mount_path
                                : options_.public_fhir_base;
    Call call{request, *route, fhir_base, format};
    return Dispatch(call);
  } catch (const std::exception& e) {
    return ErrorResponse(InternalError(std::string("unexpected failure: ") + e.what()), format);
  }
}

HttpResponse FhirRestHandler::Failure(int status, const std::string& path,
                                      const std::string& message) const {
  return FailureResponse(status, message);
}

HttpResponse FhirRestHandler::Dispatch(const Call& call) {
  const std::string& method = call.request.method;
  const FhirRoute& route = call.route;
  auto refuse = [&](const std::string& what, const std::string& allowed) {
    HttpResponse response = ErrorResponse(MethodNotAllowed(method, what, allowed), call.format);
    response.headers.Set("Allow", allowed);
    return response;
  };
  switch (route.kind) {
    case Kind::kMetadata:
      if (method == "GET") return Metadata(call);
      return refuse("/metadata", "GET");
    case Kind::kSystem:
      if (method == "POST") return ProcessBundle(call);
      return refuse("the FHIR base", "POST");
    case Kind::kSystemHistory:
    case Kind::kTypeHistory:
    case Kind::kInstanceHistory:
      if (method == "GET") return History(call);
      return refuse("a history", "GET");
    case Kind::kTypeSearch:
      if (method == "POST") {
        auto params = call.request.query;
        auto form = ParseQueryString(call.request.body);
        params.insert(params.end(), form.begin(), form.end());
        return Search(call, SearchParams(params));
      }
      return refuse("_search", "POST");
    case Kind::kType:
      if (method == "GET") return Search(call, SearchParams(call.request.query));
      if (method == "POST") return Create(call);
      if (method == "PUT") return ConditionalUpdate(call);
      if (method == "DELETE") return ConditionalDelete(call);
      return refuse(route.type, "GET, POST, PUT, DELETE");
    case Kind::kInstance:
      if (method == "GET") return Read(call);
      if (method == "PUT") return Update(call);
      if (method == "DELETE") return Delete(call);
      return refuse(route.type + "/" + route.id, "GET, PUT, DELETE");
    case Kind::kVersion:
      if (method == "GET") return VRead(call);
      return refuse("a version", "GET");
  }
  return ErrorResponse(NotFoundError("no such FHIR endpoint"), call.format);
}

HttpResponse FhirRestHandler::Metadata(const Call& call) {
  if (call.format.pretty) {
    CapabilityOptions options{options_.software_version, call.fhir_base};
    return JsonResponse(200, BuildCapabilityStatement(options), call.format);
  }
  HttpResponse response;
  response.headers.Set("Content-Type", kFhirJsonContentType);
  std::lock_guard<std::mutex> lock(metadata_mutex_);
  auto cached = metadata_by_base_.find(call.fhir_base);
  if (cached != metadata_by_base_.end()) {
    response.body = cached->second;
    return response;
  }
  CapabilityOptions options{options_.software_version, call.fhir_base};
  response.body = fhir::WriteJson(BuildCapabilityStatement(options));
  // The base comes from the client's Host header: keep only a few, so it cannot grow unbounded.
  constexpr size_t kMaxCachedBases = 8;
  if (metadata_by_base_.size() < kMaxCachedBases) metadata_by_base_[call.fhir_base] = response.body;
  return response;
}

HttpResponse FhirRestHandler::Read(const Call& call) {
  auto stored = store_.Read(call.route.type, call.route.id);
  if (!stored.ok()) return ErrorResponse(stored.status(), call.format);
  if (stored->deleted) {
    HttpResponse gone = ErrorResponse(
        GoneError(call.route.type + "/" + call.route.id + " was deleted"), call.format);
    AddVersionHeaders(*stored, call.fhir_base, false, gone.headers);
    return gone;
  }
  const std::string* none_match = FindHeader(call.request, "If-None-Match");
  if (none_match != nullptr && *none_match == WeakETag(stored->version_id)) {
    HttpResponse not_modified;
    not_modified.status = 304;
    AddVersionHeaders(*stored, call.fhir_base, false, not_modified.headers);
    return not_modified;
  }
  return ResourceResponse(*stored, 200, call.fhir_base, false, ReturnPreference::kRepresentation,
                          call.format);
}

HttpResponse FhirRestHandler::VRead(const Call& call) {
  auto stored = store_.ReadVersion(call.route.type, call.route.id, call.route.version);
  if (!stored.ok()) return ErrorResponse(stored.status(), call.format);
  if (stored->deleted) {
    return ErrorResponse(GoneError(call.route.type + "/" + call.route.id + " version " +
                                   std::to_string(call.route.version) + " is a deletion"),
                         call.format);
  }
  return ResourceResponse(*stored, 200, call.fhir_base, false, ReturnPreference::kRepresentation,
                          call.format);
}

template <typename WriteFn>
InteractionResult FhirRestHandler::InTransaction(WriteFn&& write) {
  auto tx = store_.BeginWrite();
  if (!tx.ok()) return InteractionResult::Failure(tx.status());
  InteractionResult result = write(**tx);
  if (!result.ok()) return result;
  Status committed = (*tx)->Commit();
  if (!committed.ok()) return InteractionResult::Failure(committed);
  return result;
}

HttpResponse FhirRestHandler::WriteResponse(const Call& call, const InteractionResult& result) {
  if (!result.ok()) {
    if (!result.issues.empty())
      return IssuesResponse(result.http_status, result.issues, call.format);
    return ErrorResponse(result.status, call.format);
  }
  if (!result.resource || result.resource->deleted || result.http_status == 204) {
    HttpResponse response;
    response.status = 204;
    if (result.resource) {
      response.headers.Set("ETag", WeakETag(result.resource->version_id));
    }
    return response;
  }
  return ResourceResponse(*result.resource, result.http_status, call.fhir_base,
                          result.http_status == 201, ParseReturnPreference(call.request),
                          call.format);
}

StatusOr<fhir::Json> FhirRestHandler::IntakeBody(const Call& call, HttpResponse& failure) {
  Status content_type = ResourceIntake::CheckContentType(call.request);
  if (!content_type.ok()) {
    failure = ErrorResponse(content_type, call.format);
    return content_type;
  }
  auto parsed = ResourceIntake::Parse(call.request.body);
  if (!parsed.ok()) {
    failure = ErrorResponse(parsed.status(), call.format);
    return parsed.status();
  }
  InteractionResult checked = intake_.Check(*parsed, call.route.type);
  if (!checked.ok()) {
    failure = WriteResponse(call, checked);
    return checked.status;
  }
  return parsed;
}

HttpResponse FhirRestHandler::Create(const Call& call) {
  HttpResponse failure;
  auto resource = IntakeBody(call, failure);
  if (!resource.ok()) return failure;
  const std::string* if_none_exist = FindHeader(call.request, "If-None-Exist");
  std::string condition = if_none_exist ? *if_none_exist : "";
  if (condition.rfind("?", 0) == 0) condition.erase(0, 1);
  InteractionResult result = InTransaction([&](WriteTransaction& tx) {
    return writer_.Create(tx, call.route.type, std::move(*resource), condition);
  });
  return WriteResponse(call, result);
}

HttpResponse FhirRestHandler::Update(const Call& call) {
  HttpResponse failure;
  auto resource = IntakeBody(call, failure);
  if (!resource.ok()) return failure;
  std::optional<int64_t> if_match;
  if (const std::string* header = FindHeader(call.request, "If-Match")) {
    auto version = ParseETagVersion(*header);
    if (!version.ok()) return ErrorResponse(version.status(), call.format);
    if_match = *version;
  }
  InteractionResult result = InTransaction([&](WriteTransaction& tx) {
    return writer_.Update(tx, call.route.type, call.route.id, std::move(*resource), if_match);
  });
  return WriteResponse(call, result);
}

HttpResponse FhirRestHandler::ConditionalUpdate(const Call& call) {
  auto params = SearchParams(call.request.query);
  if (params.empty()) {
    return ErrorResponse(
        MethodNotAllowed("PUT", call.route.type, "PUT with search criteria, or PUT Type/id"),
        call.format);
  }
  HttpResponse failure;
  auto resource = IntakeBody(call, failure);
  if (!resource.ok()) return failure;
  std::string query;
  for (const auto& [name, value] : params) {
    if (!query.empty()) query += '&';
    query += PercentEncode(name) + "=" + PercentEncode(value);
  }
  InteractionResult result = InTransaction([&](WriteTransaction& tx) {
    return writer_.ConditionalUpdate(tx, call.route.type, query, std::move(*resource));
  });
  return WriteResponse(call, result);
}

HttpResponse FhirRestHandler::Delete(const Call& call) {
  std::optional<int64_t> if_match;
  if (const std::string* header = FindHeader(call.request, "If-Match")) {
    auto version = ParseETagVersion(*header);
    if (!version.ok()) return ErrorResponse(version.status(), call.format);
    if_match = *version;
  }
  InteractionResult result = InTransaction([&](WriteTransaction& tx) {
    return writer_.Delete(tx, call.route.type, call.route.id, if_match);
  });
  return WriteResponse(call, result);
}

HttpResponse FhirRestHandler::ConditionalDelete(const Call& call) {
  auto params = SearchParams(call.request.query);
  if (params.empty()) {
    return ErrorResponse(MethodNotAllowed("DELETE", call.route.type,
                                          "DELETE with search criteria, or DELETE Type/id"),
                         call.format);
  }
  std::string query;
  for (const auto& [name, value] : params) {
    if (!query.empty()) query += '&';
    query += PercentEncode(name) + "=" + PercentEncode(value);
  }
  InteractionResult result = InTransaction(
      [&](WriteTransaction& tx) { return writer_.ConditionalDelete(tx, call.route.type, query); });
  return WriteResponse(call, result);
}

HttpResponse FhirRestHandler::Search(
    const Call& call, const std::vector<std::pair<std::string, std::string>>& params) {
  fhir::SearchParseOptions options;
  options.default_count = options_.default_page_size;
  options.max_count = options_.max_page_size;
  const std::string* prefer = FindHeader(call.request, "Prefer");
  options.strict = prefer == nullptr || prefer->find("handling=lenient") == std::string::npos;
  auto query = fhir::ParseSearchQuery(call.route.type, params, options);
  if (!query.ok()) return ErrorResponse(query.status(), call.format);
  auto result = store_.Search(*query);
  if (!result.ok()) return ErrorResponse(result.status(), call.format);
  return SearchResponse(*query, *result, call.fhir_base, call.format);
}

HttpResponse FhirRestHandler::History(const Call& call) {
  HistoryQuery query;
  query.type = call.route.type;
  query.id = call.route.id;
  query.count = options_.default_page_size;
  for (const auto& [name, value] : call.request.query) {
    if (IsFormatParameter(name)) continue;
    if (name == "_since") {
      query.since = value;
    } else if (name == "_count") {
      char* end = nullptr;
      long count = std::strtol(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0' || count < 0) {
        return ErrorResponse(
            InvalidArgumentError("_count '" + value + "' is not a non-negative integer"),
            call.format);
      }
      query.count = static_cast<int>(std::min<long>(count, options_.max_page_size));
    } else if (name == "_cursor") {
      query.cursor = value;
    } else {
      return ErrorResponse(InvalidArgumentError("history parameter '" + name +
                                                "' is not supported (use _since, _count)"),
                           call.format);
    }
  }
  if (!call.route.id.empty()) {
    auto current = store_.Read(call.route.type, call.route.id);
    if (!current.ok()) return ErrorResponse(current.status(), call.format);
  }
  auto page = store_.History(query);
  if (!page.ok()) return ErrorResponse(page.status(), call.format);
  std::string self = call.fhir_base;
  if (!query.type.empty()) self += "/" + query.type;
  if (!query.id.empty()) self += "/" + query.id;
  self += "/_history";
  return HistoryResponse(query, *page, self, call.fhir_base, call.format);
}

HttpResponse FhirRestHandler::ProcessBundle(const Call& call) {
  Status content_type = ResourceIntake::CheckContentType(call.request);
  if (!content_type.ok()) return ErrorResponse(content_type, call.format);
  auto bundle = ResourceIntake::Parse(call.request.body);
  if (!bundle.ok()) return ErrorResponse(bundle.status(), call.format);
  if (bundle->StringOr("resourceType") != "Bundle") {
    return ErrorResponse(InvalidArgumentError("a POST to the FHIR base takes a Bundle of type "
                                              "batch or transaction"),
                         call.format);
  }
  BundleProcessor::Context context{call.request, options_.mount_path, call.fhir_base, call.format,
                                   [this](const HttpRequest& sub) { return Handle(sub); }};
  return bundles_.Process(*bundle, context);
}

}  // namespace duet::gateway
