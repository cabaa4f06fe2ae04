// PullMedicationHistoryJob against scripted medication-history sources over TLS, serving the
// scenario-7 fixtures (tests/fixtures/medication-history): patient matching, paging, the
// 12-month window, outages, idempotent re-pulls and the reconciliation of two sources.
#include "gateway/sync/pull_medication_history_job.h"

#include <atomic>
#include <mutex>

#include "gateway/store/sqlite_sync_state_store.h"
#include "gateway/sync/sync_jobs.h"
#include "tests/gateway/practice_api/practice_api_test_base.h"
#include "tests/support/fhir_test_util.h"
#include "tests/support/recording_audit_log.h"
#include "tests/support/scripted_https_server.h"

namespace duet::gateway {
namespace {

using fhir::Json;
using test::ScriptedRequest;
using test::ScriptedResponse;

std::string Query(const ScriptedRequest& request, const std::string& name) {
  size_t question = request.target.find('?');
  if (question == std::string::npos) return "";
  for (const auto& [key, value] : ParseQueryString(request.target.substr(question + 1))) {
    if (key == name) return value;
  }
  return "";
}

bool HasIdentifier(const Json& resource, const std::string& token) {
  if (const Json* identifiers = resource.Find("identifier")) {
    for (const Json& identifier : identifiers->items()) {
      if (std::string(identifier.StringOr("system")) + "|" +
              std::string(identifier.StringOr("value")) ==
          token) {
        return true;
      }
    }
  }
  return false;
}

// A medication-history source holding one fixture's resources, answering the searches the job
// makes, two resources a page.
class FakeSource {
 public:
  explicit FakeSource(const std::string& fixture) {
    Json bundle = test::ParseOrFail(test::FixtureText("medication-history/" + fixture));
    for (const Json& entry : bundle.Find("entry")->items())
      resources_.push_back(*entry.Find("resource"));
    server_ = std::make_unique<test::ScriptedHttpsServer>(
        [this](const ScriptedRequest& request) { return Answer(request); });
    EXPECT_TRUE(server_->Start().ok());
  }

  // Overrides the answer to requests whose target contains `part` (status 0 = no override).
  void Override(std::string part, ScriptedResponse response) {
    std::lock_guard<std::mutex> lock(mutex_);
    overrides_.emplace_back(std::move(part), std::move(response));
  }
  void ClearOverrides() {
    std::lock_guard<std::mutex> lock(mutex_);
    overrides_.clear();
  }
  // Adds the resource, or replaces the one of the same type and id.
  void Put(Json resource) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (Json& held : resources_) {
      if (held.StringOr("resourceType") == resource.StringOr("resourceType") &&
          held.StringOr("id") == resource.StringOr("id")) {
        held = std::move(resource);
        return;
      }
    }
    resources_.push_back(std::move(resource));
  }
  const Json& Resource(const std::string& id) const {
    for (const Json& held : resources_) {
      if (held.StringOr("id") == id) return held;
    }
    return resources_.front();
  }
  std::vector<std::string> Targets() const {
    std::vector<std::string> targets;
    for (const ScriptedRequest& request : server_->requests()) targets.push_back(request.target);
    return targets;
  }
  std::string base_url() const { return server_->base_url() + "/fhir"; }

