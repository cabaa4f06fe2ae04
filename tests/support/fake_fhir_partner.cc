#include "tests/support/fake_fhir_partner.h"

#include <cstdio>
#include <cstdlib>

namespace duet::test {
namespace {

using fhir::Json;

// "%7C" → "|" and so on.
std::string Decode(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      out += static_cast<char>(std::strtol(text.substr(i + 1, 2).c_str(), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

ScriptedResponse Outcome(int status, const std::string& diagnostics) {
  return ScriptedResponse::Fhir(
      status,
      R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"processing","diagnostics":")" +
          diagnostics + R"("}]})");
}

std::string VersionOf(const Json& resource) {
  return std::string(resource.Find("meta")->StringOr("versionId"));
}

ScriptedResponse WithETag(const Json& resource, int status = 200) {
  return ScriptedResponse::Fhir(status, fhir::WriteJson(resource),
                                {{"ETag", "W/\"" + VersionOf(resource) + "\""}});
}

Json Searchset(const std::vector<Json>& entries) {
  Json list = Json::MakeArray();
  for (const Json& entry : entries) list.Append(entry);
  Json bundle = Json::MakeObject();
  bundle.Set("resourceType", Json::String("Bundle"));
  bundle.Set("type", Json::String("searchset"));
  bundle.Set("entry", std::move(list));
  return bundle;
}

}  // namespace

FakeFhirPartner::FakeFhirPartner()
    : server_(std::make_unique<ScriptedHttpsServer>(
          [this](const ScriptedRequest& request) { return Answer(request); })) {}

FakeFhirPartner::~FakeFhirPartner() { server_->Stop(); }

Status FakeFhirPartner::Start() { return server_->Start(); }

std::string FakeFhirPartner::base_url() const { return server_->base_url() + "/fhir"; }

std::string FakeFhirPartner::StoreLocked(Json resource) {
  char version[40];  // UUIDs, as Medplum's versionIds
  std::snprintf(version, sizeof version, "5e1d0c3a-7b2f-4c6e-9a8d-%012d", ++versions_);
  Json meta = Json::MakeObject();
  meta.Set("versionId", Json::String(std::string(version)));
  char updated[32];  // a later instant for each new version
  std::snprintf(updated, sizeof updated, "2025-01-10T12:%02d:%02d.000Z", versions_ / 60 % 60,
                versions_ % 60);
  meta.Set("lastUpdated", Json::String(std::string(updated)));
  resource.Set("meta", std::move(meta));
  resources_[std::string(resource.StringOr("resourceType")) + "/" +
             std::string(resource.StringOr("id"))] = std::move(resource);
  return version;
}

std::string FakeFhirPartner::Store(Json resource) {
  std::lock_guard<std::mutex> lock(mutex_);
  return StoreLocked(std::move(resource));
}

Json FakeFhirPartner::Resource(const std::string& type, const std::string& id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto found = resources_.find(type + "/" + id);
  return found == resources_.end() ? Json() : found->second;
}

void FakeFhirPartner::ServeSearchset(const Json& searchset) {
  std::lock_guard<std::mutex> lock(mutex_);
  pages_.clear();
  for (const Json& entry : searchset.Find("entry")->items()) {
    const Json& resource = *entry.Find("resource");
    resources_[std::string(resource.StringOr("resourceType")) + "/" +
               std::string(resource.StringOr("id"))] = resource;
    if (entry.Find("search")->StringOr("mode") == "match" || pages_.empty()) pages_.emplace_back();
    pages_.back().push_back(entry);
  }
}

void FakeFhirPartner::AnswerNext(ScriptedResponse answer) {
  std::lock_guard<std::mutex> lock(mutex_);
  next_answers_.push_back(std::move(answer));
}

void FakeFhirPartner::HoldPageOnce(size_t page, std::chrono::milliseconds delay) {
  std::lock_guard<std::mutex> lock(mutex_);
  held_page_ = page;
  hold_ = delay;
}

void FakeFhirPartner::ListLastUpdated(bool listed) {
  std::lock_guard<std::mutex> lock(mutex_);
  list_last_updated_ = listed;
}

std::vector<ScriptedRequest> FakeFhirPartner::requests() const { return server_->requests(); }

std::vector<ScriptedRequest> FakeFhirPartner::requests(const std::string& method) const {
  std::vector<ScriptedRequest> matching;
  for (ScriptedRequest& request : server_->requests()) {
    if (request.method == method) matching.push_back(std::move(request));
  }
  return matching;
}

ScriptedResponse FakeFhirPartner::Read(const std::string& key) const {
  auto found = resources_.find(key);
  if (found == resources_.end()) return Outcome(404, key + " is not known");
  return WithETag(found->second);
}

ScriptedResponse FakeFhirPartner::Update(const std::string& key, const ScriptedRequest& request) {
  auto found = resources_.find(key);
  if (found == resources_.end()) return Outcome(404, key + " is not known");
  const std::string* if_match = request.Header("If-Match");
  std::string current = "W/\"" + VersionOf(found->second) + "\"";
  if (if_match == nullptr || *if_match != current) {
    return Outcome(412, "version conflict: " + key + " is at " + current);
  }
  auto body = fhir::ParseJson(request.body);
  if (!body.ok()) return Outcome(400, "not JSON");
  StoreLocked(std::move(*body));
  return WithETag(resources_[key]);
}

ScriptedResponse FakeFhirPartner::SearchTasks(const std::string& query) const {
  std::string wanted = Decode(query.substr(query.find("identifier=") + 11));
  std::vector<Json> entries;
  for (const auto& [key, resource] : resources_) {
    if (key.rfind("Task/", 0) != 0) continue;
    for (const Json& identifier : resource.Find("identifier")->items()) {
      if (std::string(identifier.StringOr("system")) + "|" +
              std::string(identifier.StringOr("value")) ==
          wanted) {
        Json entry = Json::MakeObject();
        entry.Set("resource", resource);
        entries.push_back(std::move(entry));
      }
    }
  }
  return ScriptedResponse::Fhir(200, fhir::WriteJson(Searchset(entries)));
}

ScriptedResponse FakeFhirPartner::SearchPage(size_t page) const {
  std::vector<Json> entries;
  if (page < pages_.size()) {
    for (const Json& entry : pages_[page]) {
      const Json& resource = *entry.Find("resource");
      Json current = entry;
      current.Set("resource", resources_.at(std::string(resource.StringOr("resourceType")) + "/" +
                                            std::string(resource.StringOr("id"))));
      entries.push_back(std::move(current));
    }
  }
  Json bundle = Searchset(entries);
  if (page + 1 < pages_.size()) {
    Json link = Json::MakeObject();
    link.Set("relation", Json::String("next"));
    link.Set("url", Json::String(base_url() + "/ServiceRequest?page=" + std::to_string(page + 1)));
    bundle.Set("link", Json::MakeArray()).Append(std::move(link));
  }
  return ScriptedResponse::Fhir(200, fhir::WriteJson(bundle));
}

ScriptedResponse FakeFhirPartner::Answer(const ScriptedRequest& request) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!next_answers_.empty()) {
    ScriptedResponse answer = next_answers_.front();
    next_answers_.erase(next_answers_.begin());
    return answer;
  }
  std::string path = request.path();
  std::string query = request.target.substr(path.size());
  if (path == "/fhir/metadata") {
    std::string params = list_last_updated_ ? R"([{"name":"_lastUpdated","type":"date"}])" : "[]";
    return ScriptedResponse::Fhir(
        200,
        R"({"resourceType":"CapabilityStatement","status":"active","kind":"instance","fhirVersion":"4.0.1","format":["json"],"rest":[{"mode":"server","resource":[{"type":"ServiceRequest","searchParam":)" +
            params + R"(}]}]})");
  }
  if (path == "/fhir/ServiceRequest") {
    size_t at = query.find("page=");
    size_t page = at == std::string::npos ? 0 : std::stoul(query.substr(at + 5));
    ScriptedResponse answer = SearchPage(page);
    if (page == held_page_) {
      answer.delay = hold_;
      held_page_ = SIZE_MAX;
    }
    return answer;
  }
  if (path == "/fhir/Task" && request.method == "GET") return SearchTasks(query);
  std::string key = path.substr(6);  // after "/fhir/"
  if (request.method == "GET") return Read(key);
  if (request.method == "PUT") return Update(key, request);
  return Outcome(405, request.method + " " + path + " is not supported here");
}

}  // namespace duet::test
