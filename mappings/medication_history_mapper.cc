#include "mappings/medication_history_mapper.h"

#include <algorithm>

#include "mappings/code_tables.h"
#include "mappings/fhir_elements.h"
#include "mappings/field_reader.h"
#include "mappings/mapper_support.h"
#include "mappings/medication_list_mapper.h"
#include "mappings/name_based_uuid.h"

namespace duet::mappings {
namespace {

using fhir::Json;

std::string DrugKey(const ReportedFill& fill) {
  return fill.rxnorm.empty() ? "ndc-" + fill.ndc : "rxnorm-" + fill.rxnorm;
}

std::string StatementKey(const std::string& mrn, const ReportedFill& first) {
  return mrn + "/" + DrugKey(first) + "/" +
         (first.prescriber_npi.empty() ? "no-prescriber" : first.prescriber_npi);
}

// What makes two reports the same fill (medication_reconciliation.h, step 3).
std::string DispenseKey(const std::string& mrn, const ReportedFill& fill) {
  std::string name = mrn + "|" + DrugKey(fill) + "|" + fill.date + "|" +
                     fhir::WriteJson(fill.quantity) + "|" + std::to_string(fill.days_supply) + "|" +
                     fill.pharmacy;
  return mrn + "/" + DeterministicUuid(name);
}

}  // namespace

StatusOr<std::vector<Json>> MedicationHistoryToFhir(const ReconciledHistory& history,
                                                    const std::string& mrn,
                                                    const std::string& asserted,
                                                    const MappingContext& context) {
  std::string_view statements = SystemFor(context, kinds::kMedicationHistoryStatement);
  std::string_view dispenses = SystemFor(context, kinds::kMedicationHistoryDispense);
  Problems problems;
  std::vector<Json> resources;
  for (size_t i = 0; i < history.medications.size() && i < history.fills.size(); ++i) {
    const std::vector<ReportedFill>& fills = history.fills[i];
    if (fills.empty()) continue;
    FieldReader medication(&history.medications[i], "/medications/" + std::to_string(i),
                           PathStyle::kJsonPointer, &problems);
    MedicationIdentity identity;
    identity.statement_identifier = MakeIdentifier(statements, StatementKey(mrn, fills.front()));
    identity.dispense_identifiers = [&](size_t index) {
      Json identifiers = Arr({MakeIdentifier(dispenses, DispenseKey(mrn, fills.at(index)))});
      for (const Json& source : fills.at(index).identifiers) identifiers.Append(source);
      return identifiers;
    };
    identity.prescriber_by_npi = true;
    for (Json& resource : MedicationToFhir(medication, identity, mrn, asserted, context)) {
      resources.push_back(std::move(resource));
    }
  }
  DUET_RETURN_IF_ERROR(
      problems.ToStatus(StatusCode::kInvalidArgument, "medication history of " + mrn));
  return resources;
}

bool IsMedicationHistory(const Json& resource, const MappingContext& context) {
  std::string_view type = resource.StringOr("resourceType");
  std::string_view kind = type == "MedicationStatement"  ? kinds::kMedicationHistoryStatement
                          : type == "MedicationDispense" ? kinds::kMedicationHistoryDispense
                                                         : std::string_view();
  return !kind.empty() && IdentifierValue(resource, SystemFor(context, kind)).has_value();
}

StatusOr<std::vector<Json>> MedicationHistoryFromFhir(const ResourceSet& resources,
                                                      const MappingContext& context) {
  Problems problems;
  std::vector<Json> medications;
  for (const Json* statement : resources.OfType("MedicationStatement")) {
    if (!IsMedicationHistory(*statement, context)) continue;
    if (statement->StringOr("status") == "entered-in-error") continue;
    medications.push_back(MedicationFromFhir(resources, *statement, &problems));
  }
  DUET_RETURN_IF_ERROR(
      problems.ToStatus(StatusCode::kUnprocessable, "the medication history cannot be mapped"));
  std::stable_sort(medications.begin(), medications.end(), [](const Json& a, const Json& b) {
    return std::make_pair(a.StringOr("first_fill"), a.StringOr("name")) <
           std::make_pair(b.StringOr("first_fill"), b.StringOr("name"));
  });
  return medications;
}

}  // namespace duet::mappings
