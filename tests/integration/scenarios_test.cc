// The acceptance scenarios of FHIR-MAPPING.md section 5, walked over HTTPS against a real
// `duet serve`: the practice uploads its records to /practice/v1, outside EHRs and partners act
// over /fhir, and the practice reads the outcome back in its own format. Scenario 7 (medication
// history) and the outage half of scenario 10 need the sync jobs (issue 4).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "fhir/json.h"
#include "fhir/validation/validator.h"
#include "tests/support/fhir_test_util.h"
#include "tests/support/https_client.h"
#include "tests/support/test_server.h"

namespace duet::test {
namespace {

using fhir::Json;

const HeaderList kJson = {{"Content-Type", "application/json"}};
constexpr char kMrnSystem[] = "https://sunrise-pt.example/sid/mrn";

Json Fixture(const std::string& name) { return PrfFixture(name); }

Json Batch(std::vector<Json> records) {
  Json list = Json::MakeArray();
  for (Json& record : records) list.Append(std::move(record));
  Json batch = Json::MakeObject();
  batch.Set("record", Json::String("batch"));
  batch.Set("records", std::move(list));
  return batch;
}

class ScenariosTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Status started = server_.Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
    client_ = std::make_unique<HttpsClient>(server_.Client());
  }

  Json Call(const std::string& method, const std::string& path, const std::string& body,
            long status, const HeaderList& headers = kFhirJson) {
    HttpsResponse response = client_->Send(method, path, body, headers);
    EXPECT_EQ(response.status, status) << method << " " << path << "\n"
                                       << response.error << response.body.substr(0, 1500);
    last_etag_ = response.Header("ETag") ? *response.Header("ETag") : "";
    return response.body.empty() ? Json() : ParseOrFail(response.body);
  }
  Json Upload(const Json& records) {
    return Call("POST", "/practice/v1/records", fhir::WriteJson(records), 200, kJson);
  }
  Json Record(const std::string& collection, const std::string& id) {
    return Call("GET", "/practice/v1/" + collection + "/" + id, "", 200, {});
  }
  std::vector<Json> Search(const std::string& path) {
    return EntryResources(Call("GET", path, "", 200, {}));
  }
  std::string PatientId() {
    std::vector<Json> patients =
        Search(std::string("/fhir/Patient?identifier=") + kMrnSystem + "%7CPT-004512");
    return patients.size() == 1 ? std::string(patients[0].StringOr("id")) : "";
  }
  std::string PlanId(const std::string& plan) {
    std::vector<Json> plans =
        Search("/fhir/CarePlan?identifier=https://sunrise-pt.example/sid/plan-of-care%7C" + plan);
    return plans.size() == 1 ? std::string(plans[0].StringOr("id")) : "";
  }
  void UploadPeople() {
    Upload(Batch({Fixture("patient.json"), Fixture("provider.json"), Fixture("provider-ot.json"),
                  Fixture("provider-referring.json"), Fixture("referral.json")}));
  }
  static Json WithStatus(Json resource, const std::string& status) {
    resource.Set("status", Json::String(status));
    resource.Remove("meta");
    return resource;
  }

  TestServer server_;
  std::unique_ptr<HttpsClient> client_;
  std::string last_etag_;
};

// Scenario 1: Dr. Chen's EHR pulls the active plan of care with its goals.
TEST_F(ScenariosTest, EhrPullsThePlanOfCare) {
  UploadPeople();
  Upload(Fixture("plan_of_care.json"));
  std::vector<Json> found = Search("/fhir/CarePlan?patient=Patient/" + PatientId() +
                                   "&status=active&_include=CarePlan:goal");
  std::vector<const Json*> plans, goals;
  fhir::Validator validator;
  for (const Json& resource : found) {
    std::vector<fhir::ValidationIssue> issues = validator.Validate(resource);
    EXPECT_FALSE(fhir::HasErrors(issues)) << fhir::WriteJson(resource).substr(0, 300);
    if (resource.StringOr("resourceType") == "CarePlan") plans.push_back(&resource);
    if (resource.StringOr("resourceType") == "Goal") goals.push_back(&resource);
  }
  ASSERT_EQ(plans.size(), 1u);
  EXPECT_EQ(goals.size(), 3u);
  const Json& plan = *plans[0];
  EXPECT_EQ(plan.Find("period")->StringOr("start"), "2025-01-15");
  EXPECT_EQ(plan.Find("period")->StringOr("end"), "2025-03-12");
  std::string text = fhir::WriteJson(plan);
  for (const char* cpt : {"97110", "97112", "97140", "97530", "97116"}) {
    EXPECT_NE(text.find(std::string("\"code\":\"") + cpt + "\""), std::string::npos) << cpt;
  }
  EXPECT_NE(text.find("\"frequency\":2,\"period\":1,\"periodUnit\":\"wk\""), std::string::npos);
  ASSERT_EQ(plan.Find("addresses")->items().size(), 3u);
  std::string first_condition(plan.Find("addresses")->items()[0].StringOr("reference"));
  Json condition = Call("GET", "/fhir/" + first_condition, "", 200, {});
  EXPECT_NE(fhir::WriteJson(condition).find("M25.661"), std::string::npos);
}

