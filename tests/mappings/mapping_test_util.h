// Helpers shared by the mapping tests: reading PRF fixtures, the test MappingContext, FHIR
// validation of everything a mapper emits, and a simulated server that stores a transaction
// Bundle (assigns ids, resolves urn:uuid and conditional references to "Type/id").
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "fhir/json.h"
#include "fhir/status.h"
#include "fhir/validation/validator.h"
#include "mappings/fhir_elements.h"
#include "mappings/mapping_context.h"
#include "mappings/record_converter.h"
#include "mappings/resource_set.h"

namespace duet::mappings::testing {

inline const std::filesystem::path& PrfFixtures() {
  static const std::filesystem::path path = std::filesystem::path(DUET_FIXTURES_DIR) / "prf";
  return path;
}

inline MappingContext TestContext() { return MappingContext{"https://sunrise-pt.example/sid"}; }

inline fhir::Json ReadJsonFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto parsed = fhir::ParseJson(buffer.str());
  EXPECT_TRUE(parsed.ok()) << path << ": " << parsed.status().ToString();
  return parsed.ok() ? std::move(parsed).value() : fhir::Json();
}

// The value of `result`, or a default-constructed T after a test failure showing its status.
template <typename T>
T ValueOrFail(StatusOr<T> result) {
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? std::move(result).value() : T{};
}

inline fhir::Json Fixture(const std::string& name) { return ReadJsonFile(PrfFixtures() / name); }

inline fhir::Json ParseOrDie(const std::string& text) { return ValueOrFail(fhir::ParseJson(text)); }

// Every issue of every resource, one line each ("" when all are valid).
inline std::string ValidationErrors(const std::vector<fhir::Json>& resources) {
  static const fhir::Validator validator;
  std::string errors;
  for (const fhir::Json& resource : resources) {
    for (const fhir::ValidationIssue& issue : validator.Validate(resource)) {
      errors += std::string(resource.StringOr("resourceType")) + " " + issue.path + ": " +
                issue.message + "\n";
    }
  }
  return errors;
}

inline std::vector<fhir::Json> ToFhirOrDie(const fhir::Json& record) {
  return ValueOrFail(ToFhir(record, TestContext()));
}

// The first resource of this type (and, when given, with this identifier value), or null.
inline const fhir::Json* FindResource(const std::vector<fhir::Json>& resources,
                                      const std::string& type, const std::string& value = "") {
  for (const fhir::Json& resource : resources) {
    if (resource.StringOr("resourceType") != type) continue;
    if (value.empty()) return &resource;
    auto identifier = BusinessIdentifier(resource);
    if (identifier && identifier->second == value) return &resource;
  }
  return nullptr;
}

inline size_t CountType(const std::vector<fhir::Json>& resources, const std::string& type) {
  size_t count = 0;
  for (const fhir::Json& resource : resources) {
    count += resource.StringOr("resourceType") == type ? 1 : 0;
  }
  return count;
}

namespace internal {

inline void RewriteStored(fhir::Json& value, const std::vector<std::string>& full_urls,
                          const std::vector<std::string>& locations,
                          const std::vector<fhir::Json>& resources) {
  if (value.is_array()) {
    for (fhir::Json& item : value.items()) RewriteStored(item, full_urls, locations, resources);
    return;
  }
  if (!value.is_object()) return;
  for (auto& [key, member] : value.members()) {
    if (key != "reference" || !member.is_string()) {
      RewriteStored(member, full_urls, locations, resources);
      continue;
    }
    const std::string text = member.string_value();
    for (size_t i = 0; i < full_urls.size(); ++i) {
      if (text == full_urls[i]) member = fhir::Json::String(locations[i]);
    }
    if (auto parts = ParseConditionalReference(text)) {
      for (size_t i = 0; i < resources.size(); ++i) {
        if (resources[i].StringOr("resourceType") == parts->type &&
            HasIdentifier(resources[i], parts->system, parts->value)) {
          member = fhir::Json::String(locations[i]);
        }
      }
    }
  }
}

}  // namespace internal

// What a conformant server holds after processing the transaction Bundle: every entry gets a
// server id, and urn:uuid and resolvable conditional references become "Type/id".
inline std::vector<fhir::Json> StoreOnServer(const fhir::Json& bundle) {
  std::vector<fhir::Json> resources;
  std::vector<std::string> full_urls;
  std::vector<std::string> locations;
  const fhir::Json* entries = bundle.Find("entry");
  if (entries == nullptr) return resources;
  for (const fhir::Json& entry : entries->items()) {
    fhir::Json resource = *entry.Find("resource");
    std::string id = "srv" + std::to_string(resources.size() + 1);
    resource.Set("id", fhir::Json::String(id));
    locations.push_back(std::string(resource.StringOr("resourceType")) + "/" + id);
    full_urls.push_back(std::string(entry.StringOr("fullUrl")));
    resources.push_back(std::move(resource));
  }
  for (fhir::Json& resource : resources) {
    internal::RewriteStored(resource, full_urls, locations, resources);
  }
  return resources;
}

}  // namespace duet::mappings::testing
