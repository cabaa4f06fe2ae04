#include "gateway/sync/medication_history_writer.h"

#include <algorithm>
#include <map>
#include <set>

#include "fhir/base64.h"
#include "fhir/client/fhir_client.h"
#include "fhir/client/http_error.h"
#include "gateway/workflow/workflow_support.h"
#include "mappings/code_tables.h"
#include "mappings/fhir_bundle_writer.h"
#include "mappings/fhir_elements.h"
#include "mappings/mapper_support.h"
#include "mappings/medication_history_mapper.h"
#include "mappings/medication_reconciliation.h"
#include "mappings/name_based_uuid.h"

namespace duet::gateway {
namespace {

using fhir::Json;
using mappings::Arr;
using mappings::Obj;
using mappings::Str;

// One source's answer for the patient: this run's, or one held from an earlier run.
struct SourceAnswer {
  Json document;                // the DocumentReference (as stored, or to be stored)
  std::vector<Json> resources;  // the source's resources it carries
};

std::string AnswerPayload(const std::vector<Json>& resources) {
  Json entries = Json::MakeArray();
  for (const Json& resource : resources) entries.Append(Obj({{"resource", resource}}));
  return fhir::Base64Encode(fhir::WriteJson(
      Obj({{"resourceType", Str("Bundle")}, {"type", Str("collection")}, {"entry", entries}})));
}

const Json* Attachment(const Json& document) {
  const Json* content = document.Find("content");
  if (content == nullptr || !content->is_array() || content->items().empty()) return nullptr;
  return content->items().front().Find("attachment");
}

StatusOr<std::vector<Json>> ResourcesOf(const Json& document) {
  std::string label = "DocumentReference/" + std::string(document.StringOr("id"));
  const Json* attachment = Attachment(document);
  if (attachment == nullptr) return UnprocessableError(label + ": has no attachment");
  auto bytes = fhir::Base64Decode(attachment->StringOr("data"));
  if (!bytes.ok()) return bytes.status().WithContext(label + " content[0].attachment.data");
  auto bundle = fhir::ParseJson(*bytes);
  if (!bundle.ok()) return bundle.status().WithContext(label + " content[0].attachment.data");
  std::vector<Json> resources;
  if (const Json* entries = bundle->Find("entry"); entries && entries->is_array()) {
    for (const Json& entry : entries->items()) {
      if (const Json* resource = entry.Find("resource")) resources.push_back(*resource);
    }
  }
  return resources;
}

// The raw answer as a DocumentReference; `date` is when it last changed.
Json AnswerDocument(const PulledHistory& pulled, const std::string& mrn, std::string payload,
                    const std::string& date, const mappings::MappingContext& context) {
  const EndpointConfig& endpoint = *pulled.endpoint;
  std::string title = "Medication history from " + endpoint.name + " (" + endpoint.base_url + ")";
  return Obj({
      {"resourceType", Str("DocumentReference")},
      {"identifier", Arr({mappings::MakeIdentifier(
                         mappings::SystemFor(context, mappings::kinds::kMedicationHistoryResponse),
                         mrn + "/" + endpoint.name)})},
      {"status", Str("current")},
      {"type", mappings::MakeConcept(mappings::MakeCoding(mappings::kLoincSystem, "10160-0",
                                                          "History of Medication use Narrative"))},
      {"subject", mappings::PatientReference(context, mrn)},
      {"date", Str(date)},
      {"author", Arr({Obj({{"type", Str("Organization")},
                           {"identifier", mappings::MakeIdentifier(mappings::kNpiSystem,
                                                                   endpoint.organization_npi)},
                           {"display", Str(endpoint.name)}})})},
      {"description", Str(title + "; patient matched by " + pulled.matched_by)},
      {"content", Arr({Obj({{"attachment", Obj({{"contentType", Str("application/fhir+json")},
                                                {"data", Str(std::move(payload))},
                                                {"title", Str(title)}})}})})},
  });
}

// The answers held for the patient, by endpoint name (from the identifier `<mrn>/<endpoint>`).
StatusOr<std::map<std::string, SourceAnswer>> HeldAnswers(ResourceStore& store,
                                                          const StoredResource& patient,
                                                          const std::string& mrn,
                                                          const mappings::MappingContext& context) {
  std::string_view system =
      mappings::SystemFor(context, mappings::kinds::kMedicationHistoryResponse);
  DUET_ASSIGN_OR_RETURN(
      std::vector<StoredResource> found,
      SearchAllInStore(store, "DocumentReference", {{"subject", "Patient/" + patient.id}}));
  std::map<std::string, SourceAnswer> answers;
  for (const StoredResource& stored : found) {
    DUET_ASSIGN_OR_RETURN(Json document, ParseStored(stored));
    auto value = mappings::IdentifierValue(document, system);
    if (!value || value->rfind(mrn + "/", 0) != 0) continue;
    DUET_ASSIGN_OR_RETURN(std::vector<Json> resources, ResourcesOf(document));
    answers[value->substr(mrn.size() + 1)] =
        SourceAnswer{std::move(document), std::move(resources)};
  }
  return answers;
}

// The fills of one answer since `from`; a dispense without identifiers is named by the source's
// id for it.
std::vector<mappings::ReportedFill> AnswerFills(const std::string& endpoint,
                                                std::vector<Json> resources,
                                                const std::string& from,
                                                const mappings::MappingContext& context,
                                                std::vector<std::string>* problems) {
  std::string fallback =
      std::string(mappings::SystemFor(context, mappings::kinds::kMedicationHistorySource)) + "/" +
      endpoint;
  for (Json& resource : resources) {
    if (resource.StringOr("resourceType") == "MedicationDispense" &&
        resource.Find("identifier") == nullptr) {
      resource.Set("identifier",
                   Arr({mappings::MakeIdentifier(fallback, resource.StringOr("id"))}));
    }
  }
  std::vector<std::string> found;
  std::vector<mappings::ReportedFill> fills =
      mappings::FillsFromDispenses(mappings::ResourceSet(std::move(resources)), endpoint, &found);
  for (std::string& problem : found) problems->push_back(endpoint + ": " + problem);
  fills.erase(std::remove_if(fills.begin(), fills.end(),
                             [&](const mappings::ReportedFill& fill) { return fill.date < from; }),
              fills.end());
  return fills;
}

Json Reference(std::string reference) { return Obj({{"reference", Str(std::move(reference))}}); }

// One Provenance per patient: what the history holds, from which sources.
Json HistoryProvenance(const std::string& id, const std::vector<Json>& written,
                       const std::map<std::string, SourceAnswer>& answers,
                       const std::string& recorded) {
  Json targets = Json::MakeArray();
  for (const Json& resource : written) {
    if (resource.StringOr("resourceType") != "DocumentReference") {
      targets.Append(Reference(mappings::ResourceFullUrl(resource)));
    }
  }
  Json agents = Json::MakeArray();
  Json entities = Json::MakeArray();
  for (const auto& [endpoint, answer] : answers) {
    const Json* authors = answer.document.Find("author");
    agents.Append(
        Obj({{"type", mappings::MakeConcept(mappings::MakeCoding(
                          "http://terminology.hl7.org/CodeSystem/provenance-participant-type",
                          "author", "Author"))},
             {"who", authors->items().front()}}));
    std::string stored_id(answer.document.StringOr("id"));
    Json what = stored_id.empty() ? Reference(mappings::ResourceFullUrl(answer.document))
                                  : Reference("DocumentReference/" + stored_id);
    if (written.size() <= 1) targets.Append(what);  // no fills: the answers themselves
    entities.Append(Obj({{"role", Str("source")}, {"what", std::move(what)}}));
  }
  return Obj({{"resourceType", Str("Provenance")},
              {"id", Str(id)},
              {"target", std::move(targets)},
              {"recorded", Str(recorded)},
              {"agent", std::move(agents)},
              {"entity", std::move(entities)}});
}

// What the history held and no longer holds, marked entered-in-error (PUT by id).
StatusOr<std::vector<Json>> Retractions(ResourceStore& store, const StoredResource& patient,
                                        const std::vector<Json>& written,
                                        const mappings::MappingContext& context) {
  std::set<std::string> kept;
  for (const Json& resource : written) kept.insert(mappings::ResourceFullUrl(resource));
  std::vector<Json> entries;
  for (const char* type : {"MedicationStatement", "MedicationDispense"}) {
    DUET_ASSIGN_OR_RETURN(std::vector<StoredResource> found,
                          SearchAllInStore(store, type, {{"subject", "Patient/" + patient.id}}));
    for (const StoredResource& stored : found) {
      DUET_ASSIGN_OR_RETURN(Json resource, ParseStored(stored));
      if (!mappings::IsMedicationHistory(resource, context) ||
          resource.StringOr("status") == "entered-in-error" ||
          kept.count(mappings::ResourceFullUrl(resource)) > 0) {
        continue;
      }
      resource.Remove("meta");
      resource.Set("status", Str("entered-in-error"));
      entries.push_back(Obj(
          {{"resource", std::move(resource)},
           {"request",
            Obj({{"method", Str("PUT")}, {"url", Str(std::string(type) + "/" + stored.id)}})}}));
    }
  }
  return entries;
}

}  // namespace

Status MedicationHistoryWriter::Post(const Json& bundle) {
  HttpRequest post;
  post.method = "POST";
  post.path = "/fhir";
  post.base_url = "https://localhost";
  post.headers.Set("Content-Type", "application/fhir+json");
  post.body = fhir::WriteJson(bundle);
  HttpResponse answer = local_fhir_.Handle(post);
  fhir::FhirResponse response;
  response.status = answer.status;
  response.body = std::move(answer.body);
  response.url = "local FHIR API";
  return fhir::HttpErrorStatus("POST", response);
}

StatusOr<StoredHistory> MedicationHistoryWriter::Store(
    const StoredResource& patient, const std::string& mrn, const PulledHistory& pulled,
    const std::string& from, const std::string& as_of, const std::string& now) {
  DUET_ASSIGN_OR_RETURN(auto answers, HeldAnswers(store_, patient, mrn, context_));
  std::string payload = AnswerPayload(pulled.resources);
  std::string date = now;
  auto held = answers.find(pulled.endpoint->name);
  if (held != answers.end()) {
    const Json* attachment = Attachment(held->second.document);
    if (attachment != nullptr && attachment->StringOr("data") == payload) {
      date = std::string(held->second.document.StringOr("date"));
    }
  }
  Json document = AnswerDocument(pulled, mrn, std::move(payload), date, context_);
  answers[pulled.endpoint->name] = SourceAnswer{document, pulled.resources};

  StoredHistory outcome;
  std::vector<mappings::ReportedFill> fills;
  std::string asserted;
  for (const auto& [endpoint, answer] : answers) {  // by endpoint name: the same order every run
    for (mappings::ReportedFill& fill :
         AnswerFills(endpoint, answer.resources, from, context_, &outcome.problems)) {
      fills.push_back(std::move(fill));
    }
    asserted = std::max(asserted, std::string(answer.document.StringOr("date")));
  }
  mappings::ReconciledHistory history = mappings::ReconcileFills(std::move(fills), as_of);
  DUET_ASSIGN_OR_RETURN(std::vector<Json> written,
                        mappings::MedicationHistoryToFhir(history, mrn, asserted, context_));
  DUET_ASSIGN_OR_RETURN(std::vector<Json> retracted,
                        Retractions(store_, patient, written, context_));
  Json provenance = HistoryProvenance(
      mappings::DeterministicUuid(
          "Provenance|medication-history|" +
          std::string(mappings::SystemFor(context_, mappings::kinds::kMrn)) + "|" + mrn),
      written, answers, asserted);
  outcome.medications = static_cast<int>(history.medications.size());
  outcome.fills = static_cast<int>(written.size()) - outcome.medications;
  outcome.sources = static_cast<int>(answers.size());

  written.insert(written.begin(), std::move(document));
  Json bundle = mappings::ToTransactionBundle(std::move(written));
  Json* entries = bundle.Find("entry");
  for (Json& entry : retracted) entries->Append(std::move(entry));
  std::string provenance_id(provenance.StringOr("id"));
  entries->Append(Obj(
      {{"resource", std::move(provenance)},
       {"request", Obj({{"method", Str("PUT")}, {"url", Str("Provenance/" + provenance_id)}})}}));
  DUET_RETURN_IF_ERROR(Post(bundle));
  return outcome;
}

}  // namespace duet::gateway
