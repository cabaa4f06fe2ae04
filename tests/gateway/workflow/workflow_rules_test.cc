// The FHIR-side workflows (certification, recertification, referral Tasks, inbound referrals)
// through the real FHIR API and store, with the practice API to see their effect on the native
// records.
#include "gateway/workflow/workflow_rules.h"

#include "tests/gateway/practice_api/practice_api_test_base.h"
#include "tests/support/fhir_test_util.h"

namespace duet::gateway {
namespace {

using fhir::Json;

constexpr char kApprove[] = "code=http://hl7.org/fhir/CodeSystem/task-code%7Capprove";

class WorkflowRulesTest : public testing::PracticeApiTestBase {
 protected:
  // Uploads the people and a plan of care awaiting certification (POC-8813-1, sent 2025-01-16);
  // returns its CarePlan id.
  std::string UploadPlanAwaitingCertification() {
    Upload(People());
    Upload(Fixture("plan_of_care-ot.json"));
    std::vector<Json> plans = Search(
        "/fhir/CarePlan?identifier=https://sunrise-pt.example/sid/plan-of-care%7CPOC-8813-1");
    EXPECT_EQ(plans.size(), 1u);
    return plans.empty() ? "" : std::string(plans[0].StringOr("id"));
  }
  std::vector<Json> ApproveTasks(const std::string& plan_id) {
    return Search("/fhir/Task?based-on=CarePlan/" + plan_id + "&" + kApprove);
  }
  std::string Certification(const std::string& plan) {
    Json record = GetRecord("plan_of_care", plan);
    const Json* certification = record.Find("certification");
    std::string text(certification->StringOr("status"));
    if (const Json* signed_on = certification->Find("signed_on")) {
      text += " " + signed_on->string_value();
    }
    return text;
  }
  static std::string Provenance(const std::string& target, const std::string& when) {
    return R"({"resourceType":"Provenance","target":[{"reference":")" + target +
           R"("}],"recorded":")" + when +
           R"(T10:00:00Z","activity":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-DocumentCompletion","code":"AU"}]},"agent":[{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/provenance-participant-type","code":"verifier"}]},"who":{"identifier":{"system":"http://hl7.org/fhir/sid/us-npi","value":"1234567893"}}}],"signature":[{"type":[{"system":"urn:iso-astm:E1762-95:2013","code":"1.2.840.10065.1.12.1.5","display":"Verification Signature"}],"when":")" +
           when +
           R"(T10:00:00Z","who":{"identifier":{"system":"http://hl7.org/fhir/sid/us-npi","value":"1234567893"}}}]})";
  }
  Json SetStatus(Json task, const std::string& status) {
    task.Set("status", Json::String(status));
    task.Remove("meta");
    return task;
  }
};

TEST_F(WorkflowRulesTest, ASentPlanGetsAnApproveTaskForItsVersion) {
  std::string plan = UploadPlanAwaitingCertification();
  std::vector<Json> tasks = ApproveTasks(plan);
  ASSERT_EQ(tasks.size(), 1u);
  const Json& task = tasks[0];
  EXPECT_EQ(task.StringOr("status"), "requested");
  EXPECT_EQ(task.Find("focus")->StringOr("reference"), "CarePlan/" + plan + "/_history/1");
  EXPECT_EQ(task.Find("restriction")->Find("period")->StringOr("end"), "2025-02-15");
  EXPECT_EQ(task.StringOr("authoredOn"), "2025-01-16");
  std::string owner(task.Find("owner")->StringOr("reference"));
  EXPECT_EQ(owner.rfind("Practitioner/", 0), 0u) << owner;
  Json physician = FhirJson("GET", "/fhir/" + owner, "", 200);
  EXPECT_NE(fhir::WriteJson(physician).find("1234567893"), std::string::npos);
  // Uploading the same plan again asks nothing new.
  Upload(Fixture("plan_of_care-ot.json"));
  EXPECT_EQ(ApproveTasks(plan).size(), 1u);
}