 private:
  ScriptedResponse Answer(const ScriptedRequest& request) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& [part, response] : overrides_) {
      if (request.target.find(part) != std::string::npos) return response;
    }
    std::string path = request.path();
    std::vector<Json> found;
    if (path == "/fhir/Patient") found = Patients(request);
    if (path == "/fhir/MedicationDispense")
      found = OfPatient("MedicationDispense", request, "MedicationRequest");
    if (path == "/fhir/MedicationRequest")
      found = OfPatient("MedicationRequest", request, "Practitioner");
    int page = std::max(1, std::atoi(Query(request, "_page").c_str()));
    Json entries = Json::MakeArray();
    for (size_t i = (page - 1) * 2; i < found.size() && i < static_cast<size_t>(page) * 2; ++i) {
      Json entry = Json::MakeObject();
      entry.Set("resource", found[i]);
      entries.Append(std::move(entry));
    }
    Json bundle = test::ParseOrFail(R"({"resourceType":"Bundle","type":"searchset"})");
    bundle.Set("entry", std::move(entries));
    if (found.size() > static_cast<size_t>(page) * 2) {
      std::string next = server_->base_url() + request.target;
      size_t at = next.find("&_page=");
      if (at != std::string::npos) next.resize(at);
      bundle.Set("link", test::ParseOrFail(R"([{"relation":"next","url":")" + next +
                                           "&_page=" + std::to_string(page + 1) + R"("}])"));
    }
    return ScriptedResponse::Fhir(200, fhir::WriteJson(bundle));
  }

  std::vector<Json> Patients(const ScriptedRequest& request) {
    std::vector<Json> found;
    for (const Json& resource : resources_) {
      if (resource.StringOr("resourceType") != "Patient") continue;
      std::string identifier = Query(request, "identifier");
      if (!identifier.empty()) {
        if (HasIdentifier(resource, identifier)) found.push_back(resource);
        continue;
      }
      const Json& name = resource.Find("name")->items().front();
      if (name.StringOr("family") == Query(request, "family") &&
          name.Find("given")->items().front().string_value() == Query(request, "given") &&
          resource.StringOr("birthDate") == Query(request, "birthdate")) {
        found.push_back(resource);
      }
    }
    return found;
  }

  // Resources of `type` of the patient, then the `included` ones they refer to.
  std::vector<Json> OfPatient(const std::string& type, const ScriptedRequest& request,
                              const std::string& included) {
    std::vector<Json> found;
    std::vector<Json> includes;
    for (const Json& resource : resources_) {
      if (resource.StringOr("resourceType") != type) continue;
      if (resource.Find("subject")->StringOr("reference") != Query(request, "patient")) continue;
      found.push_back(resource);
    }
    std::string text;
    for (const Json& resource : found) text += fhir::WriteJson(resource);
    for (const Json& resource : resources_) {
      std::string reference = std::string(resource.StringOr("resourceType")) + "/" +
                              std::string(resource.StringOr("id"));
      if (resource.StringOr("resourceType") == included &&
          text.find("\"" + reference + "\"") != std::string::npos) {
        includes.push_back(resource);
      }
    }
    found.insert(found.end(), includes.begin(), includes.end());
    return found;
  }

  mutable std::mutex mutex_;
  std::vector<Json> resources_;
  std::vector<std::pair<std::string, ScriptedResponse>> overrides_;
  std::unique_ptr<test::ScriptedHttpsServer> server_;
};

class PullMedicationHistoryJobTest : public testing::PracticeApiTestBase {
 protected:
  void SetUp() override {
    PracticeApiTestBase::SetUp();
    state_ = std::move(*SqliteSyncStateStore::Open(dir_ + "/duet.db"));
    Upload(PlanPrerequisites());
    Upload(Fixture("plan_of_care.json"));
  }
  void TearDown() override {
    jobs_.clear();
    clients_.clear();
    sources_.clear();
    state_.reset();
    PracticeApiTestBase::TearDown();
  }

  // A job named `name` pulling from a new source serving `fixture`.
  PullMedicationHistoryJob& AddSource(const std::string& name, const std::string& fixture) {
    sources_.push_back(std::make_unique<FakeSource>(fixture));
    EndpointConfig endpoint;
    endpoint.name = name;
    endpoint.base_url = sources_.back()->base_url();
    endpoint.organization_npi = name == "pbm" ? "1407196439" : "1619962479";
    endpoint.tls.ca_file = test::TestCertsDir() + "/ca.pem";
    clients_.push_back(std::move(*MakeEndpointClient(endpoint)));
    JobConfig job;
    job.name = "medhx-" + name;
    job.kind = "pull_medication_history";
    job.endpoint = name;
    job.every_seconds = 3600;
    job.as_of = "2025-01-20";
    SyncContext context{*store_,
                        *state_,
                        *fhir_,
                        mappings::MappingContext{testing::kIdentifierBase},
                        [this] { return now_.load(); },
                        audit_log_};
    jobs_.push_back(
        std::make_unique<PullMedicationHistoryJob>(job, endpoint, context, *clients_.back()));
    return *jobs_.back();
  }
  static StatusOr<JobRunReport> Run(PullMedicationHistoryJob& job) {
    return job.RunOnce([] { return false; });
  }
  size_t Count(const std::string& query) { return Search(query).size(); }
  std::string PatientId() { return Search("/fhir/Patient")[0].StringOr("id").data(); }

