#include "gateway/sync/medication_history_source.h"

#include <algorithm>
#include <map>

#include "gateway/http/http_types.h"
#include "gateway/workflow/workflow_support.h"
#include "mappings/code_tables.h"
#include "mappings/mapper_support.h"
#include "mappings/resource_set.h"

namespace duet::gateway {
namespace {

using fhir::Json;

constexpr int kPageSize = 100;

std::string FirstString(const Json* array, std::string_view member) {
  if (array == nullptr || !array->is_array() || array->items().empty()) return "";
  return std::string(array->items().front().StringOr(member));
}

std::string FirstGiven(const Json& patient) {
  const Json* names = patient.Find("name");
  if (names == nullptr || !names->is_array() || names->items().empty()) return "";
  const Json* given = names->items().front().Find("given");
  if (given == nullptr || !given->is_array() || given->items().empty()) return "";
  const Json& first = given->items().front();
  return first.is_string() ? first.string_value() : "";
}

// "family=Lopez&given=Maria&birthdate=1956-03-14&gender=female&address-postalcode=85213", or ""
// when the practice lacks family, given or birth date.
std::string DemographicQuery(const Json& patient) {
  std::vector<std::pair<std::string, std::string>> criteria = {
      {"family", FirstString(patient.Find("name"), "family")},
      {"given", FirstGiven(patient)},
      {"birthdate", std::string(patient.StringOr("birthDate"))},
      {"gender", std::string(patient.StringOr("gender"))},
      {"address-postalcode", FirstString(patient.Find("address"), "postalCode")}};
  std::string query;
  for (size_t i = 0; i < criteria.size(); ++i) {
    const auto& [name, value] = criteria[i];
    if (value.empty() && i < 3) return "";
    if (value.empty()) continue;
    query += (query.empty() ? "" : "&") + name + "=" + PercentEncode(value);
  }
  return query;
}

std::string TypeAndId(const Json& resource) {
  return std::string(resource.StringOr("resourceType")) + "/" +
         std::string(resource.StringOr("id"));
}

}  // namespace

StatusOr<std::vector<std::string>> MedicationHistorySource::MatchingIds(const std::string& query) {
  DUET_ASSIGN_OR_RETURN(fhir::SearchResult found,
                        client_.SearchAll("Patient?" + query + "&_count=10", 1));
  std::vector<std::string> ids;
  for (const Json& resource : found.resources) {
    if (resource.StringOr("resourceType") == "Patient") {
      ids.emplace_back(resource.StringOr("id"));
    }
  }
  return ids;
}

StatusOr<SourcePatient> MedicationHistorySource::FindPatient(
    const Json& patient, const mappings::MappingContext& context) {
  std::vector<std::pair<std::string, std::string>> searches;  // (how, query)
  for (const std::string& system :
       {std::string(mappings::SystemFor(context, mappings::kinds::kMrn)),
        std::string(mappings::kMbiSystem)}) {
    if (auto value = mappings::IdentifierValue(patient, system)) {
      searches.emplace_back("identifier " + system + "|" + *value,
                            "identifier=" + PercentEncode(system + "|" + *value));
    }
  }
  std::string demographics = DemographicQuery(patient);
  if (!demographics.empty()) searches.emplace_back("demographics " + demographics, demographics);
  std::string tried;
  for (const auto& [how, query] : searches) {
    DUET_ASSIGN_OR_RETURN(std::vector<std::string> ids, MatchingIds(query));
    if (ids.size() == 1) return SourcePatient{ids.front(), how};
    if (ids.size() > 1) {
      std::string candidates;
      for (const std::string& id : ids) candidates += (candidates.empty() ? "" : ", ") + id;
      return ConflictError(std::to_string(ids.size()) + " patients at " + endpoint_.name +
                           " match " + how + " (Patient " + candidates +
                           "): refused, a patient is never guessed");
    }
    tried += (tried.empty() ? "" : "; ") + how;
  }
  if (tried.empty()) {
    return NotFoundError("the patient has no MRN, MBI or name, birth date and sex to find at " +
                         endpoint_.name);
  }
  return NotFoundError("no patient at " + endpoint_.name + " matches " + tried);
}

StatusOr<std::vector<Json>> MedicationHistorySource::FetchHistory(const std::string& patient_id,
                                                                  const std::string& from) {
  std::string patient = "patient=" + PercentEncode("Patient/" + patient_id);
  std::string count = "&_count=" + std::to_string(kPageSize);
  std::map<std::string, Json> fetched;  // by "Type/id": ordered, each once
  for (const std::string& query : {"MedicationDispense?" + patient + "&whenhandedover=ge" + from +
                                       "&_include=MedicationDispense:prescription" + count,
                                   "MedicationRequest?" + patient + "&authoredon=ge" + from +
                                       "&_include=MedicationRequest:requester" + count}) {
    DUET_ASSIGN_OR_RETURN(fhir::SearchResult found, client_.SearchAll(query));
    if (found.truncated) {
      return UnprocessableError(endpoint_.name + " returned more pages than one patient's " +
                                "history can have: " + query);
    }
    for (Json& resource : found.resources)
      fetched.emplace(TypeAndId(resource), std::move(resource));
  }
  // Prescribers of requests written before the window (included through a dispense only).
  std::vector<std::string> missing;
  for (const auto& [key, resource] : fetched) {
    if (resource.StringOr("resourceType") != "MedicationRequest") continue;
    const Json* requester = resource.Find("requester");
    LiteralReference target;
    if (requester != nullptr && ParseLiteralReference(requester->StringOr("reference"), &target) &&
        fetched.count(target.type + "/" + target.id) == 0) {
      missing.push_back(target.type + "/" + target.id);
    }
  }
  for (const std::string& key : missing) {
    size_t slash = key.find('/');
    DUET_ASSIGN_OR_RETURN(Json resource, client_.Read(key.substr(0, slash), key.substr(slash + 1)));
    fetched.emplace(key, std::move(resource));
  }
  std::vector<Json> resources;
  for (auto& [key, resource] : fetched) resources.push_back(std::move(resource));
  return resources;
}

}  // namespace duet::gateway
