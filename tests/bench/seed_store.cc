// Fills a Duet store with CarePlans for the benchmarks, through the store's own write path (so
// the search index is exactly what the server maintains), in transactions of 1,000.
//
//   seed_store --store var/bench.db --patients 1000 --plans 100000 [--partner-npi 1620193841]
//
// With --partner-npi, the physician every plan names as contributor (Practitioner/md-1) carries
// that NPI, so every patient is shared with the partner organization of that NPI (a solo
// physician: gateway/auth/patient_access.h) and a SMART client of that organization sees them all.
//
// Prints one CarePlan id and one patient id to use as benchmark targets, and a file of all
// patient ids (one a line) next to the store for the search benchmark.
#include <CLI/CLI.hpp>

#include <chrono>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "fhir/json.h"
#include "gateway/store/sqlite_resource_store.h"

namespace {

using duet::Status;
using duet::fhir::Json;

// A realistic rehab plan of care of about 1.3 KB.
Json MakeCarePlan(const std::string& patient_id, int index, const char* status) {
  std::string text = R"({"resourceType":"CarePlan",
    "identifier":[{"system":"https://sunrise-pt.example/sid/plan-of-care","value":"POC-)" +
                     std::to_string(index) + R"("}],
    "text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">Physical therapy plan of care, 2x/week for 8 weeks. Rehab potential: good.</div>"},
    "status":")" + std::string(status) +
                     R"(","intent":"plan",
    "category":[{"coding":[{"system":"http://hl7.org/fhir/us/core/CodeSystem/careplan-category","code":"assess-plan"}]},
                {"coding":[{"system":"http://snomed.info/sct","code":"736055001","display":"Rehabilitation care plan"}]}],
    "title":"PT plan of care",
    "subject":{"reference":"Patient/)" +
                     patient_id + R"("},
    "period":{"start":"2026-11-02","end":"2026-12-28"},
    "author":{"reference":"Practitioner/pt-1"},
    "contributor":[{"reference":"Practitioner/md-1"}],
    "addresses":[{"reference":"Condition/dx-)" +
                     std::to_string(index) + R"("}],
    "goal":[{"reference":"Goal/g-)" +
                     std::to_string(index) + R"("}],
    "activity":[{"detail":{"kind":"ServiceRequest",
      "code":{"coding":[{"system":"http://snomed.info/sct","code":"91251008","display":"Physical therapy procedure"}]},
      "status":"in-progress",
      "scheduledTiming":{"repeat":{"frequency":2,"period":1,"periodUnit":"wk",
        "boundsDuration":{"value":8,"unit":"wk","system":"http://unitsofmeasure.org","code":"wk"}}}}}]})";
  return *duet::fhir::ParseJson(text);
}

// The referring physician of every plan, in solo practice under `npi`.
Json MakePhysician(const std::string& npi) {
  return *duet::fhir::ParseJson(
      R"({"resourceType":"Practitioner","identifier":[{"system":"http://hl7.org/fhir/sid/us-npi",
      "value":")" +
      npi + R"("}],"name":[{"family":"Chen","given":["Lydia"],"prefix":["Dr."]}]})");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Seed a Duet store with CarePlans for benchmarks"};
  std::string store_path;
  int patients = 1000;
  int plans = 100000;
  app.add_option("--store", store_path, "SQLite store file to create or extend")->required();
  app.add_option("--patients", patients, "Number of patients")->check(CLI::PositiveNumber);
  app.add_option("--plans", plans, "Number of CarePlans")->check(CLI::PositiveNumber);
  std::string partner_npi;
  app.add_option("--partner-npi", partner_npi,
                 "NPI of the contributing physician md-1 (shares every patient with that "
                 "organization)");
  CLI11_PARSE(app, argc, argv);

  auto store = duet::gateway::SqliteResourceStore::Open(store_path);
  if (!store.ok()) {
    std::cerr << "seed_store: " << store.status().ToString() << "\n";
    return 1;
  }
  if (!partner_npi.empty()) {
    auto tx = (*store)->BeginWrite();
    Status created =
        tx.ok() ? (*tx)->Create("Practitioner", "md-1", MakePhysician(partner_npi)).status()
                : tx.status();
    if (created.ok()) created = (*tx)->Commit();
    if (!created.ok()) {
      std::cerr << "seed_store: " << created.ToString() << "\n";
      return 1;
    }
  }
  std::vector<std::string> patient_ids;
  for (int p = 0; p < patients; ++p) patient_ids.push_back("bench-patient-" + std::to_string(p));
  std::mt19937 random(42);
  const char* statuses[] = {"active", "active", "completed", "draft", "revoked"};
  auto started = std::chrono::steady_clock::now();
  std::string sample_plan;
  for (int done = 0; done < plans;) {
    auto tx = (*store)->BeginWrite();
    if (!tx.ok()) {
      std::cerr << "seed_store: " << tx.status().ToString() << "\n";
      return 1;
    }
    for (int i = 0; i < 1000 && done < plans; ++i, ++done) {
      const std::string& patient = patient_ids[done % patients];
      auto created =
          (*tx)->Create("CarePlan", "", MakeCarePlan(patient, done, statuses[random() % 5]));
      if (!created.ok()) {
        std::cerr << "seed_store: " << created.status().ToString() << "\n";
        return 1;
      }
      if (sample_plan.empty()) sample_plan = created->id;
    }
    if (auto committed = (*tx)->Commit(); !committed.ok()) {
      std::cerr << "seed_store: " << committed.ToString() << "\n";
      return 1;
    }
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::ofstream ids(store_path + ".patients");
  for (const auto& id : patient_ids) ids << id << "\n";
  std::cerr << "seed_store: " << plans << " CarePlans for " << patients << " patients in "
            << seconds << " s\n";
  std::cout << "careplan_id=" << sample_plan << "\n";
  std::cout << "patient_id=" << patient_ids.front() << "\n";
  return 0;
}
