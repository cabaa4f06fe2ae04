// Data-driven: every resource of a supported type in the R4 specification examples and in the
// Synthea patient bundles goes through the API of a real `duet serve` over HTTPS and reads back
// unchanged (apart from meta.versionId/lastUpdated, and references that a transaction resolves).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "fhir/json.h"
#include "tests/support/fhir_test_util.h"
#include "tests/support/https_client.h"
#include "tests/support/test_server.h"

namespace duet::test {
namespace {

using fhir::Json;
namespace fs = std::filesystem;

// The resource types the gateway serves (fhir::SupportedResourceTypes), spelled out here so the
// test notices when the list changes.
const std::set<std::string> kSupported = {"Patient",
                                          "Practitioner",
                                          "PractitionerRole",
                                          "Organization",
                                          "Coverage",
                                          "CareTeam",
                                          "CarePlan",
                                          "Goal",
                                          "Condition",
                                          "ServiceRequest",
                                          "Task",
                                          "Provenance",
                                          "DocumentReference",
                                          "ActivityDefinition",
                                          "MedicationStatement",
                                          "MedicationRequest",
                                          "MedicationDispense",
                                          "Communication",
                                          "Questionnaire",
                                          "QuestionnaireResponse",
                                          "Encounter",
                                          "Observation",
                                          "AuditEvent",
                                          "List"};

// Published R4 examples that are invalid (see tests/fixtures/fhir/README.md): missing linkIds,
// a whitespace-only narrative, and a dispenser reference to a Practitioner where R4 allows only
// an Organization.
const std::set<std::string> kKnownInvalid = {"Questionnaire-qs1.json",
                                             "Questionnaire-zika-virus-exposure-assessment.json",
                                             "MedicationRequest-medrx0301.json"};

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

Json ParseOrEmpty(const std::string& text) {
  auto parsed = fhir::ParseJson(text);
  return parsed.ok() ? *parsed : Json();
}

// The resource without the members the server owns.
Json WithoutServerMeta(Json resource) {
  if (Json* meta = resource.Find("meta")) {
    meta->Remove("versionId");
    meta->Remove("lastUpdated");
    if (meta->members().empty()) resource.Remove("meta");
  }
  return resource;
}

std::vector<fs::path> JsonFiles(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Every reference string in `value` (with its JSON location), for rewriting expectations.
void VisitReferences(Json& value, const std::function<void(Json&)>& visit) {
  if (value.is_array()) {
    for (Json& item : value.items()) VisitReferences(item, visit);
  } else if (value.is_object()) {
    for (auto& [key, member] : value.members()) {
      if (key == "reference" && member.is_string()) {
        visit(member);
      } else {
        VisitReferences(member, visit);
      }
    }
  }
}

class FhirExamplesTest : public ::testing::Test {
 public:
  void SetUp() override {
    TestServerOptions options;
    Json limits = Json::MakeObject();
    limits.Set("max_body_bytes", Json::Integer(32 * 1024 * 1024));
    options.extra_config.Set("limits", limits);
    server_ = std::make_unique<TestServer>(options);
    Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
    client_ = std::make_unique<HttpsClient>(server_->Client());
  }

  // Reads Type/id back and compares it with `expected` apart from server-owned meta.
  void ExpectStoredAs(const std::string& type, const std::string& id, const Json& expected,
                      const std::string& origin) {
    HttpsResponse read = client_->Get("/fhir/" + type + "/" + id);
    ASSERT_EQ(read.status, 200) << origin << ": " << read.body.substr(0, 400);
    Json stored = WithoutServerMeta(ParseOrEmpty(read.body));
    Json want = WithoutServerMeta(expected);
    want.Set("id", Json::String(id));
    EXPECT_TRUE(stored == want) << origin << " " << type << "/" << id << " changed:\n  sent "
                                << fhir::WriteJson(want).substr(0, 600) << "\n  read "
                                << fhir::WriteJson(stored).substr(0, 600);
  }

  std::unique_ptr<TestServer> server_;
  std::unique_ptr<HttpsClient> client_;
};

TEST_F(FhirExamplesTest, SpecExamplesRoundTripThroughTheApi) {
  size_t loaded = 0;
  for (const fs::path& file : JsonFiles(fs::path(DUET_FIXTURES_DIR) / "fhir/spec-examples")) {
    if (kKnownInvalid.count(file.filename().string())) continue;
    Json document = ParseOrEmpty(ReadFile(file));
    std::vector<Json> resources;
    if (document.StringOr("resourceType") == "Bundle") {
      if (const Json* entries = document.Find("entry")) {
        for (const Json& entry : entries->items()) {
          if (const Json* resource = entry.Find("resource")) resources.push_back(*resource);
        }
      }
    } else {
      resources.push_back(document);
    }
    for (Json& resource : resources) {
      std::string type(resource.StringOr("resourceType"));
      if (!kSupported.count(type)) continue;
      std::string id(resource.StringOr("id"));
      HttpsResponse written =
          id.empty()
              ? client_->Post("/fhir/" + type, fhir::WriteJson(resource), kFhirJson)
              : client_->Put("/fhir/" + type + "/" + id, fhir::WriteJson(resource), kFhirJson);
      ASSERT_TRUE(written.status == 200 || written.status == 201)
          << file.filename() << " " << type << "/" << id << ": " << written.status << " "
          << written.body.substr(0, 800);
      if (id.empty()) id = std::string(ParseOrEmpty(written.body).StringOr("id"));
      ExpectStoredAs(type, id, resource, file.filename().string());
      ++loaded;
    }
  }
  EXPECT_GT(loaded, 450u) << "the fixtures hold some 460 resources of supported types";
  std::cout << "[ spec examples ] " << loaded << " resources stored and read back\n";
}

// Loads one Synthea Bundle (transaction or batch), keeping the entries of supported types whose
// urn:uuid references stay inside what is kept, and checks every stored resource.
class SyntheaLoader {
 public:
  SyntheaLoader(HttpsClient& client, FhirExamplesTest& test) : client_(client), test_(test) {}

  size_t Load(const fs::path& file) {
    Json bundle = ParseOrEmpty(ReadFile(file));
    std::map<std::string, std::string> type_of;  // fullUrl → resourceType
    for (const Json& entry : bundle.Find("entry")->items()) {
      type_of[std::string(entry.StringOr("fullUrl"))] =
          std::string(entry.Find("resource")->StringOr("resourceType"));
    }
    std::vector<Json> kept = SelfContainedEntries(bundle, type_of);
    Json subset = Json::MakeObject();
    subset.Set("resourceType", Json::String("Bundle"));
    subset.Set("type", Json::String(std::string(bundle.StringOr("type"))));
    Json entries = Json::MakeArray();
    for (const Json& entry : kept) entries.Append(entry);
    subset.Set("entry", entries);
    HttpsResponse response = client_.Post("/fhir", fhir::WriteJson(subset), kFhirJson);
    EXPECT_EQ(response.status, 200) << file.filename() << ": " << response.body.substr(0, 800);
    if (response.status != 200) return 0;
    Json answer = ParseOrEmpty(response.body);
    const auto& results = answer.Find("entry")->items();
    EXPECT_EQ(results.size(), kept.size());

    std::map<std::string, std::string> assigned;              // fullUrl → Type/id
    std::vector<std::pair<std::string, std::string>> stored;  // Type, id per kept entry
    for (size_t i = 0; i < kept.size() && i < results.size(); ++i) {
      const Json* result = results[i].Find("response");
      std::string status(result->StringOr("status"));
      EXPECT_TRUE(status.rfind("200", 0) == 0 || status.rfind("201", 0) == 0)
          << file.filename() << " entry " << i << ": "
          << fhir::WriteJson(results[i]).substr(0, 400);
      std::string location(result->StringOr("location"));
      std::string type_and_id = location.substr(0, location.find("/_history"));
      assigned[std::string(kept[i].StringOr("fullUrl"))] = type_and_id;
      size_t slash = type_and_id.find('/');
      stored.emplace_back(type_and_id.substr(0, slash), type_and_id.substr(slash + 1));
    }
    for (size_t i = 0; i < stored.size(); ++i) {
      Json expected = *kept[i].Find("resource");
      Json actual =
          ParseOrEmpty(client_.Get("/fhir/" + stored[i].first + "/" + stored[i].second).body);
      ResolveExpectedReferences(expected, actual, assigned);
      test_.ExpectStoredAs(stored[i].first, stored[i].second, expected, file.filename().string());
    }
    return stored.size();
  }

 private:
  // Drops entries of unsupported types, then (repeatedly) entries whose references name a dropped
  // entry or a conditional target of an unsupported type.
  static std::vector<Json> SelfContainedEntries(const Json& bundle,
                                                const std::map<std::string, std::string>& type_of) {
    std::set<std::string> kept_urls;
    for (const auto& [url, type] : type_of) {
      if (kSupported.count(type)) kept_urls.insert(url);
    }
    bool changed = true;
    while (changed) {
      changed = false;
      for (const Json& entry : bundle.Find("entry")->items()) {
        std::string url(entry.StringOr("fullUrl"));
        if (!kept_urls.count(url)) continue;
        Json resource = *entry.Find("resource");
        bool self_contained = true;
        VisitReferences(resource, [&](Json& reference) {
          const std::string& text = reference.string_value();
          if (type_of.count(text) && !kept_urls.count(text)) self_contained = false;
          size_t question = text.find('?');
          if (question != std::string::npos && !kSupported.count(text.substr(0, question))) {
            self_contained = false;
          }
        });
        if (!self_contained) {
          kept_urls.erase(url);
          changed = true;
        }
      }
    }
    std::vector<Json> kept;
    for (const Json& entry : bundle.Find("entry")->items()) {
      if (kept_urls.count(std::string(entry.StringOr("fullUrl")))) kept.push_back(entry);
    }
    return kept;
  }

  // urn:uuid references become the Type/id the server assigned; a conditional reference becomes
  // whatever the server resolved it to, provided that names a resource of the right type.
  static void ResolveExpectedReferences(Json& expected, const Json& actual,
                                        const std::map<std::string, std::string>& assigned) {
    std::vector<std::string> resolved;
    Json copy = actual;
    VisitReferences(copy, [&](Json& reference) { resolved.push_back(reference.string_value()); });
    size_t index = 0;
    VisitReferences(expected, [&](Json& reference) {
      std::string text = reference.string_value();
      std::string actual_text = index < resolved.size() ? resolved[index] : "";
      ++index;
      auto found = assigned.find(text);
      if (found != assigned.end()) {
        reference = Json::String(found->second);
        return;
      }
      size_t question = text.find('?');
      if (question != std::string::npos) {
        // The server must have resolved it to a resource of the type the criteria name.
        EXPECT_EQ(actual_text.rfind(text.substr(0, question) + "/", 0), 0u)
            << "conditional reference " << text << " stored as " << actual_text;
        reference = Json::String(actual_text);
      }
    });
  }

  HttpsClient& client_;
  FhirExamplesTest& test_;
};

// Loads every bundle of a Synthea export folder, organizations and practitioners first, as the
// export expects; returns how many resources were stored and read back.
size_t LoadSyntheaFolder(const fs::path& dir, HttpsClient& client, FhirExamplesTest& test) {
  SyntheaLoader loader(client, test);
  std::vector<fs::path> files = JsonFiles(dir);
  std::stable_partition(files.begin(), files.end(), [](const fs::path& file) {
    return file.filename().string().find("Information") != std::string::npos;
  });
  size_t loaded = 0;
  for (const fs::path& file : files) loaded += loader.Load(file);
  return loaded;
}

TEST_F(FhirExamplesTest, SyntheaSmartBundlesRoundTripThroughTransactions) {
  size_t loaded = LoadSyntheaFolder(
      fs::path(DUET_FIXTURES_DIR) / "fhir/synthea/smart-generated-sample-data", *client_, *this);
  EXPECT_GT(loaded, 3000u);
  std::cout << "[ synthea smart ] " << loaded << " resources stored and read back\n";
}

TEST_F(FhirExamplesTest, SyntheaHivBundlesResolveConditionalReferences) {
  size_t loaded = LoadSyntheaFolder(
      fs::path(DUET_FIXTURES_DIR) / "fhir/synthea/fhir-data-pipes-synthea-hiv", *client_, *this);
  EXPECT_GT(loaded, 3000u);
  std::cout << "[ synthea hiv ] " << loaded << " resources stored and read back\n";
}

}  // namespace
}  // namespace duet::test
