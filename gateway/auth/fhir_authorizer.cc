#include "gateway/auth/fhir_authorizer.h"

#include "fhir/json.h"
#include "gateway/auth/partner_scope.h"
#include "gateway/fhir_api/fhir_response.h"
#include "gateway/fhir_api/fhir_route.h"
#include "gateway/workflow/workflow_support.h"

namespace duet::gateway {
namespace {

using fhir::Json;
using Kind = FhirRoute::Kind;

struct Need {
  std::string type;  // "*" for system-wide interactions
  Permission permission = kRead;
};

const char* Name(Permission permission) {
  switch (permission) {
    case kCreate: return "create (c)";
    case kRead: return "read (r)";
    case kUpdate: return "update (u)";
    case kDelete: return "delete (d)";
    case kSearch: return "search (s)";
  }
  return "?";
}

// What a single (non-Bundle) interaction needs; nullopt when the route is not one.
std::optional<Need> NeedFor(const std::string& method, const FhirRoute& route) {
  bool get = method == "GET" || method == "HEAD";
  switch (route.kind) {
    case Kind::kMetadata: return std::nullopt;
    case Kind::kSystem:
      return Need{"*", kSearch};  // system search (a Bundle POST is handled apart)
    case Kind::kSystemHistory: return Need{"*", kSearch};
    case Kind::kTypeHistory:
    case Kind::kInstanceHistory:
    case Kind::kTypeSearch: return Need{route.type, kSearch};
    case Kind::kVersion: return Need{route.type, kRead};
    case Kind::kType:
      if (get) return Need{route.type, kSearch};
      if (method == "POST") return Need{route.type, kCreate};
      if (method == "PUT" || method == "PATCH") return Need{route.type, kUpdate};
      return Need{route.type, kDelete};
    case Kind::kInstance:
      if (get) return Need{route.type, kRead};
      if (method == "DELETE") return Need{route.type, kDelete};
      return Need{route.type, kUpdate};
  }
  return std::nullopt;
}

constexpr char kAuditRefusal[] =
    "AuditEvents are not served on the FHIR API; admins read them at /admin/v1/audit";

bool Allowed(const Principal& principal, const Need& need) {
  if (need.type == "AuditEvent") return false;  // whatever the scopes say
  if (need.type == "*") {
    for (const Scope& scope : principal.scopes) {
      if (scope.resource_type == "*" && (scope.permissions & need.permission) != 0) return true;
    }
    return false;
  }
  return Permits(principal.scopes, need.type, need.permission);
}

std::string Describe(const Need& need) {
  if (need.type == "AuditEvent") return kAuditRefusal;
  return "the token does not allow " + std::string(Name(need.permission)) + " on " +
         (need.type == "*" ? std::string("all types (system/*)") : need.type);
}

// The path of an entry's request.url, relative to the FHIR base ("CarePlan?x" → "/CarePlan").
std::string EntryPath(std::string_view url, const std::string& mount_path) {
  url = url.substr(0, url.find('?'));
  size_t mounted = url.find(mount_path + "/");
  if (mounted != std::string_view::npos) url = url.substr(mounted + mount_path.size());
  if (!url.empty() && url.front() != '/') return "/" + std::string(url);
  return std::string(url);
}

HttpResponse NotFound(const std::string& type, const std::string& id) {
  return ErrorResponse(NotFoundError(type + "/" + id + " does not exist"));
}

}  // namespace

StatusOr<HttpResponse> FhirAuthorizer::FilterRead(const HttpRequest& request,
                                                  const FhirRoute& route, HttpResponse response,
                                                  PatientAccess& access) {
  // Searches and histories answer Bundles the store filtered entry by entry before the handler
  // counted and paged them (PartnerVisibleStore); parsing them again here would repeat that.
  if (route.kind != Kind::kInstance && route.kind != Kind::kVersion) return response;
  const std::string* etag = response.headers.Find("ETag");
  if (etag != nullptr) {
    // One version of one resource, read with one query: decided once (patient_access.h).
    std::string key = route.type + "/" + route.id + "/" + *etag + "?" + request.raw_query;
    DUET_ASSIGN_OR_RETURN(bool visible, access.MaySeeText(key, response.body));
    if (visible) return response;
    return NotFound(route.type, route.id);
  }
  auto body = fhir::ParseJson(response.body);
  if (!body.ok()) return response;  // not JSON: nothing of a patient's
  bool visible = body->StringOr("resourceType") != "AuditEvent";
  if (visible) {
    DUET_ASSIGN_OR_RETURN(visible, access.MaySee(*body));
  }
  if (visible) return response;
  return NotFound(std::string(body->StringOr("resourceType")), std::string(body->StringOr("id")));
}

FhirAuthorizer::FhirAuthorizer(std::shared_ptr<HttpHandler> fhir_api, ResourceStore& store,
                               const AccessTokens& tokens, std::function<int64_t()> clock,
                               std::string mount_path)
    : fhir_api_(std::move(fhir_api)),
      tokens_(tokens),
      access_(store),
      clock_(std::move(clock)),
      mount_path_(std::move(mount_path)) {}

HttpResponse FhirAuthorizer::Failure(int status, const std::string& path,
                                     const std::string& message) const {
  return fhir_api_->Failure(status, path, message);
}

std::string FhirAuthorizer::Refusal(const HttpRequest& request, const FhirRoute& route,
                                    const Json* body, const Principal& principal) const {
  if (route.kind == Kind::kSystem && request.method == "POST") {
    const Json* entries = body == nullptr ? nullptr : body->Find("entry");
    if (entries == nullptr || !entries->is_array()) return "";  // the FHIR API explains
    for (const Json& entry : entries->items()) {
      const Json* call = entry.Find("request");
      if (call == nullptr) continue;
      auto entry_route = ParseFhirRoute(EntryPath(call->StringOr("url"), mount_path_));
      if (!entry_route.ok()) continue;
      auto need = NeedFor(std::string(call->StringOr("method")), *entry_route);
      if (need && !Allowed(principal, *need)) return Describe(*need);
    }
    return "";
  }
  auto need = NeedFor(request.method, route);
  if (need && !Allowed(principal, *need)) return Describe(*need);
  return "";
}

HttpResponse FhirAuthorizer::Handle(const HttpRequest& request) {
  auto route = ParseFhirRoute(std::string_view(request.path).substr(mount_path_.size()));
  if (route.ok() && route->kind == Kind::kMetadata) return fhir_api_->Handle(request);
  std::string token = BearerToken(request);
  std::shared_ptr<const Principal> principal =
      token.empty() ? nullptr : tokens_.Find(token, clock_());
  if (principal == nullptr) {
    HttpResponse response = ErrorResponse(UnauthenticatedError(
        token.empty() ? "this FHIR API needs a bearer token from the SMART token endpoint"
                      : "the bearer token is unknown or has expired; ask for a new one"));
    response.headers.Set(
        "WWW-Authenticate",
        token.empty() ? "Bearer realm=\"duet\"" : "Bearer realm=\"duet\", error=\"invalid_token\"");
    return response;
  }
  if (!route.ok()) return fhir_api_->Handle(request);  // it answers 404/400 for what is no route
  bool read =
      request.method == "GET" || request.method == "HEAD" || route->kind == Kind::kTypeSearch;
  // A batch or transaction body is parsed for the scope each entry needs.
  std::optional<Json> body;
  if (!read && !request.body.empty()) {
    if (auto parsed = fhir::ParseJson(request.body); parsed.ok()) body = std::move(*parsed);
  }
  const Json* written = body ? &*body : nullptr;
  if (std::string refusal = Refusal(request, *route, written, *principal); !refusal.empty()) {
    HttpResponse response = ErrorResponse(PermissionDeniedError(refusal));
    response.headers.Set("WWW-Authenticate", "Bearer realm=\"duet\", error=\"insufficient_scope\"");
    return response;
  }
  auto access = access_.For(principal->organization_npi);
  if (!access.ok()) return ErrorResponse(access.status());
  // Whatever the FHIR API reads or changes for this request is filtered (PartnerVisibleStore).
  PartnerScope scope(access->get());
  if (!read) return fhir_api_->Handle(request);
  HttpResponse response = fhir_api_->Handle(request);
  if (response.status != 200 || response.body.empty()) return response;
  auto filtered = FilterRead(request, *route, std::move(response), **access);
  if (!filtered.ok()) return ErrorResponse(filtered.status());
  return std::move(*filtered);
}

}  // namespace duet::gateway