TEST_F(WorkflowRulesTest, CompletedTaskAndSignatureProvenanceSignThePlan) {
  std::string plan = UploadPlanAwaitingCertification();
  Json task = ApproveTasks(plan).at(0);
  std::string task_id(task.StringOr("id"));
  FhirJson("PUT", "/fhir/Task/" + task_id, fhir::WriteJson(SetStatus(task, "completed")), 200);
  EXPECT_EQ(Certification("POC-8813-1"), "sent") << "a completed Task alone is no signature";
  FhirJson("POST", "/fhir/Provenance", Provenance("CarePlan/" + plan + "/_history/1", "2025-01-20"),
           201);
  EXPECT_EQ(Certification("POC-8813-1"), "signed 2025-01-20");
  Json narrative = FhirJson("GET", "/fhir/CarePlan/" + plan, "", 200);
  EXPECT_NE(narrative.Find("text")->StringOr("div").find("signed 2025-01-20"), std::string::npos);

  // The practice repeats what it knew (sent): the physician's signature stays.
  Json repeat = Fixture("plan_of_care-ot.json");
  repeat.Set("updated_at", Json::String("2025-01-22T08:00:00Z"));
  Upload(repeat);
  EXPECT_EQ(Certification("POC-8813-1"), "signed 2025-01-20");
}

TEST_F(WorkflowRulesTest, ASignatureProvenanceAloneCompletesTheOpenRequest) {
  std::string plan = UploadPlanAwaitingCertification();
  FhirJson("POST", "/fhir/Provenance", Provenance("CarePlan/" + plan + "/_history/1", "2025-01-21"),
           201);
  EXPECT_EQ(ApproveTasks(plan).at(0).StringOr("status"), "completed");
  EXPECT_EQ(Certification("POC-8813-1"), "signed 2025-01-21");
}

TEST_F(WorkflowRulesTest, AnEditAfterSigningNeedsANewCertification) {
  std::string plan = UploadPlanAwaitingCertification();
  FhirJson("POST", "/fhir/Provenance", Provenance("CarePlan/" + plan + "/_history/1", "2025-01-20"),
           201);
  Json edited = Fixture("plan_of_care-ot.json");
  edited.Find("certification")->Set("status", Json::String("signed"));
  edited.Find("certification")->Set("signed_on", Json::String("2025-01-20"));
  edited.Find("frequency")->Set("per_week", Json::Integer(3));
  edited.Set("updated_at", Json::String("2025-01-25T08:00:00Z"));
  Upload(edited);
  EXPECT_EQ(Certification("POC-8813-1"), "sent");
  std::vector<Json> tasks = ApproveTasks(plan);
  ASSERT_EQ(tasks.size(), 2u);
  int open = 0;
  for (const Json& task : tasks) {
    if (task.StringOr("status") == "requested") {
      ++open;
      Json current = FhirJson("GET", "/fhir/CarePlan/" + plan, "", 200);
      EXPECT_EQ(
          task.Find("focus")->StringOr("reference"),
          "CarePlan/" + plan + "/_history/" + current.Find("meta")->StringOr("versionId").data());
    }
  }
  EXPECT_EQ(open, 1);
  // A signature on the old version no longer signs the plan.
  HttpResponse stale = Fhir("POST", "/fhir/Provenance",
                            Provenance("CarePlan/" + plan + "/_history/1", "2025-01-26"));
  EXPECT_EQ(stale.status, 409) << stale.body;
  EXPECT_NE(stale.body.find("has changed since"), std::string::npos) << stale.body;
  EXPECT_EQ(Certification("POC-8813-1"), "sent");
}

TEST_F(WorkflowRulesTest, RejectingTheTaskDeclinesThePlan) {
  std::string plan = UploadPlanAwaitingCertification();
  Json task = ApproveTasks(plan).at(0);
  FhirJson("PUT", "/fhir/Task/" + std::string(task.StringOr("id")),
           fhir::WriteJson(SetStatus(task, "rejected")), 200);
  EXPECT_EQ(Certification("POC-8813-1"), "declined");
}