  std::unique_ptr<SqliteSyncStateStore> state_;
  std::vector<std::unique_ptr<FakeSource>> sources_;
  std::vector<std::unique_ptr<fhir::FhirClient>> clients_;
  std::vector<std::unique_ptr<PullMedicationHistoryJob>> jobs_;
  std::atomic<int64_t> now_{1'800'000'000};
  test::RecordingAuditLog audit_log_;
};

TEST_F(PullMedicationHistoryJobTest, APatientFoundByIdentifierGetsTheFillsOfTheWindow) {
  PullMedicationHistoryJob& job = AddSource("pbm", "pbm-claims.json");
  auto report = Run(job);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->failed, 0) << report->message;
  EXPECT_EQ(report->received, 2) << "the reversed claim is dropped: " << report->message;
  std::vector<AuditRecord> records = audit_log_.Take();
  ASSERT_EQ(records.size(), 1u) << "one audit record per patient pulled";
  EXPECT_EQ(records[0].interaction, "search-type");
  EXPECT_EQ(records[0].agent.client_id, "medhx-pbm");
  EXPECT_EQ(records[0].outcome, 0);
  EXPECT_EQ(records[0].patients, (std::vector<std::string>{PatientId()}));
  std::vector<std::string> targets = sources_[0]->Targets();
  ASSERT_GE(targets.size(), 3u);
  EXPECT_NE(targets[0].find("identifier=https%3A%2F%2Fsunrise-pt.example%2Fsid%2Fmrn%7CPT-004512"),
            std::string::npos)
      << targets[0];
  EXPECT_NE(targets[1].find("identifier=http%3A%2F%2Fhl7.org%2Ffhir%2Fsid%2Fus-mbi%7C1EG4TE5MK73"),
            std::string::npos)
      << targets[1];
  bool window = false;
  for (const std::string& target : targets) {
    window |= target.find(
                  "/fhir/MedicationDispense?patient=Patient%2Fmbr-77104&whenhandedover="
                  "ge2024-01-20") != std::string::npos;
  }
  EXPECT_TRUE(window) << "12 months before as_of 2025-01-20";
  EXPECT_EQ(Count("/fhir/MedicationDispense"), 2u);
  std::vector<Json> statements = Search("/fhir/MedicationStatement");
  ASSERT_EQ(statements.size(), 1u);
  EXPECT_EQ(statements[0].StringOr("status"), "active");
  EXPECT_EQ(statements[0].Find("effectivePeriod")->StringOr("start"), "2024-12-01");
  EXPECT_EQ(statements[0].Find("effectivePeriod")->StringOr("end"), "2025-01-30");
  EXPECT_EQ(Count("/fhir/List"), 0u) << "never written into the practice's own list";
  std::string dispense = fhir::WriteJson(Search("/fhir/MedicationDispense")[0]);
  EXPECT_NE(dispense.find("https://pbm.example/claims"), std::string::npos)
      << "the source's identifiers are kept: " << dispense;
}

TEST_F(PullMedicationHistoryJobTest, APatientFoundByDemographicsIsPulled) {
  PullMedicationHistoryJob& job = AddSource("pharmacy", "pharmacy-fills.json");
  auto report = Run(job);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->received, 2) << report->message;
  std::vector<std::string> targets = sources_[0]->Targets();
  ASSERT_GE(targets.size(), 3u);
  EXPECT_NE(targets[2].find("family=Lopez&given=Maria&birthdate=1956-03-14&gender=female&"
                            "address-postalcode=85213"),
            std::string::npos)
      << targets[2];
  std::vector<Json> documents = Search("/fhir/DocumentReference");
  ASSERT_EQ(documents.size(), 1u);
  EXPECT_NE(documents[0].StringOr("description").find("patient matched by demographics"),
            std::string::npos);
}

