#include "mappings/medication_list_mapper.h"

#include <charconv>
#include <cstdio>
#include <string>
#include <utility>

#include "mappings/code_tables.h"
#include "mappings/extensions.h"
#include "mappings/fhir_elements.h"
#include "mappings/mapper_support.h"

namespace duet::mappings {
namespace {

using fhir::Json;

const std::initializer_list<std::string_view> kStatuses = {"active", "completed", "stopped",
                                                           "unknown"};
const std::initializer_list<std::string_view> kSources = {"patient_reported", "medication_history"};

// Days since 1970-01-01 of a civil date, and back (H. Hinnant's algorithms).
long long DaysFromCivil(long long y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long long>(doe) - 719468;
}

void CivilFromDays(long long z, long long* y, unsigned* m, unsigned* d) {
  z += 719468;
  const long long era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<long long>(yoe) + era * 400 + (*m <= 2 ? 1 : 0);
}

long long ParseCount(const Json& number) {
  const std::string& text = number.number_text();
  long long value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

std::string StatementKey(std::string_view mrn, size_t rank) {
  return std::string(mrn) + "/" + std::to_string(rank);
}

Json MedicationConcept(const std::string& name, const std::optional<std::string>& rxnorm) {
  if (!rxnorm) return TextConcept(name);
  return MakeConcept(MakeCoding(kRxNormSystem, *rxnorm, name), name);
}

Json DispenseToFhir(const FieldReader& fill, Json identifiers, const Json& medication,
                    const std::string& mrn, const MappingContext& context) {
  fill.RejectUnknown({"date", "quantity", "days_supply", "pharmacy", "source_name"});
  std::optional<std::string> pharmacy = fill.OptionalString("pharmacy");
  return Obj({
      {"resourceType", Str("MedicationDispense")},
      {"meta", MakeMeta(profiles::kMedicationDispense)},
      {"extension",
       Arr({MakeExtension(ext::kFillSource, "valueString", Str(fill.String("source_name")))})},
      {"identifier", std::move(identifiers)},
      {"status", Str("completed")},
      {"medicationCodeableConcept", medication},
      {"subject", PatientReference(context, mrn)},
      {"performer",
       pharmacy ? Arr({Obj({{"actor", Obj({{"display", Str(*pharmacy)}})}})}) : Json()},
      {"quantity", Obj({{"value", fill.Number("quantity")}})},
      {"daysSupply", UcumQuantity(fill.Integer("days_supply"), "d")},
      {"whenHandedOver", Str(fill.Date("date"))},
  });
}

Json FillSummaryExtension(const FieldReader& medication) {
  std::vector<Json> parts;
  if (auto first = medication.OptionalDate("first_fill")) {
    parts.push_back(MakeExtension("firstFill", "valueDate", Str(*first)));
  }
  if (auto last = medication.OptionalDate("last_fill")) {
    parts.push_back(MakeExtension("lastFill", "valueDate", Str(*last)));
  }
  if (auto days = medication.OptionalInteger("days_supply")) {
    parts.push_back(MakeExtension("daysSupply", "valuePositiveInt", *days));
  }
  if (parts.empty()) return Json();
  return MakeComplexExtension(ext::kFillSummary, std::move(parts));
}

// first fill → last fill + days supply, as far as the record says.
Json EffectivePeriod(const FieldReader& medication) {
  std::optional<std::string> first = medication.OptionalDate("first_fill");
  std::optional<std::string> last = medication.OptionalDate("last_fill");
  std::optional<Json> days = medication.OptionalInteger("days_supply");
  std::optional<std::string> end = last;
  if (last && days) end = AddDays(*last, ParseCount(*days));
  if (!first && !end) return Json();
  return Obj({{"start", first ? Str(*first) : Json()}, {"end", end ? Str(*end) : Json()}});
}

}  // namespace

std::vector<Json> MedicationToFhir(const FieldReader& medication,
                                   const MedicationIdentity& identity, const std::string& mrn,
                                   const std::string& as_of, const MappingContext& context) {
  medication.RejectUnknown({"rxnorm", "name", "dose_text", "status", "source", "prescriber_npi",
                            "first_fill", "last_fill", "days_supply", "fills"});
  Json concept_json =
      MedicationConcept(medication.String("name"), medication.OptionalString("rxnorm"));
  std::string source = medication.Enum("source", kSources);
  Json extensions = Json::MakeArray();
  if (identity.rank > 0) extensions.Append(RankExtension(identity.rank));
  extensions.Append(MakeExtension(ext::kMedicationSource, "valueCode", Str(source)));
  Json summary = FillSummaryExtension(medication);
  if (!summary.is_null()) extensions.Append(std::move(summary));
  if (auto prescriber = medication.OptionalString("prescriber_npi")) {
    extensions.Append(MakeExtension(ext::kPrescriber, "valueReference",
                                    identity.prescriber_by_npi
                                        ? NpiLogicalReference(*prescriber)
                                        : PractitionerReference(*prescriber)));
  }
  std::vector<Json> dispenses;
  Json derived_from = Json::MakeArray();
  for (const FieldReader& fill :
       medication.OptionalObjects("fills").value_or(std::vector<FieldReader>{})) {
    Json identifiers = identity.dispense_identifiers(dispenses.size());
    const Json& business = identifiers.items().front();
    derived_from.Append(ConditionalReference("MedicationDispense", business.StringOr("system"),
                                             business.StringOr("value")));
    dispenses.push_back(DispenseToFhir(fill, std::move(identifiers), concept_json, mrn, context));
  }
  std::optional<std::string> dose = medication.OptionalString("dose_text");
  std::vector<Json> resources;
  resources.push_back(Obj({
      {"resourceType", Str("MedicationStatement")},
      {"extension", std::move(extensions)},
      {"identifier", Arr({identity.statement_identifier})},
      {"status", Str(medication.Enum("status", kStatuses))},
      {"medicationCodeableConcept", concept_json},
      {"subject", PatientReference(context, mrn)},
      {"effectivePeriod", EffectivePeriod(medication)},
      {"dateAsserted", Str(as_of)},
      {"informationSource", source == "patient_reported" ? PatientReference(context, mrn) : Json()},
      {"derivedFrom", derived_from.items().empty() ? Json() : std::move(derived_from)},
      {"dosage", dose ? Arr({Obj({{"text", Str(*dose)}})}) : Json()},
  }));
  for (Json& dispense : dispenses) resources.push_back(std::move(dispense));
  return resources;
}

std::string AddDays(std::string_view date, long long days) {
  if (date.size() != 10) return std::string(date);
  long long y = 0;
  unsigned m = 0;
  unsigned d = 0;
  std::from_chars(date.data(), date.data() + 4, y);
  std::from_chars(date.data() + 5, date.data() + 7, m);
  std::from_chars(date.data() + 8, date.data() + 10, d);
  CivilFromDays(DaysFromCivil(y, m, d) + days, &y, &m, &d);
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%04lld-%02u-%02u", y, m, d);
  return buffer;
}

StatusOr<std::vector<Json>> MedicationListToFhir(const Json& record, const MappingContext& context,
                                                 std::string_view pointer) {
  Problems problems;
  FieldReader in(&record, std::string(pointer), PathStyle::kJsonPointer, &problems);
  in.RejectUnknown({"record", "patient_mrn", "as_of", "medications"});
  std::string mrn = in.String("patient_mrn");
  std::string as_of = in.Instant("as_of");
  std::vector<Json> resources;
  Json entries = Json::MakeArray();
  std::vector<FieldReader> medications = in.Objects("medications");
  for (size_t i = 0; i < medications.size(); ++i) {
    std::string key = StatementKey(mrn, i + 1);
    MedicationIdentity identity;
    identity.statement_identifier =
        MakeIdentifier(SystemFor(context, kinds::kMedicationStatement), key);
    identity.dispense_identifiers = [&](size_t fill) {
      return Arr({MakeIdentifier(SystemFor(context, kinds::kMedicationDispense),
                                 key + "/" + std::to_string(fill + 1))});
    };
    identity.rank = i + 1;
    std::vector<Json> made = MedicationToFhir(medications[i], identity, mrn, as_of, context);
    entries.Append(
        Obj({{"item", KindReference(context, "MedicationStatement", kinds::kMedicationStatement,
                                    StatementKey(mrn, i + 1))}}));
    for (Json& resource : made) resources.push_back(std::move(resource));
  }
  bool empty = entries.items().empty();
  Json list = Obj({
      {"resourceType", Str("List")},
      {"identifier", Arr({MakeIdentifier(SystemFor(context, kinds::kMedicationList), mrn)})},
      {"status", Str("current")},
      {"mode", Str("snapshot")},
      {"title", Str("Medication list")},
      {"code",
       MakeConcept(MakeCoding(kLoincSystem, "10160-0", "History of Medication use Narrative"))},
      {"subject", PatientReference(context, mrn)},
      {"date", Str(as_of)},
      {"entry", empty ? Json() : std::move(entries)},
      {"emptyReason",
       empty ? MakeConcept(MakeCoding(kListEmptyReasonSystem, "nilknown", "Nil Known")) : Json()},
  });
  DUET_RETURN_IF_ERROR(problems.ToStatus(StatusCode::kInvalidArgument, "medication_list record"));
  resources.insert(resources.begin(), std::move(list));
  return resources;
}

namespace {

Json FillFromFhir(const Json& dispense, Problems* problems) {
  FieldReader in = ResourceReader(dispense, problems);
  Json fill = Obj({{"date", Str(in.Date("whenHandedOver"))},
                   {"quantity", in.Object("quantity").Number("value")},
                   {"days_supply", in.Object("daysSupply").Integer("value")}});
  if (auto performers = in.OptionalObjects("performer"); performers && !performers->empty()) {
    fill.Set("pharmacy", Str(performers->front().Object("actor").String("display")));
  }
  fill.Set("source_name", Str(StringExtension(in, ext::kFillSource, "valueString").value_or("")));
  if (fill.StringOr("source_name").empty()) in.Problem("extension", "has no fill-source extension");
  return fill;
}

void FillSummaryFromFhir(const Json& statement, Json& medication) {
  const Json* summary = FindExtension(statement, ext::kFillSummary);
  if (summary == nullptr) return;
  if (const Json* first = ExtensionValue(FindExtension(*summary, "firstFill"), "valueDate")) {
    medication.Set("first_fill", *first);
  }
  if (const Json* last = ExtensionValue(FindExtension(*summary, "lastFill"), "valueDate")) {
    medication.Set("last_fill", *last);
  }
  if (const Json* days =
          ExtensionValue(FindExtension(*summary, "daysSupply"), "valuePositiveInt")) {
    medication.Set("days_supply", *days);
  }
}

}  // namespace

Json MedicationFromFhir(const ResourceSet& resources, const Json& statement, Problems* problems) {
  FieldReader in = ResourceReader(statement, problems);
  FieldReader medication_concept = in.Object("medicationCodeableConcept");
  Json medication = Json::MakeObject();
  if (auto codings = medication_concept.OptionalObjects("coding")) {
    for (const FieldReader& coding : *codings) {
      if (coding.OptionalString("system") == kRxNormSystem) {
        medication.Set("rxnorm", Str(coding.String("code")));
      }
    }
  }
  medication.Set("name", Str(medication_concept.String("text")));
  if (auto dosages = in.OptionalObjects("dosage"); dosages && !dosages->empty()) {
    medication.Set("dose_text", Str(dosages->front().String("text")));
  }
  medication.Set("status", Str(in.Enum("status", kStatuses)));
  auto source = StringExtension(in, ext::kMedicationSource, "valueCode");
  if (!source) source = in.Has("informationSource") ? "patient_reported" : "medication_history";
  medication.Set("source", Str(*source));
  if (const Json* prescriber =
          ExtensionValue(FindExtension(statement, ext::kPrescriber), "valueReference")) {
    medication.Set("prescriber_npi", Str(ReferencedNpi(resources, prescriber, statement,
                                                       in.PathOf("extension"), problems)));
  }
  FillSummaryFromFhir(statement, medication);
  if (const Json* derived = in.Raw("derivedFrom"); derived != nullptr && derived->is_array()) {
    Json fills = Json::MakeArray();
    for (size_t i = 0; i < derived->items().size(); ++i) {
      ResourceSet::Target target = resources.Resolve(derived->items()[i], &statement);
      if (target.resource == nullptr || target.type != "MedicationDispense") {
        problems->Add(in.PathOf("derivedFrom", i), "does not resolve to a MedicationDispense");
        continue;
      }
      fills.Append(FillFromFhir(*target.resource, problems));
    }
    medication.Set("fills", std::move(fills));
  }
  return medication;
}

StatusOr<Json> MedicationListFromFhir(const ResourceSet& resources, std::string_view mrn,
                                      const MappingContext& context) {
  DUET_ASSIGN_OR_RETURN(
      const Json* list,
      FindMainResource(resources, "List", SystemFor(context, kinds::kMedicationList), mrn));
  Problems problems;
  FieldReader in = ResourceReader(*list, &problems);
  Json record = Obj({{"record", Str("medication_list")},
                     {"patient_mrn", Str(mrn)},
                     {"as_of", Str(in.Instant("date"))}});
  std::vector<const Json*> statements;
  std::vector<FieldReader> entries =
      in.OptionalObjects("entry").value_or(std::vector<FieldReader>{});
  for (const FieldReader& entry : entries) {
    const Json* item = entry.Raw("item");
    ResourceSet::Target target =
        item == nullptr ? ResourceSet::Target{} : resources.Resolve(*item, list);
    if (target.resource == nullptr || target.type != "MedicationStatement") {
      entry.Problem("item", "does not resolve to a MedicationStatement");
      continue;
    }
    statements.push_back(target.resource);
  }
  Json medications = Json::MakeArray();
  for (const Json* statement : statements) {
    medications.Append(MedicationFromFhir(resources, *statement, &problems));
  }
  record.Set("medications", std::move(medications));
  DUET_RETURN_IF_ERROR(problems.ToStatus(StatusCode::kUnprocessable,
                                         "List " + std::string(mrn) + " cannot be mapped"));
  return record;
}

}  // namespace duet::mappings
