#include "gateway/fhir_api/bundle_builder.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <random>

namespace duet::gateway {

BundleBuilder::BundleBuilder(std::string type) : type_(std::move(type)) {}

void BundleBuilder::AddLink(std::string relation, std::string url) {
  links_.emplace_back(std::move(relation), std::move(url));
}

void BundleBuilder::AddEntry(fhir::Json entry, std::string resource_json) {
  entries_.emplace_back(std::move(entry), std::move(resource_json));
}

std::string BundleBuilder::Build(bool pretty) const {
  fhir::Json head = fhir::Json::MakeObject();
  head.Set("resourceType", fhir::Json::String("Bundle"));
  head.Set("id", fhir::Json::String(NewRandomId()));
  fhir::Json meta = fhir::Json::MakeObject();
  meta.Set("lastUpdated", fhir::Json::String(NowInstant()));
  head.Set("meta", std::move(meta));
  head.Set("type", fhir::Json::String(type_));
  if (total_) head.Set("total", fhir::Json::Integer(*total_));
  if (!links_.empty()) {
    fhir::Json links = fhir::Json::MakeArray();
    for (const auto& [relation, url] : links_) {
      fhir::Json link = fhir::Json::MakeObject();
      link.Set("relation", fhir::Json::String(relation));
      link.Set("url", fhir::Json::String(url));
      links.Append(std::move(link));
    }
    head.Set("link", std::move(links));
  }
  std::string text = fhir::WriteJson(head);
  if (!entries_.empty()) {
    text.pop_back();  // the closing brace
    text += ",\"entry\":[";
    bool first = true;
    for (const auto& [entry, resource] : entries_) {
      if (!first) text += ',';
      first = false;
      std::string entry_text = fhir::WriteJson(entry);
      if (!resource.empty()) {
        entry_text.pop_back();
        if (entry_text.size() > 1) entry_text += ',';
        entry_text += "\"resource\":";
        entry_text += resource;
        entry_text += '}';
      }
      text += entry_text;
    }
    text += "]}";
  }
  if (!pretty) return text;
  auto parsed = fhir::ParseJson(text);
  return parsed.ok() ? fhir::WriteJson(*parsed, true) : text;
}

std::string NewRandomId() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  char buffer[33];
  std::snprintf(buffer, sizeof(buffer), "%016llx%016llx", static_cast<unsigned long long>(engine()),
                static_cast<unsigned long long>(engine()));
  return buffer;
}

std::string NowInstant() {
  auto now = std::chrono::system_clock::now();
  auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  time_t seconds = static_cast<time_t>(millis / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(millis % 1000));
  return buffer;
}

}  // namespace duet::gateway
