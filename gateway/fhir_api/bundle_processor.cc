#include "gateway/fhir_api/bundle_processor.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>

#include "fhir/search/search_parameters.h"
#include "gateway/fhir_api/bundle_builder.h"
#include "gateway/fhir_api/fhir_route.h"
#include "gateway/fhir_api/search_response.h"
#include "gateway/http/http_status.h"

namespace duet::gateway {

using fhir::Json;

struct BundleProcessor::Entry {
  size_t index = 0;
  Status problem;  // why the entry itself is malformed
  std::string method;
  std::string url;
  std::string path;   // "Patient/1" (no query)
  std::string query;  // after '?'
  FhirRoute route;
  std::string full_url;
  std::optional<Json> resource;
  std::string if_match;
  std::string if_none_exist;
  // Resolved while a transaction runs.
  std::string target_id;
  bool matched_existing = false;
  InteractionResult result;
  HttpResponse sub_response;

  std::string Label() const {
    return "Bundle.entry[" + std::to_string(index) + "] (" + method + " " + url + ")";
  }
  bool conditional() const { return route.kind == FhirRoute::Kind::kType && !query.empty(); }
};

namespace {

Status EntryError(size_t index, const std::string& message) {
  return InvalidArgumentError("Bundle.entry[" + std::to_string(index) + "]: " + message);
}

// Checks that the method fits the URL's shape.
Status CheckMethodAndRoute(const std::string& method, const FhirRoute& route,
                           const std::string& query) {
  using Kind = FhirRoute::Kind;
  bool fits = false;
  if (method == "GET") {
    fits = route.kind != Kind::kSystem;
  } else if (method == "POST") {
    fits = route.kind == Kind::kType;
  } else if (method == "PUT" || method == "DELETE") {
    fits = route.kind == Kind::kInstance || (route.kind == Kind::kType && !query.empty());
  } else {
    return Status(StatusCode::kMethodNotAllowed,
                  "request.method '" + method + "' is not supported in a Bundle");
  }
  if (fits) return Status::Ok();
  return Status(StatusCode::kMethodNotAllowed,
                "request.method " + method + " does not fit request.url");
}

// Replaces urn:uuid and conditional references by the "Type/id" they resolve to.
class ReferenceResolver {
 public:
  ReferenceResolver(const std::map<std::string, std::string>& resolved, WriteTransaction& tx,
                    const ResourceWriter& writer)
      : resolved_(resolved), tx_(tx), writer_(writer) {}

  Status Rewrite(Json& value, const std::string& path) {
    if (value.is_array()) {
      for (size_t i = 0; i < value.items().size(); ++i) {
        DUET_RETURN_IF_ERROR(Rewrite(value.items()[i], IndexPath(path, i)));
      }
    } else if (value.is_object()) {
      for (auto& [key, member] : value.members()) {
        std::string member_path = fhir::JoinPath(path, key);
        if (key == "reference" && member.is_string()) {
          DUET_RETURN_IF_ERROR(RewriteOne(member, member_path));
        } else {
          DUET_RETURN_IF_ERROR(Rewrite(member, member_path));
        }
      }
    }
    return Status::Ok();
  }

 private:
  static std::string IndexPath(const std::string& path, size_t i) {
    return fhir::IndexPath(path, i);
  }

  Status RewriteOne(Json& reference, const std::string& path) {
    const std::string& text = reference.string_value();
    auto found = resolved_.find(text);
    if (found != resolved_.end()) {
      reference = Json::String(found->second);
      return Status::Ok();
    }
    if (text.rfind("urn:uuid:", 0) == 0 || text.rfind("urn:oid:", 0) == 0) {
      return InvalidArgumentError(path + ": reference '" + text +
                                  "' names no entry of this transaction");
    }
    // A conditional reference is "Type?criteria"; the criteria may hold URLs themselves.
    size_t question = text.find('?');
    if (question == std::string::npos) return Status::Ok();
    std::string type = text.substr(0, question);
    if (type.empty() || !std::all_of(type.begin(), type.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) != 0;
        })) {
      return Status::Ok();  // an absolute URL with a query: not ours to resolve
    }
    if (!fhir::IsSupportedResourceType(type)) {
      return InvalidArgumentError(path + ": conditional reference '" + text +
                                  "' names an unsupported resource type");
    }
    auto ids = writer_.Match(tx_, type, text.substr(question + 1), 2);
    if (!ids.ok()) return ids.status().WithContext(path);
    if (ids->size() != 1) {
      return FailedPreconditionError(path + ": conditional reference '" + text + "' matches " +
                                     (ids->empty() ? "no" : "more than one") + " resource");
    }
    reference = Json::String(type + "/" + ids->front());
    return Status::Ok();
  }