TEST_F(PullMedicationHistoryJobTest, AnAmbiguousMatchIsRefusedWithItsReason) {
  PullMedicationHistoryJob& job = AddSource("pharmacy", "pharmacy-fills.json");
  Json twin = test::ParseOrFail(
      R"({"resourceType":"Patient","id":"p-90017","name":[{"family":"Lopez","given":["Maria"]}],
          "gender":"female","birthDate":"1956-03-14"})");
  sources_[0]->Put(twin);
  auto report = Run(job);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->failed, 1);
  auto dead = state_->Items("medhx-pharmacy", "dead");
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ((*dead)[0].key, "patient PT-004512");
  EXPECT_NE((*dead)[0].last_error.find("2 patients at pharmacy match demographics"),
            std::string::npos)
      << (*dead)[0].last_error;
  EXPECT_NE((*dead)[0].last_error.find("p-88213, p-90017): refused"), std::string::npos);
  EXPECT_EQ(Count("/fhir/MedicationDispense"), 0u);
  for (const std::string& target : sources_[0]->Targets()) {
    EXPECT_EQ(target.find("Medication"), std::string::npos) << "nothing fetched: " << target;
  }
}

TEST_F(PullMedicationHistoryJobTest, NoMatchIsADeadLetterNamingTheSearchesUntilTheNextPeriod) {
  PullMedicationHistoryJob& job = AddSource("pharmacy", "pharmacy-fills.json");
  sources_[0]->Override(
      "/fhir/Patient?",
      ScriptedResponse::Fhir(200, R"({"resourceType":"Bundle","type":"searchset"})"));
  ASSERT_TRUE(Run(job).ok());
  auto dead = state_->Items("medhx-pharmacy", "dead");
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_NE((*dead)[0].last_error.find(
                "no patient at pharmacy matches identifier https://sunrise-pt.example/sid/mrn|"
                "PT-004512; identifier http://hl7.org/fhir/sid/us-mbi|1EG4TE5MK73; demographics "
                "family=Lopez"),
            std::string::npos)
      << (*dead)[0].last_error;
  size_t requests = sources_[0]->Targets().size();
  now_ += 3600;
  ASSERT_TRUE(Run(job).ok());
  EXPECT_EQ(sources_[0]->Targets().size(), requests) << "not asked again within the period";
  sources_[0]->ClearOverrides();
  now_ += 7 * 86400;
  auto later = Run(job);
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->received, 2) << later->message;
  EXPECT_EQ(state_->Items("medhx-pharmacy", "dead")->size(), 0u);
}

TEST_F(PullMedicationHistoryJobTest, EveryPageIsRead) {
  PullMedicationHistoryJob& job = AddSource("pbm", "pbm-claims.json");
  auto report = Run(job);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  bool second_page = false;
  for (const std::string& target : sources_[0]->Targets()) {
    second_page |= target.find("MedicationDispense?") != std::string::npos &&
                   target.find("&_page=2") != std::string::npos;
  }
  EXPECT_TRUE(second_page) << "3 dispenses and their request, two a page";
  EXPECT_EQ(Count("/fhir/MedicationDispense"), 2u);
}

TEST_F(PullMedicationHistoryJobTest, FillsBeforeTheWindowAreLeftOutEvenWhenTheSourceSendsThem) {
  PullMedicationHistoryJob& job = AddSource("pharmacy", "pharmacy-fills.json");
  // The scripted source ignores the date criterion, as a source may.
  Json old = *test::ParseOrFail(test::FixtureText("medication-history/pharmacy-fills.json"))
                  .Find("entry")
                  ->items()[3]
                  .Find("resource");
  old.Set("id", Json::String("fill-0"));
  old.Set("whenPrepared", Json::String("2023-10-05"));
  old.Set("whenHandedOver", Json::String("2023-10-05"));
  old.Find("identifier")->items()[0].Set("value", Json::String("4471-old"));
  sources_[0]->Put(old);
  auto report = Run(job);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->received, 2) << report->message;
  for (const Json& dispense : Search("/fhir/MedicationDispense")) {
    EXPECT_NE(dispense.StringOr("whenHandedOver"), "2023-10-05");
  }
}