// A partner's referral transaction (FHIR-MAPPING.md scenario 2): ServiceRequest + Task, the
// patient and Dr. Chen by conditional reference, the partner's own identifiers.
std::string PartnerReferral() { return FixtureText("partner/referral-transaction.json"); }

// Scenario 2: an inbound referral reaches the intake queue, is triaged, and a replay adds nothing.
TEST_F(ScenariosTest, InboundReferralIsTriaged) {
  UploadPeople();
  Call("POST", "/fhir", PartnerReferral(), 200);
  Json queue = Call("GET", "/practice/v1/referrals?status=received&direction=inbound", "", 200, {});
  ASSERT_EQ(queue.Find("count")->number_text(), "1") << fhir::WriteJson(queue);
  const Json& referral = queue.Find("referrals")->items().at(0);
  EXPECT_EQ(referral.StringOr("referring_npi"), "1234567893");
  EXPECT_EQ(referral.StringOr("order_text"), "PT eval and treat");
  EXPECT_EQ(referral.Find("visits_ordered")->number_text(), "12");
  std::string id(referral.StringOr("id"));

  Json replay = Call("POST", "/fhir", PartnerReferral(), 200);
  for (const Json& entry : replay.Find("entry")->items()) {
    EXPECT_EQ(entry.Find("response")->StringOr("status"), "200 OK");
  }
  Json task =
      Search("/fhir/Task?identifier=https://evim.example/referral-tasks%7CEVIM-77812-T").at(0);
  std::string path = "/fhir/Task/" + std::string(task.StringOr("id"));
  task = Call("PUT", path, fhir::WriteJson(WithStatus(task, "received")), 200);
  Call("PUT", path, fhir::WriteJson(WithStatus(task, "accepted")), 200);
  EXPECT_EQ(Record("referrals", id).StringOr("status"), "accepted");
}

// Scenario 3: declined as out of network; the native referral is closed with the reason.
TEST_F(ScenariosTest, ReferralIsDeclined) {
  UploadPeople();
  Call("POST", "/fhir", PartnerReferral(), 200);
  Json task =
      Search("/fhir/Task?identifier=https://evim.example/referral-tasks%7CEVIM-77812-T").at(0);
  task = WithStatus(task, "rejected");
  task.Set("statusReason", ParseOrFail(R"({"text":"payer out of network"})"));
  Call("PUT", "/fhir/Task/" + std::string(task.StringOr("id")), fhir::WriteJson(task), 200);
  Json queue = Call("GET", "/practice/v1/referrals?status=declined", "", 200, {});
  ASSERT_EQ(queue.Find("count")->number_text(), "1");
  EXPECT_EQ(queue.Find("referrals")->items()[0].StringOr("status_reason"), "payer out of network");
}

std::string SignatureProvenance(const std::string& target, const std::string& when) {
  return R"({"resourceType":"Provenance","target":[{"reference":")" + target +
         R"("}],"recorded":")" + when +
         R"(T16:00:00Z","activity":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-DocumentCompletion","code":"AU"}]},"agent":[{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ParticipationType","code":"VERF"}]},"who":{"identifier":{"system":"http://hl7.org/fhir/sid/us-npi","value":"1234567893"}}}],"signature":[{"type":[{"system":"urn:iso-astm:E1762-95:2013","code":"1.2.840.10065.1.12.1.5","display":"Verification Signature"}],"when":")" +
         when +
         R"(T16:00:00Z","who":{"identifier":{"system":"http://hl7.org/fhir/sid/us-npi","value":"1234567893"}}}]})";
}

