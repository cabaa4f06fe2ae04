#include "mappings/patient_mapper.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>

#include "mappings/code_tables.h"
#include "mappings/extensions.h"
#include "mappings/fhir_elements.h"
#include "mappings/mapper_support.h"

namespace duet::mappings {
namespace {

using fhir::Json;

const std::initializer_list<std::string_view> kSexes = {"female", "male", "other", "unknown"};
const std::initializer_list<std::string_view> kInsuranceKinds = {
    "medicare", "medicaid", "commercial", "workers_comp", "auto", "self_pay"};
const std::initializer_list<std::string_view> kContacts = {"email", "sms", "phone", "portal"};

Json NameToFhir(const FieldReader& name) {
  name.RejectUnknown({"family", "given", "prefix", "suffix"});
  std::vector<std::string> given = name.Strings("given");
  auto prefix = name.OptionalStrings("prefix");
  auto suffix = name.OptionalStrings("suffix");
  return Obj({{"use", Str("official")},
              {"family", Str(name.String("family"))},
              {"given", given.empty() ? Json() : StrArr(given)},
              {"prefix", prefix && !prefix->empty() ? StrArr(*prefix) : Json()},
              {"suffix", suffix && !suffix->empty() ? StrArr(*suffix) : Json()}});
}

Json AddressToFhir(const FieldReader& address) {
  address.RejectUnknown({"lines", "city", "state", "postal_code", "country"});
  std::vector<std::string> lines = address.Strings("lines");
  return Obj({{"use", Str("home")},
              {"line", lines.empty() ? Json() : StrArr(lines)},
              {"city", Str(address.String("city"))},
              {"state", Str(address.String("state"))},
              {"postalCode", Str(address.String("postal_code"))},
              {"country", Str(address.String("country"))}});
}

Json CoverageToFhir(const FieldReader& insurance, size_t order, std::string_view mrn,
                    const MappingContext& context) {
  insurance.RejectUnknown({"kind", "payer", "member_id", "group"});
  std::string kind = insurance.Enum("kind", kInsuranceKinds);
  std::string member_id = insurance.String("member_id");
  const CodeRow* payer_type = PayerTypeCodes().ByNative(kind);
  Json coverage = Obj({
      {"resourceType", Str("Coverage")},
      {"meta", MakeMeta(profiles::kCoverage)},
      {"identifier",
       Arr({MakeIdentifier(SystemFor(context, kinds::kCoverage),
                           std::string(mrn) + "/" + std::to_string(order)),
            Obj({{"type", MakeConcept(MakeCoding(kIdentifierTypeSystem, "MB", "Member Number"))},
                 {"value", Str(member_id)}})})},
      {"status", Str("active")},
      {"type", payer_type == nullptr ? Json() : MakeConcept(MakeCoding(payer_type->fhir))},
      {"subscriberId", Str(member_id)},
      {"beneficiary", PatientReference(context, mrn)},
      {"relationship", TextConcept("Not recorded in the practice record")},
      {"payor", Arr({Obj({{"display", Str(insurance.String("payer"))}})})},
      {"order", Json::Integer(static_cast<long long>(order))},
  });
  if (auto group = insurance.OptionalString("group")) {
    coverage.Set(
        "class",
        Arr({Obj({{"type", MakeConcept(MakeCoding(kCoverageClassSystem, "group", "Group"))},
                  {"value", Str(*group)}})}));
  }
  return coverage;
}

Json HealthGoalToFhir(const std::string& text, size_t rank, std::string_view mrn,
                      const MappingContext& context) {
  return Obj({{"resourceType", Str("Goal")},
              {"meta", MakeMeta(profiles::kGoal)},
              {"extension", Arr({RankExtension(rank)})},
              {"identifier",
               Arr({MakeIdentifier(SystemFor(context, kinds::kGoal),
                                   std::string(mrn) + "/health-goal/" + std::to_string(rank))})},
              {"lifecycleStatus", Str("active")},
              {"description", TextConcept(text)},
              {"subject", PatientReference(context, mrn)},
              {"expressedBy", PatientReference(context, mrn)}});
}

Json Narrative(const Json& name, std::string_view mrn, const std::vector<std::string>& values) {
  std::string heading(name.StringOr("family"));
  if (const Json* given = name.Find("given")) {
    for (const Json& part : given->items()) heading += " " + part.string_value();
  }
  NarrativeBuilder narrative(heading);
  narrative.Item("MRN", mrn);
  for (const std::string& value : values) narrative.Item("What matters to the patient", value);
  return narrative.Build();
}

}  // namespace

StatusOr<std::vector<Json>> PatientToFhir(const Json& record, const MappingContext& context,
                                          std::string_view pointer) {
  Problems problems;
  FieldReader in(&record, std::string(pointer), PathStyle::kJsonPointer, &problems);
  in.RejectUnknown({"record", "mrn", "name", "birth_date", "sex", "phone", "email", "address",
                    "language", "insurance", "preferences", "updated_at"});
  std::string mrn = in.String("mrn");
  Json name = NameToFhir(in.Object("name"));
  Json extensions = Arr({UpdatedAtExtension(in.Instant("updated_at"))});
  std::vector<std::string> values;
  std::vector<std::string> health_goals;
  if (auto preferences = in.OptionalObject("preferences")) {
    preferences->RejectUnknown({"contact", "values", "health_goals"});
    extensions.Append(MakeExtension(ext::kContactPreference, "valueCode",
                                    Str(preferences->Enum("contact", kContacts))));
    values = preferences->Strings("values");
    for (const std::string& value : values) {
      extensions.Append(MakeExtension(ext::kPatientValue, "valueString", Str(value)));
    }
    health_goals = preferences->Strings("health_goals");
  }

  Json identifiers = Arr(
      {Obj({{"use", Str("usual")},
            {"type", MakeConcept(MakeCoding(kIdentifierTypeSystem, "MR", "Medical record number"))},
            {"system", Str(SystemFor(context, kinds::kMrn))},
            {"value", Str(mrn)}})});
  std::vector<Json> coverages;
  if (auto insurance = in.OptionalObjects("insurance")) {
    for (const FieldReader& item : *insurance) {
      coverages.push_back(CoverageToFhir(item, coverages.size() + 1, mrn, context));
      if (item.OptionalString("kind") == "medicare") {
        identifiers.Append(MakeIdentifier(kMbiSystem, item.String("member_id")));
      }
    }
  }
  Json telecom = Json::MakeArray();
  if (auto phone = in.OptionalString("phone")) {
    telecom.Append(Obj({{"system", Str("phone")}, {"value", Str(*phone)}, {"use", Str("home")}}));
  }
  if (auto email = in.OptionalString("email")) {
    telecom.Append(Obj({{"system", Str("email")}, {"value", Str(*email)}}));
  }
  std::optional<FieldReader> address = in.OptionalObject("address");
  std::optional<std::string> language = in.OptionalString("language");
  Json patient = Obj({
      {"resourceType", Str("Patient")},
      {"meta", MakeMeta(profiles::kPatient)},
      {"text", Narrative(name, mrn, values)},
      {"extension", std::move(extensions)},
      {"identifier", std::move(identifiers)},
      {"name", Arr({name})},
      {"telecom", telecom.items().empty() ? Json() : std::move(telecom)},
      {"gender", Str(in.Enum("sex", kSexes))},
      {"birthDate", Str(in.Date("birth_date"))},
      {"address", address ? Arr({AddressToFhir(*address)}) : Json()},
      {"communication",
       language ? Arr({Obj({{"language", MakeConcept(MakeCoding(kBcp47System, *language))},
                            {"preferred", Json::Bool(true)}})})
                : Json()},
  });
  DUET_RETURN_IF_ERROR(problems.ToStatus(StatusCode::kInvalidArgument, "patient record"));

  std::vector<Json> resources;
  resources.push_back(std::move(patient));
  for (Json& coverage : coverages) resources.push_back(std::move(coverage));
  for (size_t i = 0; i < health_goals.size(); ++i) {
    resources.push_back(HealthGoalToFhir(health_goals[i], i + 1, mrn, context));
  }
  return resources;
}

namespace {

Json NameFromFhir(const FieldReader& patient) {
  std::vector<FieldReader> names = patient.Objects("name");
  if (names.empty()) {
    patient.Problem("name", "needs at least one HumanName");
    return Json::MakeObject();
  }
  const FieldReader* chosen = &names.front();
  for (const FieldReader& name : names) {
    if (name.OptionalString("use") == "official") {
      chosen = &name;
      break;
    }
  }
  Json name = Obj(
      {{"family", Str(chosen->String("family"))},
       {"given", StrArr(chosen->OptionalStrings("given").value_or(std::vector<std::string>{}))}});
  if (auto prefix = chosen->OptionalStrings("prefix")) name.Set("prefix", StrArr(*prefix));
  if (auto suffix = chosen->OptionalStrings("suffix")) name.Set("suffix", StrArr(*suffix));
  return name;
}

Json AddressFromFhir(const FieldReader& address) {
  return Obj(
      {{"lines", StrArr(address.OptionalStrings("line").value_or(std::vector<std::string>{}))},
       {"city", Str(address.String("city"))},
       {"state", Str(address.String("state"))},
       {"postal_code", Str(address.String("postalCode"))},
       {"country", Str(address.String("country"))}});
}

std::optional<Json> InsuranceFromFhir(const Json& coverage, Problems* problems) {
  FieldReader in = ResourceReader(coverage, problems);
  std::string kind;
  if (auto type = in.OptionalObject("type")) {
    for (const FieldReader& coding : type->Objects("coding")) {
      const CodeRow* row = PayerTypeCodes().ByCode(coding.String("system"), coding.String("code"));
      if (row != nullptr) kind = std::string(row->native);
    }
  }
  if (kind.empty()) {
    in.Problem("type", "has no Source of Payment Typology code the practice format knows");
    return std::nullopt;
  }
  std::vector<FieldReader> payors = in.Objects("payor");
  std::string payer = payors.empty() ? "" : payors.front().String("display");
  Json insurance = Obj(
      {{"kind", Str(kind)}, {"payer", Str(payer)}, {"member_id", Str(in.String("subscriberId"))}});
  if (auto classes = in.OptionalObjects("class")) {
    for (const FieldReader& item : *classes) {
      std::optional<FieldReader> type = item.OptionalObject("type");
      bool is_group = false;
      if (type) {
        for (const FieldReader& coding : type->Objects("coding")) {
          is_group = is_group || coding.OptionalString("code") == "group";
        }
      }
      if (is_group) insurance.Set("group", Str(item.String("value")));
    }
  }
  return insurance;
}

size_t CoverageOrder(const Json& coverage) {
  const Json* order = coverage.Find("order");
  if (order == nullptr || !order->is_number()) return SIZE_MAX;
  return static_cast<size_t>(std::strtoull(order->number_text().c_str(), nullptr, 10));
}

bool RefersToPatient(const ResourceSet& resources, const Json& resource, std::string_view member,
                     std::string_view mrn_system, std::string_view mrn) {
  const Json* reference = resource.Find(member);
  if (reference == nullptr) return false;
  ResourceSet::Target target = resources.Resolve(*reference, &resource);
  if (target.resource != nullptr) {
    return target.type == "Patient" && HasIdentifier(*target.resource, mrn_system, mrn);
  }
  return target.type == "Patient" && target.identifier && target.identifier->first == mrn_system &&
         target.identifier->second == mrn;
}

}  // namespace

StatusOr<Json> PatientFromFhir(const ResourceSet& resources, std::string_view mrn,
                               const MappingContext& context) {
  std::string_view mrn_system = SystemFor(context, kinds::kMrn);
  DUET_ASSIGN_OR_RETURN(const Json* patient,
                        FindMainResource(resources, "Patient", mrn_system, mrn));
  Problems problems;
  FieldReader in = ResourceReader(*patient, &problems);
  Json record = Obj({{"record", Str("patient")}, {"mrn", Str(mrn)}});
  record.Set("name", NameFromFhir(in));
  record.Set("birth_date", Str(in.Date("birthDate")));
  record.Set("sex", Str(in.Enum("gender", kSexes)));
  if (auto telecoms = in.OptionalObjects("telecom")) {
    for (const FieldReader& telecom : *telecoms) {
      std::string system = telecom.String("system");
      if ((system == "phone" || system == "email") && !record.Find(system)) {
        record.Set(system, Str(telecom.String("value")));
      }
    }
  }
  if (auto addresses = in.OptionalObjects("address"); addresses && !addresses->empty()) {
    record.Set("address", AddressFromFhir(addresses->front()));
  }
  if (auto communications = in.OptionalObjects("communication");
      communications && !communications->empty()) {
    for (const FieldReader& coding : communications->front().Object("language").Objects("coding")) {
      if (coding.OptionalString("system") == kBcp47System) {
        record.Set("language", Str(coding.String("code")));
      }
    }
  }

  std::vector<const Json*> coverages;
  for (const Json* coverage : resources.OfType("Coverage")) {
    if (coverage->StringOr("status") == "active" &&
        RefersToPatient(resources, *coverage, "beneficiary", mrn_system, mrn)) {
      coverages.push_back(coverage);
    }
  }
  std::stable_sort(coverages.begin(), coverages.end(), [](const Json* a, const Json* b) {
    return CoverageOrder(*a) < CoverageOrder(*b);
  });
  if (!coverages.empty()) {
    Json insurance = Json::MakeArray();
    for (const Json* coverage : coverages) {
      if (auto item = InsuranceFromFhir(*coverage, &problems)) insurance.Append(std::move(*item));
    }
    record.Set("insurance", std::move(insurance));
  }

  if (auto contact = StringExtension(in, ext::kContactPreference, "valueCode")) {
    Json values = Json::MakeArray();
    for (const Json* value : FindExtensions(*patient, ext::kPatientValue)) {
      const Json* text = value->Find("valueString");
      if (text != nullptr && text->is_string()) values.Append(*text);
    }
    std::vector<const Json*> goals;
    for (const Json* goal : resources.OfType("Goal")) {
      if (RefersToPatient(resources, *goal, "expressedBy", mrn_system, mrn)) goals.push_back(goal);
    }
    SortByRank(goals);
    Json health_goals = Json::MakeArray();
    for (const Json* goal : goals) {
      FieldReader goal_in = ResourceReader(*goal, &problems);
      health_goals.Append(Str(goal_in.Object("description").String("text")));
    }
    record.Set("preferences", Obj({{"contact", Str(*contact)},
                                   {"values", std::move(values)},
                                   {"health_goals", std::move(health_goals)}}));
  }
  SetUpdatedAtFromExtension(in, &record);
  DUET_RETURN_IF_ERROR(problems.ToStatus(StatusCode::kUnprocessable,
                                         "Patient " + std::string(mrn) + " cannot be mapped"));
  return record;
}

}  // namespace duet::mappings
