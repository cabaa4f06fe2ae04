#include "gateway/fhir_api/search_response.h"

#include <algorithm>

#include "gateway/fhir_api/bundle_builder.h"
#include "gateway/http/http_status.h"

namespace duet::gateway {
namespace {

using fhir::Json;

std::string EncodeParams(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string query;
  for (const auto& [name, value] : params) {
    if (!query.empty()) query += '&';
    query += PercentEncode(name);
    query += '=';
    query += PercentEncode(value);
  }
  return query;
}

std::string WithQuery(const std::string& url, const std::string& query) {
  return query.empty() ? url : url + "?" + query;
}

std::string AppendParam(const std::string& query, const std::string& name,
                        const std::string& value) {
  std::string param = PercentEncode(name) + "=" + PercentEncode(value);
  return query.empty() ? param : query + "&" + param;
}

Json SearchEntry(const StoredResource& resource, const std::string& fhir_base, const char* mode) {
  Json entry = Json::MakeObject();
  entry.Set("fullUrl", Json::String(fhir_base + "/" + resource.type + "/" + resource.id));
  Json search = Json::MakeObject();
  search.Set("mode", Json::String(mode));
  entry.Set("search", std::move(search));
  return entry;
}

Json HistoryRequest(const StoredResource& version) {
  Json request = Json::MakeObject();
  std::string method = version.method.empty() ? "PUT" : version.method;
  request.Set("method", Json::String(method));
  request.Set("url",
              Json::String(method == "POST" ? version.type : version.type + "/" + version.id));
  return request;
}

Json HistoryResponseMember(const StoredResource& version) {
  Json response = Json::MakeObject();
  int status = version.deleted ? 204 : version.version_id == 1 ? 201 : 200;
  response.Set("status", Json::String(HttpStatusLine(status)));
  response.Set("etag", Json::String(WeakETag(version.version_id)));
  response.Set("lastModified", Json::String(version.last_updated));
  return response;
}

}  // namespace

HttpResponse BundleHttpResponse(const BundleBuilder& bundle, const ResponseFormat& format) {
  HttpResponse response;
  response.status = 200;
  response.headers.Set("Content-Type", kFhirJsonContentType);
  response.body = bundle.Build(format.pretty);
  return response;
}

std::string FilterElements(const std::string& resource_json,
                           const std::vector<std::string>& elements) {
  auto parsed = fhir::ParseJson(resource_json);
  if (!parsed.ok() || !parsed->is_object()) return resource_json;
  Json filtered = Json::MakeObject();
  for (const auto& [name, value] : parsed->members()) {
    bool wanted = name == "resourceType" || name == "id" || name == "meta" ||
                  std::find(elements.begin(), elements.end(), name) != elements.end() ||
                  (name.size() > 1 && name[0] == '_' &&
                   std::find(elements.begin(), elements.end(), name.substr(1)) != elements.end());
    if (wanted) filtered.Set(name, value);
  }
  Json* meta = filtered.Find("meta");
  if (meta == nullptr) meta = &filtered.Set("meta", Json::MakeObject());
  Json* tags = meta->Find("tag");
  if (tags == nullptr || !tags->is_array()) tags = &meta->Set("tag", Json::MakeArray());
  Json tag = Json::MakeObject();
  tag.Set("system", Json::String("http://terminology.hl7.org/CodeSystem/v3-ObservationValue"));
  tag.Set("code", Json::String("SUBSETTED"));
  tag.Set("display", Json::String("subsetted"));
  tags->Append(std::move(tag));
  return fhir::WriteJson(filtered);
}

HttpResponse SearchResponse(const fhir::SearchQuery& query, const SearchResult& result,
                            const std::string& fhir_base, const ResponseFormat& format) {
  BundleBuilder bundle("searchset");
  if (result.total) bundle.SetTotal(*result.total);
  std::string type_url = fhir_base + "/" + query.resource_type;
  std::string params = EncodeParams(query.source_params);
  bundle.AddLink("self", WithQuery(type_url, params));
  if (!query.summary_count) {
    if (!result.next_cursor.empty()) {
      bundle.AddLink("next",
                     WithQuery(type_url, AppendParam(params, "_cursor", result.next_cursor)));
    }
    for (const StoredResource& match : result.matches) {
      bundle.AddEntry(
          SearchEntry(match, fhir_base, "match"),
          query.elements.empty() ? match.json : FilterElements(match.json, query.elements));
    }
    for (const StoredResource& included : result.included) {
      bundle.AddEntry(SearchEntry(included, fhir_base, "include"), included.json);
    }
  }
  return BundleHttpResponse(bundle, format);
}

HttpResponse HistoryResponse(const HistoryQuery& query, const HistoryPage& page,
                             const std::string& self_url, const std::string& fhir_base,
                             const ResponseFormat& format) {
  BundleBuilder bundle("history");
  if (page.total >= 0) bundle.SetTotal(page.total);
  std::vector<std::pair<std::string, std::string>> params;
  if (!query.since.empty()) params.emplace_back("_since", query.since);
  params.emplace_back("_count", std::to_string(query.count));
  std::string encoded = EncodeParams(params);
  bundle.AddLink("self", WithQuery(self_url, query.cursor.empty()
                                                 ? encoded
                                                 : AppendParam(encoded, "_cursor", query.cursor)));
  if (!page.next_cursor.empty()) {
    bundle.AddLink("next", WithQuery(self_url, AppendParam(encoded, "_cursor", page.next_cursor)));
  }
  for (const StoredResource& version : page.versions) {
    Json entry = Json::MakeObject();
    entry.Set("fullUrl", Json::String(fhir_base + "/" + version.type + "/" + version.id));
    entry.Set("request", HistoryRequest(version));
    entry.Set("response", HistoryResponseMember(version));
    bundle.AddEntry(std::move(entry), version.deleted ? "" : version.json);
  }
  return BundleHttpResponse(bundle, format);
}

}  // namespace duet::gateway
