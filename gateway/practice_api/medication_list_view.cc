#include "gateway/practice_api/medication_list_view.h"

#include "fhir/search/date_range.h"
#include "gateway/workflow/workflow_support.h"
#include "mappings/medication_history_mapper.h"
#include "mappings/medication_reconciliation.h"
#include "mappings/resource_set.h"

namespace duet::gateway {
namespace {

using fhir::Json;

// The later of two instants (either may be "").
std::string Later(const std::string& a, const std::string& b) {
  auto low = [](const std::string& instant) {
    auto range = fhir::ParseDateRange(instant);
    return range.ok() ? range->low : std::string();
  };
  return low(a) >= low(b) ? a : b;
}

}  // namespace

StatusOr<std::pair<std::vector<Json>, std::string>> MedicationListView::History(
    const std::string& patient_id) const {
  DUET_ASSIGN_OR_RETURN(
      std::vector<StoredResource> statements,
      SearchAllInStore(store_, "MedicationStatement", {{"subject", "Patient/" + patient_id}}));
  std::vector<Json> resources;
  std::string asserted;
  for (const StoredResource& stored : statements) {
    DUET_ASSIGN_OR_RETURN(Json statement, ParseStored(stored));
    if (!mappings::IsMedicationHistory(statement, loader_.context())) continue;
    if (const Json* derived = statement.Find("derivedFrom"); derived && derived->is_array()) {
      for (const Json& reference : derived->items()) {
        LiteralReference target;
        if (!ParseLiteralReference(reference.StringOr("reference"), &target)) continue;
        auto dispense = store_.Read(target.type, target.id);
        if (dispense.ok() && !dispense->deleted) {
          DUET_ASSIGN_OR_RETURN(Json json, ParseStored(*dispense));
          resources.push_back(std::move(json));
        }
      }
    }
    if (statement.StringOr("status") != "entered-in-error") {
      asserted = Later(asserted, std::string(statement.StringOr("dateAsserted")));
    }
    resources.push_back(std::move(statement));
  }
  DUET_ASSIGN_OR_RETURN(std::vector<Json> history,
                        mappings::MedicationHistoryFromFhir(
                            mappings::ResourceSet(std::move(resources)), loader_.context()));
  return std::make_pair(std::move(history), asserted);
}

StatusOr<Json> MedicationListView::Load(const std::string& mrn) const {
  StatusOr<Json> list = loader_.Load("medication_list", mrn);
  if (!list.ok() && list.status().code() != StatusCode::kNotFound) return list;
  DUET_ASSIGN_OR_RETURN(std::optional<StoredResource> patient, loader_.FindMain("patient", mrn));
  if (!patient) return list;
  DUET_ASSIGN_OR_RETURN(auto history, History(patient->id));
  if (history.first.empty()) return list;
  const Json* existing = list.ok() ? &*list : nullptr;
  std::string as_of = history.second;
  if (existing != nullptr) as_of = Later(std::string(existing->StringOr("as_of")), as_of);
  return mappings::MedicationListWithHistory(existing, mrn, as_of, history.first);
}

}  // namespace duet::gateway