TEST_F(WorkflowRulesTest, AnUploadedSignedPlanDocumentSignsThePlan) {
  std::string plan = UploadPlanAwaitingCertification();
  std::string document =
      R"({"resourceType":"DocumentReference","status":"current","docStatus":"final","type":{"coding":[{"system":"http://loinc.org","code":"18776-5","display":"Plan of care note"}]},"date":"2025-01-23T09:30:00Z","authenticator":{"identifier":{"system":"http://hl7.org/fhir/sid/us-npi","value":"1234567893"}},"content":[{"attachment":{"contentType":"application/pdf","url":"https://sunrise-pt.example/docs/poc-8813-1-signed.pdf"}}],"context":{"related":[{"reference":"CarePlan/)" +
      plan + R"("}]}})";
  FhirJson("POST", "/fhir/DocumentReference", document, 201);
  EXPECT_EQ(Certification("POC-8813-1"), "signed 2025-01-23");
}

TEST_F(WorkflowRulesTest, ARecertificationCompletesThePlanItReplaces) {
  Upload(PlanPrerequisites());
  Json first = Fixture("plan_of_care.json");
  Upload(first);
  Json second = first;
  second.Set("id", Json::String("POC-8812-2"));
  second.Set("replaces", Json::String("POC-8812-1"));
  second.Find("certification")->Set("from", Json::String("2025-03-13"));
  second.Find("certification")->Set("to", Json::String("2025-04-09"));
  second.Find("frequency")->Set("weeks", Json::Integer(4));
  Upload(second);
  EXPECT_EQ(GetRecord("plan_of_care", "POC-8812-1").StringOr("status"), "completed");
  EXPECT_EQ(GetRecord("plan_of_care", "POC-8812-2").StringOr("status"), "active");
  // The practice sending the old plan again does not revive it.
  Upload(first);
  EXPECT_EQ(GetRecord("plan_of_care", "POC-8812-1").StringOr("status"), "completed");
}

TEST_F(WorkflowRulesTest, ReferralTasksFollowTheTaskStateMachine) {
  Upload(People());
  Json referral = Fixture("referral.json");
  referral.Set("status", Json::String("received"));
  Upload(referral);
  std::vector<Json> tasks =
      Search("/fhir/Task?code=http://hl7.org/fhir/CodeSystem/task-code%7Cfulfill");
  ASSERT_EQ(tasks.size(), 1u);
  std::string id(tasks[0].StringOr("id"));
  HttpResponse skipped =
      Fhir("PUT", "/fhir/Task/" + id, fhir::WriteJson(SetStatus(tasks[0], "completed")));
  EXPECT_EQ(skipped.status, 422) << skipped.body;
  EXPECT_NE(skipped.body.find("cannot move from 'received' to 'completed'"), std::string::npos)
      << skipped.body;
  Json accepted =
      FhirJson("PUT", "/fhir/Task/" + id, fhir::WriteJson(SetStatus(tasks[0], "accepted")), 200);
  EXPECT_EQ(GetRecord("referral", "REF-2025-0117").StringOr("status"), "accepted");
  HttpResponse back =
      Fhir("PUT", "/fhir/Task/" + id, fhir::WriteJson(SetStatus(accepted, "requested")));
  EXPECT_EQ(back.status, 422) << back.body;
  FhirJson("PUT", "/fhir/Task/" + id, fhir::WriteJson(SetStatus(accepted, "in-progress")), 200);
  EXPECT_EQ(GetRecord("referral", "REF-2025-0117").StringOr("status"), "in_progress");
}

// A partner's referral transaction (FHIR-MAPPING.md scenario 2): ServiceRequest + Task, the
// patient and Dr. Chen by conditional reference, the partner's own identifiers.
std::string PartnerReferralBundle() {
  return test::FixtureText("partner/referral-transaction.json");
}

