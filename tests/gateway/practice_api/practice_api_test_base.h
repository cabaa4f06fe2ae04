// A gateway without sockets for practice-API and workflow tests: the real SQLite store in a
// temporary directory, the FHIR API with the workflow rules, and the practice API on top.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "fhir/json.h"
#include "fhir/validation/validator.h"
#include "gateway/fhir_api/fhir_rest_handler.h"
#include "gateway/practice_api/practice_api_handler.h"
#include "gateway/store/sqlite_resource_store.h"
#include "gateway/workflow/workflow_rules.h"
#include "tests/support/fhir_test_util.h"

namespace duet::gateway::testing {

inline constexpr char kIdentifierBase[] = "https://sunrise-pt.example/sid";

class PracticeApiTestBase : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/duet-practice-XXXXXX";
    dir_ = mkdtemp(pattern);
    auto store = SqliteResourceStore::Open(dir_ + "/duet.db");
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    mappings::MappingContext context{kIdentifierBase};
    rules_ = std::make_unique<WorkflowRules>(context);
    fhir_ = std::make_unique<FhirRestHandler>(*store_, validator_, FhirApiOptions{}, rules_.get());
    practice_ = std::make_unique<PracticeApiHandler>(*store_, *fhir_, context);
  }
  void TearDown() override {
    practice_.reset();
    fhir_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  static fhir::Json Fixture(const std::string& name) {
    std::ifstream in(std::string(DUET_FIXTURES_DIR) + "/prf/" + name, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    auto parsed = fhir::ParseJson(buffer.str());
    EXPECT_TRUE(parsed.ok()) << name;
    return parsed.ok() ? *parsed : fhir::Json();
  }

  static fhir::Json Parse(const std::string& text) {
    auto parsed = fhir::ParseJson(text);
    EXPECT_TRUE(parsed.ok()) << parsed.status().ToString() << "\n" << text.substr(0, 400);
    return parsed.ok() ? *parsed : fhir::Json();
  }

  static fhir::Json Batch(std::initializer_list<fhir::Json> records) {
    fhir::Json list = fhir::Json::MakeArray();
    for (const fhir::Json& record : records) list.Append(record);
    fhir::Json batch = fhir::Json::MakeObject();
    batch.Set("record", fhir::Json::String("batch"));
    batch.Set("records", std::move(list));
    return batch;
  }

  static HttpRequest Request(const std::string& method, const std::string& target,
                             const std::string& body, const std::string& content_type) {
    HttpRequest request;
    request.method = method;
    size_t question = target.find('?');
    request.path = target.substr(0, question);
    if (question != std::string::npos) {
      request.raw_query = target.substr(question + 1);
      request.query = ParseQueryString(request.raw_query);
    }
    request.base_url = "https://duet.test";
    request.body = body;
    if (!body.empty()) request.headers.Set("Content-Type", content_type);
    return request;
  }

  HttpResponse Practice(const std::string& method, const std::string& target,
                        const std::string& body = "") {
    return practice_->Handle(Request(method, target, body, "application/json"));
  }
  HttpResponse Fhir(const std::string& method, const std::string& target,
                    const std::string& body = "", const std::string& if_match = "") {
    HttpRequest request = Request(method, target, body, "application/fhir+json");
    if (!if_match.empty()) request.headers.Set("If-Match", if_match);
    return fhir_->Handle(request);
  }

  // POSTs records and expects `status`; returns the parsed answer.
  fhir::Json Upload(const fhir::Json& records, int status = 200) {
    HttpResponse response = Practice("POST", "/practice/v1/records", fhir::WriteJson(records));
    EXPECT_EQ(response.status, status) << response.body.substr(0, 2000);
    return Parse(response.body);
  }
  fhir::Json GetRecord(const std::string& type, const std::string& id) {
    HttpResponse response = Practice("GET", "/practice/v1/" + type + "/" + id);
    EXPECT_EQ(response.status, 200) << response.body.substr(0, 2000);
    return Parse(response.body);
  }
  fhir::Json FhirJson(const std::string& method, const std::string& target, const std::string& body,
                      int status, const std::string& if_match = "") {
    HttpResponse response = Fhir(method, target, body, if_match);
    EXPECT_EQ(response.status, status) << method << " " << target << "\n"
                                       << response.body.substr(0, 2000);
    return Parse(response.body);
  }
  // The resources of a searchset, in order.
  std::vector<fhir::Json> Search(const std::string& target) {
    return duet::test::EntryResources(FhirJson("GET", target, "", 200));
  }

  // Patient, the therapist and the referring physician: what a plan of care refers to.
  fhir::Json People() {
    return Batch({Fixture("patient.json"), Fixture("provider.json"), Fixture("provider-ot.json"),
                  Fixture("provider-referring.json")});
  }

  // People() and the referral that plan_of_care.json names.
  fhir::Json PlanPrerequisites() {
    return Batch({Fixture("patient.json"), Fixture("provider.json"), Fixture("provider-ot.json"),
                  Fixture("provider-referring.json"), Fixture("referral.json")});
  }

  std::string dir_;
  fhir::Validator validator_;
  std::unique_ptr<SqliteResourceStore> store_;
  std::unique_ptr<WorkflowRules> rules_;
  std::unique_ptr<FhirRestHandler> fhir_;
  std::unique_ptr<PracticeApiHandler> practice_;
};

}  // namespace duet::gateway::testing