TEST_F(PullMedicationHistoryJobTest, ASourceThatIsDownIsTriedAgainLater) {
  PullMedicationHistoryJob& job = AddSource("pbm", "pbm-claims.json");
  sources_[0]->Override("/fhir/", ScriptedResponse::Fhir(503, R"({"resourceType":"OperationOutcome",
      "issue":[{"severity":"error","code":"transient","diagnostics":"maintenance"}]})"));
  auto down = Run(job);
  EXPECT_FALSE(down.ok());
  EXPECT_EQ(down.status().code(), StatusCode::kUnavailable) << down.status().ToString();
  auto waiting = state_->Items("medhx-pbm", "pending");
  ASSERT_EQ(waiting->size(), 1u);
  EXPECT_EQ((*waiting)[0].next_attempt_at, now_ + 60);
  EXPECT_NE((*waiting)[0].last_error.find("HTTP 503"), std::string::npos)
      << (*waiting)[0].last_error;
  sources_[0]->ClearOverrides();
  now_ += 30;
  EXPECT_EQ(Run(job)->received, 0) << "not due before its backoff";
  now_ += 30;
  auto recovered = Run(job);
  ASSERT_TRUE(recovered.ok());
  EXPECT_EQ(recovered->received, 2);
  EXPECT_EQ(state_->Items("medhx-pbm", "pending")->size(), 0u);
}

TEST_F(PullMedicationHistoryJobTest, AFillTheSourceReversesLaterIsRetracted) {
  PullMedicationHistoryJob& job = AddSource("pbm", "pbm-claims.json");
  ASSERT_TRUE(Run(job).ok());
  Json reversed = sources_[0]->Resource("clm-9003");
  reversed.Set("status", Json::String("entered-in-error"));
  sources_[0]->Put(reversed);
  now_ += 8 * 86400;
  auto again = Run(job);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->received, 1) << again->message;
  std::vector<Json> dispenses = Search("/fhir/MedicationDispense?status=completed");
  ASSERT_EQ(dispenses.size(), 1u);
  EXPECT_EQ(dispenses[0].StringOr("whenHandedOver"), "2024-12-01");
  std::vector<Json> retracted = Search("/fhir/MedicationDispense?status=entered-in-error");
  ASSERT_EQ(retracted.size(), 1u) << "kept, marked, not deleted";
  EXPECT_EQ(retracted[0].StringOr("whenHandedOver"), "2024-12-31");
  std::vector<Json> statements = Search("/fhir/MedicationStatement");
  ASSERT_EQ(statements.size(), 1u);
  EXPECT_EQ(statements[0].Find("effectivePeriod")->StringOr("end"), "2024-12-31");
  EXPECT_EQ(statements[0].StringOr("status"), "active") << "2024-12-31 + 30 days >= 2025-01-20";
}

// A crash after the patient's transaction committed but before the marker and the outbox item
// were recorded: the next run pulls the patient again and writes nothing new.
TEST_F(PullMedicationHistoryJobTest, ARunRepeatedAfterACrashDuplicatesNothing) {
  PullMedicationHistoryJob& job = AddSource("pbm", "pbm-claims.json");
  ASSERT_TRUE(Run(job).ok());
  std::vector<Json> before = Search("/fhir/MedicationDispense");
  state_ = std::move(*SqliteSyncStateStore::Open(dir_ + "/state-before-the-crash.db"));
  jobs_.clear();
  clients_.clear();
  sources_.clear();
  PullMedicationHistoryJob& restarted = AddSource("pbm", "pbm-claims.json");
  auto report = Run(restarted);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->received, 2) << "pulled again: " << report->message;
  EXPECT_EQ(Search("/fhir/MedicationDispense"), before) << "same resources, same versions";
  EXPECT_EQ(Count("/fhir/MedicationStatement"), 1u);
  EXPECT_EQ(Count("/fhir/Provenance"), 1u);
  EXPECT_EQ(Count("/fhir/DocumentReference"), 1u);
}

