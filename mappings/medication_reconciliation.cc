#include "mappings/medication_reconciliation.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "mappings/code_tables.h"
#include "mappings/extensions.h"
#include "mappings/medication_list_mapper.h"

namespace duet::mappings {
namespace {

using fhir::Json;

constexpr std::string_view kNdcSystem = "http://hl7.org/fhir/sid/ndc";
constexpr int kGraceDays = 30;

bool IsReversed(std::string_view status) {
  return status == "entered-in-error" || status == "cancelled" || status == "declined" ||
         status == "stopped";
}

void ReadMedication(const Json& dispense, ReportedFill& fill) {
  const Json* concept_json = dispense.Find("medicationCodeableConcept");
  if (concept_json == nullptr) return;
  fill.name = std::string(concept_json->StringOr("text"));
  if (const Json* codings = concept_json->Find("coding"); codings && codings->is_array()) {
    for (const Json& coding : codings->items()) {
      std::string_view system = coding.StringOr("system");
      if (system == kRxNormSystem && fill.rxnorm.empty()) {
        fill.rxnorm = std::string(coding.StringOr("code"));
        if (fill.name.empty()) fill.name = std::string(coding.StringOr("display"));
      } else if (system == kNdcSystem && fill.ndc.empty()) {
        fill.ndc = std::string(coding.StringOr("code"));
        if (fill.name.empty()) fill.name = std::string(coding.StringOr("display"));
      }
    }
  }
}

std::string NpiOf(const ResourceSet& resources, const Json& reference, const Json& container) {
  auto npi = resources.ReferencedIdentifier(reference, kNpiSystem, &container);
  return npi.value_or("");
}

std::string PrescriberNpi(const ResourceSet& resources, const Json& dispense) {
  const Json* prescriptions = dispense.Find("authorizingPrescription");
  if (prescriptions == nullptr || !prescriptions->is_array() || prescriptions->items().empty()) {
    return "";
  }
  ResourceSet::Target request = resources.Resolve(prescriptions->items().front(), &dispense);
  if (request.resource == nullptr) return "";
  const Json* requester = request.resource->Find("requester");
  return requester == nullptr ? "" : NpiOf(resources, *requester, *request.resource);
}

std::string Pharmacy(const ResourceSet& resources, const Json& dispense) {
  const Json* performers = dispense.Find("performer");
  if (performers == nullptr || !performers->is_array() || performers->items().empty()) return "";
  const Json* actor = performers->items().front().Find("actor");
  if (actor == nullptr) return "";
  if (!actor->StringOr("display").empty()) return std::string(actor->StringOr("display"));
  ResourceSet::Target target = resources.Resolve(*actor, &dispense);
  return target.resource == nullptr ? "" : std::string(target.resource->StringOr("name"));
}

std::string SourceName(const Json& dispense, const std::string& fallback) {
  if (const Json* value =
          ExtensionValue(FindExtension(dispense, ext::kFillSource), "valueString")) {
    if (value->is_string()) return value->string_value();
  }
  if (const Json* meta = dispense.Find("meta"); meta && !meta->StringOr("source").empty()) {
    return std::string(meta->StringOr("source"));
  }
  return fallback;
}

std::string DrugKey(const ReportedFill& fill) {
  return fill.rxnorm.empty() ? "ndc:" + fill.ndc : "rxnorm:" + fill.rxnorm;
}

Json MedicationEntry(const std::vector<ReportedFill>& fills, const std::string& as_of) {
  const ReportedFill& first = fills.front();
  const ReportedFill& last = fills.back();
  std::string end = AddDays(last.date, last.days_supply);
  bool active = AddDays(end, kGraceDays) >= as_of;
  Json entry = Json::MakeObject();
  if (!first.rxnorm.empty()) entry.Set("rxnorm", Json::String(first.rxnorm));
  entry.Set("name", Json::String(first.name.empty() ? "NDC " + first.ndc : first.name));
  entry.Set("status", Json::String(active ? "active" : "completed"));
  entry.Set("source", Json::String("medication_history"));
  if (!first.prescriber_npi.empty()) {
    entry.Set("prescriber_npi", Json::String(first.prescriber_npi));
  }
  entry.Set("first_fill", Json::String(first.date));
  entry.Set("last_fill", Json::String(last.date));
  entry.Set("days_supply", Json::Integer(last.days_supply));
  Json list = Json::MakeArray();
  for (const ReportedFill& fill : fills) {
    Json item = Json::MakeObject();
    item.Set("date", Json::String(fill.date));
    item.Set("quantity", fill.quantity);
    item.Set("days_supply", Json::Integer(fill.days_supply));
    if (!fill.pharmacy.empty()) item.Set("pharmacy", Json::String(fill.pharmacy));
    item.Set("source_name", Json::String(fill.source_name));
    list.Append(std::move(item));
  }
  entry.Set("fills", std::move(list));
  return entry;
}

}  // namespace

std::vector<ReportedFill> FillsFromDispenses(const ResourceSet& resources,
                                             const std::string& default_source,
                                             std::vector<std::string>* problems) {
  std::vector<ReportedFill> fills;
  for (const Json* dispense : resources.OfType("MedicationDispense")) {
    std::string label = "MedicationDispense/" + std::string(dispense->StringOr("id"));
    ReportedFill fill;
    fill.reversed = IsReversed(dispense->StringOr("status"));
    ReadMedication(*dispense, fill);
    std::string_view when = dispense->StringOr("whenHandedOver");
    if (when.empty()) when = dispense->StringOr("whenPrepared");
    fill.date = std::string(when.substr(0, 10));
    const Json* quantity = dispense->Find("quantity");
    const Json* value = quantity == nullptr ? nullptr : quantity->Find("value");
    const Json* days = dispense->Find("daysSupply");
    const Json* days_value = days == nullptr ? nullptr : days->Find("value");
    std::string missing = fill.rxnorm.empty() && fill.ndc.empty()   ? "an RxNorm or NDC code"
                          : fill.date.size() != 10                  ? "a fill date"
                          : value == nullptr || !value->is_number() ? "a quantity"
                          : days_value == nullptr || !days_value->is_number() ? "a days supply"
                                                                              : "";
    if (!missing.empty()) {
      problems->push_back(label + ": lacks " + missing + "; the fill is left out");
      continue;
    }
    fill.quantity = *value;
    fill.days_supply = std::atoll(days_value->number_text().c_str());
    fill.pharmacy = Pharmacy(resources, *dispense);
    fill.prescriber_npi = PrescriberNpi(resources, *dispense);
    fill.source_name = SourceName(*dispense, default_source);
    if (const Json* identifiers = dispense->Find("identifier");
        identifiers && identifiers->is_array()) {
      fill.identifiers = identifiers->items();
    }
    fills.push_back(std::move(fill));
  }
  return fills;
}

ReconciledHistory ReconcileFills(std::vector<ReportedFill> fills, const std::string& as_of) {
  ReconciledHistory result;
  std::vector<ReportedFill> kept;
  for (ReportedFill& fill : fills) {
    if (std::find(result.sources.begin(), result.sources.end(), fill.source_name) ==
        result.sources.end()) {
      result.sources.push_back(fill.source_name);
    }
    if (fill.reversed) {
      ++result.reversed_dropped;
      continue;
    }
    auto same = std::find_if(kept.begin(), kept.end(), [&](const ReportedFill& other) {
      return DrugKey(other) == DrugKey(fill) && other.date == fill.date &&
             other.quantity == fill.quantity && other.days_supply == fill.days_supply &&
             other.pharmacy == fill.pharmacy;
    });
    if (same != kept.end()) {
      ++result.duplicates_collapsed;
      if (same->source_name.find(fill.source_name) == std::string::npos) {
        same->source_name += " + " + fill.source_name + " (duplicate collapsed)";
      }
      for (Json& identifier : fill.identifiers) {
        if (std::find(same->identifiers.begin(), same->identifiers.end(), identifier) ==
            same->identifiers.end()) {
          same->identifiers.push_back(std::move(identifier));
        }
      }
      continue;
    }
    kept.push_back(std::move(fill));
  }
  std::stable_sort(kept.begin(), kept.end(),
                   [](const ReportedFill& a, const ReportedFill& b) { return a.date < b.date; });
  std::vector<std::pair<std::string, std::vector<ReportedFill>>> groups;
  for (ReportedFill& fill : kept) {
    std::string key = DrugKey(fill) + "|" + fill.prescriber_npi;
    auto group = std::find_if(groups.begin(), groups.end(),
                              [&](const auto& item) { return item.first == key; });
    if (group == groups.end()) {
      groups.emplace_back(key, std::vector<ReportedFill>{});
      group = groups.end() - 1;
    }
    group->second.push_back(std::move(fill));
  }
  for (auto& [key, group] : groups) {
    result.medications.push_back(MedicationEntry(group, as_of));
    result.fills.push_back(std::move(group));
  }
  return result;
}

Json MedicationListWithHistory(const Json* existing, const std::string& mrn,
                               const std::string& as_of, const std::vector<Json>& history) {
  Json medications = Json::MakeArray();
  for (const Json& medication : history) medications.Append(medication);
  if (existing != nullptr) {
    if (const Json* old = existing->Find("medications"); old && old->is_array()) {
      for (const Json& medication : old->items()) {
        if (medication.StringOr("source") != "medication_history") medications.Append(medication);
      }
    }
  }
  Json record = Json::MakeObject();
  record.Set("record", Json::String("medication_list"));
  record.Set("patient_mrn", Json::String(mrn));
  record.Set("as_of", Json::String(as_of));
  record.Set("medications", std::move(medications));
  return record;
}

}  // namespace duet::mappings