  const std::map<std::string, std::string>& resolved_;
  WriteTransaction& tx_;
  const ResourceWriter& writer_;
};

Json ResponseEntry(const InteractionResult& result) {
  Json response = Json::MakeObject();
  response.Set("status", Json::String(HttpStatusLine(result.http_status)));
  if (result.resource && !result.resource->deleted) {
    const StoredResource& stored = *result.resource;
    response.Set("location", Json::String(stored.type + "/" + stored.id + "/_history/" +
                                          std::to_string(stored.version_id)));
    response.Set("etag", Json::String(WeakETag(stored.version_id)));
    response.Set("lastModified", Json::String(stored.last_updated));
  }
  Json entry = Json::MakeObject();
  entry.Set("response", std::move(response));
  return entry;
}

// Turns a sub-request's HTTP response into a Bundle entry (response, and resource or outcome).
// "https://host/fhir/Patient/1/_history/2" → "Patient/1/_history/2", as in transaction responses.
std::string RelativeLocation(const std::string& location, const std::string& fhir_base) {
  std::string prefix = fhir_base + "/";
  return location.rfind(prefix, 0) == 0 ? location.substr(prefix.size()) : location;
}

std::pair<Json, std::string> EntryFromHttp(const HttpResponse& http, const std::string& fhir_base) {
  Json response = Json::MakeObject();
  response.Set("status", Json::String(HttpStatusLine(http.status)));
  if (const std::string* location = http.headers.Find("Location")) {
    response.Set("location", Json::String(RelativeLocation(*location, fhir_base)));
  } else if (const std::string* content = http.headers.Find("Content-Location")) {
    if (http.status < 300) {
      response.Set("location", Json::String(RelativeLocation(*content, fhir_base)));
    }
  }
  if (const std::string* etag = http.headers.Find("ETag")) {
    response.Set("etag", Json::String(*etag));
  }
  std::string resource;
  if (!http.body.empty()) {
    auto parsed = fhir::ParseJson(http.body);
    if (parsed.ok() && http.status >= 400) {
      response.Set("outcome", std::move(*parsed));
    } else if (parsed.ok()) {
      if (const Json* meta = parsed->Find("meta")) {
        std::string_view updated = meta->StringOr("lastUpdated");
        if (!updated.empty()) response.Set("lastModified", Json::String(std::string(updated)));
      }
      resource = http.body;
    }
  }
  Json entry = Json::MakeObject();
  entry.Set("response", std::move(response));
  return {std::move(entry), std::move(resource)};
}

HttpResponse FailureResponse(const InteractionResult& result, const std::string& label,
                             const ResponseFormat& format) {
  if (!result.issues.empty()) {
    return IssuesResponse(result.http_status, result.issues, format);
  }
  return ErrorResponse(result.status.WithContext(label), format);
}

}  // namespace

BundleProcessor::BundleProcessor(ResourceStore& store, const ResourceIntake& intake,
                                 const ResourceWriter& writer, size_t max_entries)
    : store_(store), intake_(intake), writer_(writer), max_entries_(max_entries) {}

StatusOr<std::vector<BundleProcessor::Entry>> BundleProcessor::ReadEntries(const Json& bundle,
                                                                           const Context& context,
                                                                           bool transaction) const {
  std::vector<Entry> entries;
  const Json* list = bundle.Find("entry");
  if (list == nullptr) return entries;
  if (!list->is_array()) return InvalidArgumentError("Bundle.entry must be an array");
  if (list->items().size() > max_entries_) {
    return Status(StatusCode::kPayloadTooLarge,
                  "the Bundle has " + std::to_string(list->items().size()) + " entries; at most " +
                      std::to_string(max_entries_) + " are accepted");
  }
  std::set<std::string> full_urls;
  for (size_t i = 0; i < list->items().size(); ++i) {
    const Json& item = list->items()[i];
    Entry entry;
    entry.index = i;
    entry.full_url = std::string(item.StringOr("fullUrl"));
    if (transaction && !entry.full_url.empty() && !full_urls.insert(entry.full_url).second) {
      return EntryError(i, "fullUrl '" + entry.full_url + "' appears more than once");
    }
    const Json* request = item.Find("request");
    if (request == nullptr || !request->is_object()) {
      entry.problem = EntryError(i, "request is missing");
      entries.push_back(std::move(entry));
      continue;
    }
    entry.method = std::string(request->StringOr("method"));
    entry.url = std::string(request->StringOr("url"));
    entry.if_match = std::string(request->StringOr("ifMatch"));
    entry.if_none_exist = std::string(request->StringOr("ifNoneExist"));
    if (const Json* resource = item.Find("resource")) entry.resource = *resource;
    std::string url = entry.url;
    const std::string base_prefix = context.fhir_base + "/";
    if (url.rfind(base_prefix, 0) == 0) url = url.substr(base_prefix.size());
    if (url.substr(0, url.find('?')).find("://") != std::string::npos) {
      entry.problem = EntryError(i, "request.url '" + entry.url + "' is not on this server");
    } else if (entry.method.empty() || url.empty()) {
      entry.problem = EntryError(i, "request.method and request.url are required");
    } else {
      size_t question = url.find('?');
      entry.path = url.substr(0, question);
      if (question != std::string::npos) entry.query = url.substr(question + 1);
      auto route = ParseFhirRoute("/" + entry.path);
      if (!route.ok()) {
        entry.problem = route.status().WithContext("Bundle.entry[" + std::to_string(i) + "]");
      } else {
        entry.route = *route;
        Status fits = CheckMethodAndRoute(entry.method, entry.route, entry.query);
        if (!fits.ok()) entry.problem = fits.WithContext("Bundle.entry[" + std::to_string(i) + "]");
      }
    }
    bool needs_resource = entry.method == "POST" || entry.method == "PUT";
    if (entry.problem.ok() && needs_resource && !entry.resource) {
      entry.problem = EntryError(i, entry.method + " needs a resource");
    }
    if (transaction && !entry.problem.ok()) return entry.problem;
    entries.push_back(std::move(entry));
  }
  return entries;
}

