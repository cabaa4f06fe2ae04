// Fills a gateway store with plans of care to push to a partner (tests/bench/run_push.sh), through
// the practice API in-process (PRF validation, conversion, the FHIR transaction and the workflow
// rules, exactly as `POST /practice/v1/records` stores them).
//
//   seed_push_store --store out/gateway.db --plans 10000
//
// The records are the PRF examples of tests/fixtures/prf with identifiers varied per plan: each
// plan of care has its own patient and referral, three goals, three diagnoses (Conditions) and a
// care team; the therapist and the certifying (and referring) physician are shared by all plans.
// The physician works at East Valley Internal Medicine (NPI 1620193841), so every plan is shared
// with that partner.
#include <CLI/CLI.hpp>

#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "fhir/json.h"
#include "fhir/validation/validator.h"
#include "gateway/fhir_api/fhir_rest_handler.h"
#include "gateway/practice_api/practice_api_handler.h"
#include "gateway/store/sqlite_resource_store.h"
#include "gateway/workflow/workflow_rules.h"

namespace {

using duet::fhir::Json;
using duet::gateway::HttpHandler;
using duet::gateway::HttpRequest;
using duet::gateway::HttpResponse;

constexpr char kIdentifierBase[] = "https://sunrise-pt.example/sid";

duet::StatusOr<Json> Fixture(const std::string& name) {
  std::ifstream in(std::string(DUET_FIXTURES_DIR) + "/prf/" + name, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) return duet::NotFoundError("cannot read fixture " + name);
  return duet::fhir::ParseJson(text.str());
}

// The PRF templates, with the identifiers of plan `index` filled in.
struct Templates {
  Json patient;
  Json referral;
  Json plan;

  static std::string Suffix(int index) {
    std::string digits = std::to_string(index);
    return std::string(6 - std::min<size_t>(6, digits.size()), '0') + digits;
  }
  Json PatientFor(int index) const {
    Json record = patient;
    record.Set("mrn", Json::String("PT-B" + Suffix(index)));
    return record;
  }
  Json ReferralFor(int index) const {
    Json record = referral;
    record.Set("id", Json::String("REF-B" + Suffix(index)));
    record.Set("patient_mrn", Json::String("PT-B" + Suffix(index)));
    return record;
  }
  Json PlanFor(int index) const {
    Json record = plan;
    record.Set("id", Json::String("POC-B" + Suffix(index)));
    record.Set("patient_mrn", Json::String("PT-B" + Suffix(index)));
    record.Set("referral_id", Json::String("REF-B" + Suffix(index)));
    return record;
  }
};

Json Batch(Json records) {
  Json batch = Json::MakeObject();
  batch.Set("record", Json::String("batch"));
  batch.Set("records", std::move(records));
  return batch;
}

duet::Status Upload(HttpHandler& practice, const Json& records) {
  HttpRequest request;
  request.method = "POST";
  request.path = "/practice/v1/records";
  request.base_url = "https://duet.bench";
  request.body = duet::fhir::WriteJson(records);
  request.headers.Set("Content-Type", "application/json");
  HttpResponse response = practice.Handle(request);
  if (response.status == 200) return duet::Status::Ok();
  return duet::InternalError("upload answered " + std::to_string(response.status) + ": " +
                             response.body.substr(0, 1000));
}

duet::Status Seed(const std::string& store_path, int plans, int per_batch) {
  DUET_ASSIGN_OR_RETURN(Json therapist, Fixture("provider.json"));
  DUET_ASSIGN_OR_RETURN(Json physician, Fixture("provider-referring.json"));
  Templates templates;
  DUET_ASSIGN_OR_RETURN(templates.patient, Fixture("patient.json"));
  DUET_ASSIGN_OR_RETURN(templates.referral, Fixture("referral.json"));
  DUET_ASSIGN_OR_RETURN(templates.plan, Fixture("plan_of_care.json"));

  DUET_ASSIGN_OR_RETURN(auto store, duet::gateway::SqliteResourceStore::Open(store_path));
  duet::fhir::Validator validator;
  duet::mappings::MappingContext context{kIdentifierBase};
  duet::gateway::WorkflowRules rules(context);
  duet::gateway::FhirRestHandler fhir(*store, validator, duet::gateway::FhirApiOptions{}, &rules);
  duet::gateway::PracticeApiHandler practice(*store, fhir, context);

  Json providers = Json::MakeArray();
  providers.Append(std::move(therapist));
  providers.Append(std::move(physician));
  DUET_RETURN_IF_ERROR(Upload(practice, Batch(std::move(providers))));
  for (int first = 0; first < plans; first += per_batch) {
    int last = std::min(plans, first + per_batch);
    Json people = Json::MakeArray();
    Json care_plans = Json::MakeArray();
    for (int index = first; index < last; ++index) {
      people.Append(templates.PatientFor(index));
      people.Append(templates.ReferralFor(index));
      care_plans.Append(templates.PlanFor(index));
    }
    DUET_RETURN_IF_ERROR(Upload(practice, Batch(std::move(people))));
    DUET_RETURN_IF_ERROR(Upload(practice, Batch(std::move(care_plans))));
  }
  return duet::Status::Ok();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Seed a gateway store with plans of care shared with one partner"};
  std::string store_path;
  int plans = 10000;
  int per_batch = 100;
  app.add_option("--store", store_path, "SQLite store file to create")->required();
  app.add_option("--plans", plans, "Number of plans of care")->check(CLI::PositiveNumber);
  app.add_option("--batch", per_batch, "Plans per upload")->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);

  auto started = std::chrono::steady_clock::now();
  if (duet::Status seeded = Seed(store_path, plans, per_batch); !seeded.ok()) {
    std::cerr << "seed_push_store: " << seeded.ToString() << "\n";
    return 1;
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cerr << "seed_push_store: " << plans << " plans of care in " << seconds << " s\n";
  return 0;
}