TEST_F(WorkflowRulesTest, APartnersReferralLandsInTheIntakeQueue) {
  Upload(People());
  FhirJson("POST", "/fhir", PartnerReferralBundle(), 200);
  Json queue = Parse(Practice("GET", "/practice/v1/referrals?status=received").body);
  ASSERT_EQ(queue.Find("count")->number_text(), "1") << fhir::WriteJson(queue);
  const Json& referral = queue.Find("referrals")->items()[0];
  EXPECT_EQ(referral.StringOr("direction"), "inbound");
  EXPECT_EQ(referral.StringOr("referring_npi"), "1234567893");
  EXPECT_EQ(referral.StringOr("patient_mrn"), "PT-004512");
  EXPECT_EQ(referral.StringOr("order_text"), "PT eval and treat");
  std::string id(referral.StringOr("id"));
  EXPECT_EQ(id.rfind("IN-", 0), 0u) << id;

  // Replaying the partner's Bundle creates nothing.
  Json replay = FhirJson("POST", "/fhir", PartnerReferralBundle(), 200);
  for (const Json& entry : replay.Find("entry")->items()) {
    EXPECT_EQ(entry.Find("response")->StringOr("status"), "200 OK");
  }
  EXPECT_EQ(Search("/fhir/ServiceRequest").size(), 1u);

  // Triage: received, then accepted; the queue moves on.
  Json task = Search("/fhir/Task?code=http://hl7.org/fhir/CodeSystem/task-code%7Cfulfill").at(0);
  std::string task_id(task.StringOr("id"));
  task =
      FhirJson("PUT", "/fhir/Task/" + task_id, fhir::WriteJson(SetStatus(task, "received")), 200);
  FhirJson("PUT", "/fhir/Task/" + task_id, fhir::WriteJson(SetStatus(task, "accepted")), 200);
  EXPECT_EQ(Parse(Practice("GET", "/practice/v1/referrals?status=received").body)
                .Find("count")
                ->number_text(),
            "0");
  EXPECT_EQ(GetRecord("referrals", id).StringOr("status"), "accepted");
}

TEST_F(WorkflowRulesTest, ADeclinedReferralCarriesItsReason) {
  Upload(People());
  FhirJson("POST", "/fhir", PartnerReferralBundle(), 200);
  Json task = Search("/fhir/Task?code=http://hl7.org/fhir/CodeSystem/task-code%7Cfulfill").at(0);
  task = SetStatus(task, "rejected");
  task.Set("statusReason", Parse(R"({"text":"payer out of network"})"));
  FhirJson("PUT", "/fhir/Task/" + std::string(task.StringOr("id")), fhir::WriteJson(task), 200);
  Json queue =
      Parse(Practice("GET", "/practice/v1/referrals?status=declined&direction=inbound").body);
  ASSERT_EQ(queue.Find("count")->number_text(), "1") << fhir::WriteJson(queue);
  EXPECT_EQ(queue.Find("referrals")->items()[0].StringOr("status_reason"), "payer out of network");
}

// The practice's EMR answers an inbound referral through the practice API (the record it got from
// the intake queue, with a new status): the partner's own Task moves; no second Task appears.
TEST_F(WorkflowRulesTest, ThePracticeAnswersAnInboundReferralThroughItsOwnRecord) {
  Upload(People());
  FhirJson("POST", "/fhir", PartnerReferralBundle(), 200);
  Json queue = Parse(Practice("GET", "/practice/v1/referrals?status=received").body);
  ASSERT_EQ(queue.Find("count")->number_text(), "1") << fhir::WriteJson(queue);
  std::string id(queue.Find("referrals")->items()[0].StringOr("id"));
  Json record = GetRecord("referrals", id);
  record.Set("status", Json::String("declined"));
  record.Set("status_reason", Json::String("payer out of network"));
  record.Set("updated_at", Json::String("2030-01-01T00:00:00Z"));
  Upload(record);
  std::vector<Json> tasks =
      Search("/fhir/Task?code=http://hl7.org/fhir/CodeSystem/task-code%7Cfulfill");
  ASSERT_EQ(tasks.size(), 1u) << "the partner's Task, not a second one";
  EXPECT_EQ(tasks[0].StringOr("status"), "rejected");
  EXPECT_EQ(GetRecord("referrals", id).StringOr("status"), "declined");
}

}  // namespace
}  // namespace duet::gateway