HttpResponse BundleProcessor::Process(const Json& bundle, const Context& context) const {
  std::string_view type = bundle.StringOr("type");
  if (type != "batch" && type != "transaction") {
    return ErrorResponse(InvalidArgumentError("Bundle.type must be 'batch' or 'transaction' to be "
                                              "processed; got '" +
                                              std::string(type) + "'"),
                         context.format);
  }
  bool transaction = type == "transaction";
  auto entries = ReadEntries(bundle, context, transaction);
  if (!entries.ok()) return ErrorResponse(entries.status(), context.format);
  return transaction ? ProcessTransaction(*entries, context) : ProcessBatch(*entries, context);
}

HttpResponse BundleProcessor::ProcessBatch(std::vector<Entry>& entries,
                                           const Context& context) const {
  BundleBuilder response("batch-response");
  for (Entry& entry : entries) {
    HttpResponse http;
    if (!entry.problem.ok()) {
      http = ErrorResponse(entry.problem);
    } else {
      HttpRequest sub;
      sub.method = entry.method;
      sub.path = context.mount_path + "/" + entry.path;
      sub.raw_query = entry.query;
      sub.query = ParseQueryString(entry.query);
      sub.base_url = context.outer.base_url;
      sub.remote_address = context.outer.remote_address;
      sub.headers.Set("Content-Type", "application/fhir+json");
      if (const std::string* prefer = context.outer.headers.Find("Prefer")) {
        sub.headers.Set("Prefer", *prefer);
      }
      if (!entry.if_match.empty()) sub.headers.Set("If-Match", entry.if_match);
      if (!entry.if_none_exist.empty()) sub.headers.Set("If-None-Exist", entry.if_none_exist);
      if (entry.resource) sub.body = fhir::WriteJson(*entry.resource);
      http = context.sub_request(sub);
    }
    auto [json, resource] = EntryFromHttp(http, context.fhir_base);
    response.AddEntry(std::move(json), std::move(resource));
  }
  return BundleHttpResponse(response, context.format);
}