// POC-8812-1 as sent for certification, not yet signed.
Json PlanAwaitingSignature() {
  Json plan = Fixture("plan_of_care.json");
  plan.Find("certification")->Set("status", Json::String("sent"));
  plan.Find("certification")->Remove("signed_on");
  return plan;
}

// Scenario 4: certification through the Task and a signing Provenance.
TEST_F(ScenariosTest, CertificationViaTask) {
  UploadPeople();
  Upload(PlanAwaitingSignature());
  std::string plan = PlanId("POC-8812-1");
  std::vector<Json> tasks = Search("/fhir/Task?based-on=CarePlan/" + plan +
                                   "&code=http://hl7.org/fhir/CodeSystem/task-code%7Capprove");
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].Find("restriction")->Find("period")->StringOr("end"), "2025-02-14");
  EXPECT_EQ(tasks[0].Find("focus")->StringOr("reference"), "CarePlan/" + plan + "/_history/1");
  Call("PUT", "/fhir/Task/" + std::string(tasks[0].StringOr("id")),
       fhir::WriteJson(WithStatus(tasks[0], "completed")), 200);
  Call("POST", "/fhir/Provenance",
       SignatureProvenance("CarePlan/" + plan + "/_history/1", "2025-01-20"), 201);
  Json certification = *Record("plans_of_care", "POC-8812-1").Find("certification");
  EXPECT_EQ(certification.StringOr("status"), "signed");
  EXPECT_EQ(certification.StringOr("signed_on"), "2025-01-20");
}

// Scenario 5: a signed PDF uploaded by staff; a later edit makes certification pending again.
TEST_F(ScenariosTest, CertificationByUploadedDocumentThenEdit) {
  UploadPeople();
  Upload(PlanAwaitingSignature());
  std::string plan = PlanId("POC-8812-1");
  std::string document =
      R"({"resourceType":"DocumentReference","status":"current","docStatus":"final","type":{"coding":[{"system":"http://loinc.org","code":"18776-5"}]},"date":"2025-01-21T11:00:00Z","authenticator":{"reference":"Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|1234567893"},"content":[{"attachment":{"contentType":"application/pdf","title":"POC-8812-1 signed"}}],"context":{"related":[{"reference":"CarePlan/)" +
      plan + R"("}]}})";
  Json transaction = ParseOrFail(
      R"({"resourceType":"Bundle","type":"transaction","entry":[{"fullUrl":"urn:uuid:5d0b6f80-0000-4000-8000-0000000000d1","request":{"method":"POST","url":"DocumentReference"}}]})");
  transaction.Find("entry")->items()[0].Set("resource", ParseOrFail(document));
  Call("POST", "/fhir", fhir::WriteJson(transaction), 200);
  EXPECT_EQ(Record("plans_of_care", "POC-8812-1").Find("certification")->StringOr("status"),
            "signed");

  Json edited = Fixture("plan_of_care.json");  // the EMR now knows it is signed, and edits
  edited.Find("frequency")->Set("weeks", Json::Integer(10));
  edited.Set("updated_at", Json::String("2025-02-01T10:00:00-07:00"));
  edited.Find("certification")->Set("signed_on", Json::String("2025-01-21"));
  Upload(edited);
  Json certification = *Record("plans_of_care", "POC-8812-1").Find("certification");
  EXPECT_EQ(certification.StringOr("status"), "sent");
  EXPECT_EQ(certification.Find("signed_on"), nullptr);
  EXPECT_EQ(Search("/fhir/Task?based-on=CarePlan/" + plan + "&status=requested").size(), 1u);
}