// FHIR-MAPPING.md scenario 7 with two sources, and re-pulls that change nothing.
TEST_F(PullMedicationHistoryJobTest, TwoSourcesReconcileIntoOneMedicationAndRePullsChangeNothing) {
  PullMedicationHistoryJob& pbm = AddSource("pbm", "pbm-claims.json");
  PullMedicationHistoryJob& pharmacy = AddSource("pharmacy", "pharmacy-fills.json");
  ASSERT_TRUE(Run(pbm).ok());
  auto second = Run(pharmacy);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->received, 3) << second->message;

  auto check = [&](const std::string& version) {
    std::vector<Json> dispenses = Search("/fhir/MedicationDispense");
    EXPECT_EQ(dispenses.size(), 3u);
    Json bundle = FhirJson("GET",
                           "/fhir/MedicationStatement?patient=Patient/" + PatientId() +
                               "&_revinclude=Provenance:target",
                           "", 200);
    std::vector<Json> statements, provenances;
    for (const Json& entry : bundle.Find("entry")->items()) {
      const Json& resource = *entry.Find("resource");
      (resource.StringOr("resourceType") == "Provenance" ? provenances : statements)
          .push_back(resource);
    }
    ASSERT_EQ(statements.size(), 1u);
    ASSERT_EQ(provenances.size(), 1u);
    const Json& statement = statements[0];
    EXPECT_EQ(statement.StringOr("status"), "active");
    EXPECT_EQ(statement.Find("effectivePeriod")->StringOr("start"), "2024-11-02");
    EXPECT_EQ(statement.Find("effectivePeriod")->StringOr("end"), "2025-01-30");
    EXPECT_EQ(statement.Find("derivedFrom")->items().size(), 3u);
    EXPECT_EQ(statement.Find("meta")->StringOr("versionId"), version);
    std::string provenance = fhir::WriteJson(provenances[0]);
    EXPECT_NE(provenance.find("\"display\":\"pbm\""), std::string::npos) << provenance;
    EXPECT_NE(provenance.find("\"display\":\"pharmacy\""), std::string::npos) << provenance;
    EXPECT_EQ(provenances[0].Find("target")->items().size(), 4u);
    EXPECT_EQ(provenances[0].Find("meta")->StringOr("versionId"), version);
  };
  check("2");  // the pharmacy's fills joined the PBM's medication
  Json list = GetRecord("medication_lists", "PT-004512");
  ASSERT_EQ(list.Find("medications")->items().size(), 1u) << fhir::WriteJson(list);
  const Json& lisinopril = list.Find("medications")->items()[0];
  EXPECT_EQ(lisinopril.StringOr("rxnorm"), "314076");
  EXPECT_EQ(lisinopril.StringOr("status"), "active");
  EXPECT_EQ(lisinopril.StringOr("source"), "medication_history");
  EXPECT_EQ(lisinopril.StringOr("prescriber_npi"), "1234567893");
  EXPECT_EQ(lisinopril.StringOr("first_fill"), "2024-11-02");
  EXPECT_EQ(lisinopril.StringOr("last_fill"), "2024-12-31");
  ASSERT_EQ(lisinopril.Find("fills")->items().size(), 3u);
  EXPECT_EQ(lisinopril.Find("fills")->items()[1].StringOr("source_name"),
            "pbm + pharmacy (duplicate collapsed)");

  now_ += 8 * 86400;  // both due again
  auto again_pbm = Run(pbm);
  auto again_pharmacy = Run(pharmacy);
  ASSERT_TRUE(again_pbm.ok() && again_pharmacy.ok());
  EXPECT_EQ(again_pbm->received, 3) << again_pbm->message;
  check("2");
  EXPECT_EQ(Count("/fhir/DocumentReference"), 2u);
  EXPECT_EQ(Count("/fhir/Provenance"), 1u);
}

}  // namespace
}  // namespace duet::gateway