HttpResponse BundleProcessor::ProcessTransaction(std::vector<Entry>& entries,
                                                 const Context& context) const {
  for (Entry& entry : entries) {
    if (!entry.resource) continue;
    InteractionResult checked =
        intake_.Check(*entry.resource, entry.route.type,
                      "Bundle.entry[" + std::to_string(entry.index) + "].resource");
    if (!checked.ok()) return FailureResponse(checked, entry.Label(), context.format);
  }
  auto tx_or = store_.BeginWrite();
  if (!tx_or.ok()) return ErrorResponse(tx_or.status(), context.format);
  WriteTransaction& tx = **tx_or;

  // Identities first, so that references between entries can be resolved.
  std::map<std::string, std::string> resolved;
  std::set<std::string> targets;
  for (Entry& entry : entries) {
    const std::string& type = entry.route.type;
    if (entry.method == "POST") {
      if (!entry.if_none_exist.empty()) {
        auto ids = writer_.Match(tx, type, entry.if_none_exist, 2);
        if (!ids.ok())
          return ErrorResponse(ids.status().WithContext(entry.Label()), context.format);
        if (ids->size() > 1) {
          return ErrorResponse(FailedPreconditionError(entry.Label() +
                                                       ": ifNoneExist matches "
                                                       "more than one " +
                                                       type),
                               context.format);
        }
        if (ids->size() == 1) {
          entry.target_id = ids->front();
          entry.matched_existing = true;
        }
      }
      if (entry.target_id.empty()) entry.target_id = NewRandomId();
    } else if (entry.method == "PUT" && entry.conditional()) {
      auto ids = writer_.Match(tx, type, entry.query, 2);
      if (!ids.ok()) return ErrorResponse(ids.status().WithContext(entry.Label()), context.format);
      if (ids->size() > 1) {
        return ErrorResponse(FailedPreconditionError(entry.Label() +
                                                     ": the criteria match more "
                                                     "than one " +
                                                     type),
                             context.format);
      }
      std::string_view body_id = entry.resource->StringOr("id");
      entry.target_id = ids->size() == 1   ? ids->front()
                        : !body_id.empty() ? std::string(body_id)
                                           : NewRandomId();
      if (ids->size() == 1 && !body_id.empty() && body_id != entry.target_id) {
        return ErrorResponse(
            InvalidArgumentError(entry.Label() + ": the resource id '" + std::string(body_id) +
                                 "' differs from the "
                                 "matching resource's id '" +
                                 entry.target_id + "'"),
            context.format);
      }
    } else if (entry.method == "PUT") {
      entry.target_id = entry.route.id;
    }
    if (!entry.full_url.empty() && !entry.target_id.empty()) {
      resolved[entry.full_url] = entry.route.type + "/" + entry.target_id;
    }
    std::string target = entry.method == "DELETE" && !entry.conditional()
                             ? entry.route.type + "/" + entry.route.id
                             : entry.route.type + "/" + entry.target_id;
    bool writes = entry.method != "GET" && !(entry.method == "DELETE" && entry.conditional());
    if (writes && !targets.insert(target).second) {
      return ErrorResponse(ConflictError(entry.Label() + ": " + target +
                                         " is changed by more than one entry of the transaction"),
                           context.format);
    }
  }

  for (Entry& entry : entries) {
    if (!entry.resource) continue;
    ReferenceResolver resolver(resolved, tx, writer_);
    Status rewritten = resolver.Rewrite(
        *entry.resource, "Bundle.entry[" + std::to_string(entry.index) + "].resource");
    if (!rewritten.ok()) return ErrorResponse(rewritten, context.format);
  }

  for (const char* method : {"DELETE", "POST", "PUT"}) {
    for (Entry& entry : entries) {
      if (entry.method != method) continue;
      std::optional<int64_t> if_match;
      if (!entry.if_match.empty()) {
        auto version = ParseETagVersion(entry.if_match);
        if (!version.ok()) {
          return ErrorResponse(version.status().WithContext(entry.Label()), context.format);
        }
        if_match = *version;
      }
      const std::string& type = entry.route.type;
      if (entry.method == "DELETE") {
        entry.result = entry.conditional() ? writer_.ConditionalDelete(tx, type, entry.query)
                                           : writer_.Delete(tx, type, entry.route.id, if_match);
      } else if (entry.method == "POST" && entry.matched_existing) {
        auto existing = tx.Read(type, entry.target_id);
        entry.result = existing.ok() ? InteractionResult::Success(200, std::move(*existing))
                                     : InteractionResult::Failure(existing.status());
      } else if (entry.method == "POST") {
        entry.result = writer_.Create(tx, type, std::move(*entry.resource), "", entry.target_id);
      } else {
        entry.resource->Set("id", Json::String(entry.target_id));
        entry.result = writer_.Update(tx, type, entry.target_id, std::move(*entry.resource),
                                      entry.conditional() ? std::nullopt : if_match);
      }
      if (!entry.result.ok()) return FailureResponse(entry.result, entry.Label(), context.format);
    }
  }
  Status committed = tx.Commit();
  if (!committed.ok()) return ErrorResponse(committed, context.format);
  tx_or->reset();

  ReturnPreference preference = ParseReturnPreference(context.outer);
  BundleBuilder response("transaction-response");
  for (Entry& entry : entries) {
    if (entry.method == "GET") {
      HttpRequest sub;
      sub.method = "GET";
      sub.path = context.mount_path + "/" + entry.path;
      sub.raw_query = entry.query;
      sub.query = ParseQueryString(entry.query);
      sub.base_url = context.outer.base_url;
      auto [json, resource] = EntryFromHttp(context.sub_request(sub), context.fhir_base);
      response.AddEntry(std::move(json), std::move(resource));
      continue;
    }
    Json json = ResponseEntry(entry.result);
    std::string resource;
    if (entry.result.resource && !entry.result.resource->deleted) {
      const StoredResource& stored = *entry.result.resource;
      json.Set("fullUrl", Json::String(context.fhir_base + "/" + stored.type + "/" + stored.id));
      if (preference == ReturnPreference::kRepresentation) resource = stored.json;
    }
    response.AddEntry(std::move(json), std::move(resource));
  }
  return BundleHttpResponse(response, context.format);
}

}  // namespace duet::gateway