// Scenario 6: recertification on day 55.
TEST_F(ScenariosTest, Recertification) {
  UploadPeople();
  Upload(Fixture("plan_of_care.json"));
  Json next = Fixture("plan_of_care.json");
  next.Set("id", Json::String("POC-8812-2"));
  next.Set("replaces", Json::String("POC-8812-1"));
  next.Find("certification")->Set("from", Json::String("2025-03-13"));
  next.Find("certification")->Set("to", Json::String("2025-04-09"));
  next.Find("certification")->Set("status", Json::String("sent"));
  next.Find("certification")->Set("sent_on", Json::String("2025-03-10"));
  next.Find("certification")->Remove("signed_on");
  next.Find("frequency")->Set("weeks", Json::Integer(4));
  next.Set("updated_at", Json::String("2025-03-10T09:00:00-07:00"));
  Upload(next);
  Json plan = Call("GET", "/fhir/CarePlan/" + PlanId("POC-8812-2"), "", 200, {});
  EXPECT_EQ(plan.Find("replaces")->items()[0].StringOr("reference"),
            "CarePlan/" + PlanId("POC-8812-1"));
  EXPECT_EQ(plan.Find("period")->StringOr("start"), "2025-03-13");
  EXPECT_EQ(Record("plans_of_care", "POC-8812-1").StringOr("status"), "completed");
}

// Scenario 8, the server side: two writers of one Task, If-Match decides.
TEST_F(ScenariosTest, ConflictingTaskUpdatesAreSettledByIfMatch) {
  UploadPeople();
  Call("POST", "/fhir", PartnerReferral(), 200);
  Json task =
      Search("/fhir/Task?identifier=https://evim.example/referral-tasks%7CEVIM-77812-T").at(0);
  std::string path = "/fhir/Task/" + std::string(task.StringOr("id"));
  task = Call("PUT", path, fhir::WriteJson(WithStatus(task, "received")), 200);
  task = Call("PUT", path, fhir::WriteJson(WithStatus(task, "accepted")), 200);
  std::string etag = last_etag_;  // both sides read this version
  Call("PUT", path, fhir::WriteJson(WithStatus(task, "in-progress")), 200,
       {{"Content-Type", "application/fhir+json"}, {"If-Match", etag}});
  Json ours = WithStatus(task, "accepted");
  ours.Set("businessStatus", ParseOrFail(R"({"text":"scheduled"})"));
  Call("PUT", path, fhir::WriteJson(ours), 412,
       {{"Content-Type", "application/fhir+json"}, {"If-Match", etag}});
  Json current = Call("GET", path, "", 200, {});
  current.Set("businessStatus", ParseOrFail(R"({"text":"scheduled"})"));
  Json merged = Call("PUT", path, fhir::WriteJson(WithStatus(current, "in-progress")), 200,
                     {{"Content-Type", "application/fhir+json"}, {"If-Match", last_etag_}});
  EXPECT_EQ(merged.StringOr("status"), "in-progress");
  EXPECT_EQ(merged.Find("businessStatus")->StringOr("text"), "scheduled");
}

// Scenario 9: the home exercise program keeps its dose; education goes out as a Communication.
TEST_F(ScenariosTest, HomeExerciseProgramDelivery) {
  UploadPeople();
  Upload(Fixture("plan_of_care.json"));
  Json program = Fixture("home_exercise_program.json");
  Upload(Batch({program, Fixture("education.json")}));
  std::vector<Json> programs =
      Search("/fhir/CarePlan?identifier=https://sunrise-pt.example/sid/hep%7CHEP-30021");
  ASSERT_EQ(programs.size(), 1u);
  std::string text = fhir::WriteJson(programs[0]);
  EXPECT_NE(text.find("exercise-dose"), std::string::npos);
  EXPECT_NE(text.find("2 sets x 10 reps, hold 5 s"), std::string::npos) << text.substr(0, 2000);
  std::vector<Json> sent = Search("/fhir/Communication?category=instruction");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_NE(fhir::WriteJson(sent[0]).find("https://learn.saguarorehab.example/tka/swelling"),
            std::string::npos);
  EXPECT_EQ(Record("home_exercise_programs", "HEP-30021"), program);
}

// Scenario 10, the answer half: a 9 with "great PT" is a promoter.
TEST_F(ScenariosTest, NpsAnswerIsAPromoter) {
  UploadPeople();
  Upload(Fixture("nps_response.json"));
  std::vector<Json> responses = Search("/fhir/QuestionnaireResponse");
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_NE(fhir::WriteJson(responses[0]).find("\"valueInteger\":9"), std::string::npos);
  Json summary = Call("GET", "/practice/v1/nps?from=2025-02-01&to=2025-02-28", "", 200, {});
  EXPECT_EQ(summary.Find("promoters")->number_text(), "1");
  EXPECT_EQ(summary.Find("nps")->number_text(), "100.0");
}

}  // namespace
}  // namespace duet::test
