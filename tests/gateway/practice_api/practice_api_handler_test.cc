// The practice API over the real store and FHIR API, without sockets.
#include "gateway/practice_api/practice_api_handler.h"

#include <thread>

#include "tests/gateway/practice_api/practice_api_test_base.h"

namespace duet::gateway {
namespace {

using fhir::Json;

class PracticeApiHandlerTest : public testing::PracticeApiTestBase {
 protected:
  std::vector<std::string> Outcomes(const Json& answer) {
    std::vector<std::string> outcomes;
    const Json* records = answer.Find("records");
    if (records == nullptr) return outcomes;
    for (const Json& item : records->items()) {
      outcomes.emplace_back(item.StringOr("outcome"));
    }
    return outcomes;
  }
  std::string Count(const std::string& type) {
    return FhirJson("GET", "/fhir/" + type + "?_summary=count", "", 200)
        .Find("total")
        ->number_text();
  }
};

// The record type and native id of each record of a batch.
std::vector<std::pair<std::string, std::string>> RecordKeys(const Json& batch) {
  std::vector<std::pair<std::string, std::string>> keys;
  for (const Json& record : batch.Find("records")->items()) {
    std::string type(record.StringOr("record"));
    std::string id(record.StringOr(type == "patient"           ? "mrn"
                                   : type == "provider"        ? "npi"
                                   : type == "medication_list" ? "patient_mrn"
                                                               : "id"));
    keys.emplace_back(type, id);
  }
  return keys;
}

TEST_F(PracticeApiHandlerTest, EveryRecordOfABatchComesBackAsSent) {
  Json batch = Fixture("batch.json");
  Json answer = Upload(batch);
  for (const std::string& outcome : Outcomes(answer)) EXPECT_EQ(outcome, "created");
  std::vector<std::pair<std::string, std::string>> keys = RecordKeys(batch);
  for (size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ(GetRecord(keys[i].first, keys[i].second), batch.Find("records")->items()[i])
        << keys[i].first << " " << keys[i].second;
  }
  // Collection names work as well as record types.
  EXPECT_EQ(GetRecord("plans_of_care", "POC-8812-1").StringOr("id"), "POC-8812-1");
  EXPECT_EQ(answer.Find("records")->items()[0].StringOr("fhir").rfind("CarePlan/", 0), 0u);
}

TEST_F(PracticeApiHandlerTest, TheSameUploadTwiceChangesNothing) {
  Json batch = Fixture("batch.json");
  Upload(batch);
  std::string versions = Count("CarePlan") + "/" + Count("Task") + "/" + Count("Goal");
  Json again = Upload(batch);
  for (const std::string& outcome : Outcomes(again)) EXPECT_EQ(outcome, "unchanged");
  EXPECT_EQ(Count("CarePlan") + "/" + Count("Task") + "/" + Count("Goal"), versions);
  Json history = FhirJson("GET", "/fhir/CarePlan/_history", "", 200);
  EXPECT_EQ(history.Find("total")->number_text(), Count("CarePlan"));
}

TEST_F(PracticeApiHandlerTest, AnOlderUpdatedAtNeverOverwritesANewerOne) {
  Upload(PlanPrerequisites());
  Json plan = Fixture("plan_of_care.json");
  Upload(plan);
  Json older = plan;
  older.Set("updated_at", Json::String("2025-01-19T09:00:00-07:00"));
  older.Find("frequency")->Set("per_week", Json::Integer(3));
  Json answer = Upload(older);
  EXPECT_EQ(Outcomes(answer), std::vector<std::string>{"ignored_older"});
  EXPECT_EQ(GetRecord("plan_of_care", "POC-8812-1"), plan);

  Json newer = older;
  newer.Set("updated_at", Json::String("2025-01-21T09:00:00Z"));
  EXPECT_EQ(Outcomes(Upload(newer)), std::vector<std::string>{"updated"});
  EXPECT_EQ(
      GetRecord("plan_of_care", "POC-8812-1").Find("frequency")->Find("per_week")->number_text(),
      "3");
}

TEST_F(PracticeApiHandlerTest, InvalidRecordsAreRefusedWithEveryPointerAndNothingIsStored) {
  Json patient = Fixture("patient.json");
  Json plan = Fixture("plan_of_care.json");
  plan.Find("certification")->Set("to", Json::String("2025-01-01"));
  plan.Find("diagnoses")->items()[0].Set("icd10", Json::String("M2566"));
  Json answer = Upload(Batch({patient, plan}), 422);
  const Json* problems = answer.Find("error")->Find("problems");
  ASSERT_NE(problems, nullptr);
  std::string pointers;
  for (const Json& problem : problems->items())
    pointers += std::string(problem.StringOr("pointer")) + " ";
  EXPECT_NE(pointers.find("/records/1/certification/to"), std::string::npos) << pointers;
  EXPECT_NE(pointers.find("/records/1/diagnoses/0/icd10"), std::string::npos) << pointers;
  EXPECT_EQ(Count("Patient"), "0");
}

TEST_F(PracticeApiHandlerTest, ABatchRefusedOnTheFhirSideStoresNothing) {
  Upload(People());
  Json referral = Fixture("referral.json");  // in_progress
  Upload(referral);
  Json backwards = referral;
  backwards.Set("status", Json::String("received"));
  backwards.Set("updated_at", Json::String("2025-03-01T00:00:00Z"));
  Json nps = Fixture("nps_response.json");
  Json answer = Upload(Batch({nps, backwards}), 422);
  const Json* outcome = answer.Find("error")->Find("operation_outcome");
  ASSERT_NE(outcome, nullptr) << fhir::WriteJson(answer);
  EXPECT_NE(fhir::WriteJson(*outcome).find("cannot move from 'in-progress' to 'received'"),
            std::string::npos)
      << fhir::WriteJson(*outcome);
  EXPECT_EQ(Count("QuestionnaireResponse"), "0") << "the NPS answer of the failed batch";
  EXPECT_EQ(GetRecord("referral", "REF-2025-0117").StringOr("status"), "in_progress");
}

TEST_F(PracticeApiHandlerTest, UnknownRecordsAndRoutesAreClearErrors) {
  HttpResponse missing = Practice("GET", "/practice/v1/plan_of_care/POC-0000-1");
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.body.find("POC-0000-1"), std::string::npos) << missing.body;
  EXPECT_EQ(Practice("GET", "/practice/v1/claims/1").status, 404);
  EXPECT_EQ(Practice("GET", "/practice/v1/records").status, 405);
  EXPECT_EQ(Practice("POST", "/practice/v1/records", "{\"record\":").status, 400);
  HttpResponse wrong = Practice("GET", "/practice/v1/referrals?status=lost");
  EXPECT_EQ(wrong.status, 400);
  EXPECT_NE(wrong.body.find("received"), std::string::npos) << wrong.body;
  EXPECT_EQ(Practice("GET", "/practice/v1/nps?since=2025").status, 400);
  HttpRequest text = Request("POST", "/practice/v1/records", "{}", "text/plain");
  EXPECT_EQ(practice_->Handle(text).status, 415);
}

TEST_F(PracticeApiHandlerTest, NpsSummaryCountsAndScoresAnswersInTheWindow) {
  Upload(People());
  Json nps = Fixture("nps_response.json");  // 9, 2025-02-05
  std::vector<Json> answers;
  int scores[] = {9, 10, 7, 3, 6};
  for (int i = 0; i < 5; ++i) {
    Json answer = nps;
    answer.Set("id", Json::String("NPS-T-" + std::to_string(i)));
    answer.Set("score", Json::Integer(scores[i]));
    answer.Set("answered_at", Json::String("2025-02-0" + std::to_string(i + 1) + "T10:00:00Z"));
    Upload(answer);
  }
  Json all = Parse(Practice("GET", "/practice/v1/nps?from=2025-02-01&to=2025-02-28").body);
  EXPECT_EQ(all.Find("responses")->number_text(), "5");
  EXPECT_EQ(all.Find("promoters")->number_text(), "2");
  EXPECT_EQ(all.Find("passives")->number_text(), "1");
  EXPECT_EQ(all.Find("detractors")->number_text(), "2");
  EXPECT_EQ(all.Find("nps")->number_text(), "0.0");
  Json first_two = Parse(Practice("GET", "/practice/v1/nps?from=2025-02-01&to=2025-02-02").body);
  EXPECT_EQ(first_two.Find("nps")->number_text(), "100.0");
  Json none = Parse(Practice("GET", "/practice/v1/nps?from=2026-01-01").body);
  EXPECT_TRUE(none.Find("nps")->is_null());
  EXPECT_EQ(Practice("GET", "/practice/v1/nps?from=yesterday").status, 400);
}

TEST_F(PracticeApiHandlerTest, ConcurrentUploadsOfOneRecordEndWithTheNewest) {
  Upload(PlanPrerequisites());
  Json plan = Fixture("plan_of_care.json");
  constexpr int kWriters = 8;
  std::vector<std::thread> writers;
  std::vector<int> statuses(kWriters);
  for (int i = 0; i < kWriters; ++i) {
    writers.emplace_back([&, i] {
      Json version = plan;
      version.Set("updated_at", Json::String("2025-02-0" + std::to_string(i + 1) + "T08:00:00Z"));
      version.Find("frequency")->Set("weeks", Json::Integer(i + 1));
      statuses[i] = Practice("POST", "/practice/v1/records", fhir::WriteJson(version)).status;
    });
  }
  for (std::thread& writer : writers) writer.join();
  for (int status : statuses) EXPECT_EQ(status, 200);
  Json stored = GetRecord("plan_of_care", "POC-8812-1");
  EXPECT_EQ(stored.StringOr("updated_at"), "2025-02-08T08:00:00Z");
  EXPECT_EQ(stored.Find("frequency")->Find("weeks")->number_text(), "8");
  EXPECT_EQ(Count("CarePlan"), "1");
}

}  // namespace
}  // namespace duet::gateway
