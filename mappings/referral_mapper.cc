#include "mappings/referral_mapper.h"

#include <string>
#include <utility>

#include "mappings/code_tables.h"
#include "mappings/extensions.h"
#include "mappings/fhir_elements.h"
#include "mappings/mapper_support.h"

namespace duet::mappings {
namespace {

using fhir::Json;

const std::initializer_list<std::string_view> kDirections = {"inbound", "outbound"};
const std::initializer_list<std::string_view> kStatuses = {
    "received", "accepted", "declined", "scheduled", "in_progress", "completed", "cancelled"};
const std::initializer_list<std::string_view> kDisciplines = {"pt", "ot", "slp"};
const std::initializer_list<std::string_view> kPriorities = {"routine", "urgent", "asap", "stat"};
constexpr std::string_view kScheduled = "scheduled";

Json DiagnosisConcept(const FieldReader& diagnosis) {
  diagnosis.RejectUnknown({"icd10", "description"});
  std::optional<std::string> description = diagnosis.OptionalString("description");
  return MakeConcept(MakeCoding(kIcd10System, diagnosis.String("icd10"), description.value_or("")));
}

Json AuthorizationExtension(const FieldReader& authorization) {
  authorization.RejectUnknown({"number", "visits", "start", "end"});
  return MakeComplexExtension(
      ext::kAuthorization,
      {MakeExtension("number", "valueString", Str(authorization.String("number"))),
       MakeExtension("visits", "valuePositiveInt", authorization.Integer("visits")),
       MakeExtension("period", "valuePeriod",
                     Obj({{"start", Str(authorization.Date("start"))},
                          {"end", Str(authorization.Date("end"))}}))});
}

Json Narrative(const std::string& id, const std::string& order_text,
               const std::optional<FieldReader>& authorization) {
  NarrativeBuilder narrative("Referral " + id + ": " + order_text);
  if (authorization) {
    narrative.Item("Payer authorization", authorization->String("number") + ", " +
                                              authorization->Integer("visits").number_text() +
                                              " visits, " + authorization->Date("start") + " to " +
                                              authorization->Date("end"));
  }
  return narrative.Build();
}

}  // namespace

StatusOr<std::vector<Json>> ReferralToFhir(const Json& record, const MappingContext& context,
                                           std::string_view pointer) {
  Problems problems;
  FieldReader in(&record, std::string(pointer), PathStyle::kJsonPointer, &problems);
  in.RejectUnknown({"record", "id", "direction", "status", "status_reason", "patient_mrn",
                    "referring_npi", "referred_to_npi", "discipline", "order_text", "diagnoses",
                    "priority", "ordered_on", "visits_ordered", "frequency", "authorization",
                    "notes", "updated_at"});
  std::string id = in.String("id");
  std::string status = in.Enum("status", kStatuses);
  std::string mrn = in.String("patient_mrn");
  std::string referring = in.String("referring_npi");
  std::optional<std::string> referred_to = in.OptionalString("referred_to_npi");
  std::string order_text = in.String("order_text");
  std::string ordered_on = in.Date("ordered_on");
  const CodeRow* discipline = DisciplineCodes().ByNative(in.Enum("discipline", kDisciplines));
  std::vector<FieldReader> diagnoses = in.Objects("diagnoses");
  if (in.valid() && in.Has("diagnoses") && diagnoses.empty()) {
    in.Problem("diagnoses", "needs at least one diagnosis");
  }
  std::optional<FieldReader> authorization = in.OptionalObject("authorization");

  Json extensions = Arr({UpdatedAtExtension(in.Instant("updated_at")),
                         MakeExtension(ext::kReferralDirection, "valueCode",
                                       Str(in.Enum("direction", kDirections)))});
  if (authorization) extensions.Append(AuthorizationExtension(*authorization));
  Json reasons = Json::MakeArray();
  for (const FieldReader& diagnosis : diagnoses) reasons.Append(DiagnosisConcept(diagnosis));
  Json timing;
  if (auto frequency = in.OptionalObject("frequency")) {
    frequency->RejectUnknown({"per_week", "weeks"});
    timing = WeeklyTiming(frequency->Integer("per_week"), frequency->Integer("weeks"));
  }
  std::optional<Json> visits = in.OptionalInteger("visits_ordered");
  std::optional<std::string> notes = in.OptionalString("notes");
  const CodeRow* request_status = ReferralRequestStatusCodes().ByNative(status);
  const CodeRow* task_status = ReferralTaskStatusCodes().ByNative(status);

  Json request = Obj({
      {"resourceType", Str("ServiceRequest")},
      {"meta", MakeMeta(profiles::kServiceRequest)},
      {"extension", std::move(extensions)},
      {"identifier", Arr({MakeIdentifier(SystemFor(context, kinds::kReferral), id)})},
      {"status", request_status ? Str(request_status->fhir.code) : Json()},
      {"intent", Str("order")},
      {"category", Arr({MakeConcept(MakeCoding(kSnomedSystem, "3457005", "Patient referral"))})},
      {"priority", Str(in.Enum("priority", kPriorities))},
      {"code", discipline ? MakeConcept(MakeCoding(discipline->fhir), order_text)
                          : TextConcept(order_text)},
      {"quantityQuantity", visits ? Obj({{"value", *visits},
                                         {"unit", Str("visits")},
                                         {"system", Str(kUcumSystem)},
                                         {"code", Str("{visits}")}})
                                  : Json()},
      {"subject", PatientReference(context, mrn)},
      {"occurrenceTiming", std::move(timing)},
      {"authoredOn", Str(ordered_on)},
      {"requester", PractitionerReference(referring)},
      {"performer", referred_to ? Arr({NpiLogicalReference(*referred_to)}) : Json()},
      {"reasonCode", std::move(reasons)},
      {"note", notes ? Arr({Obj({{"text", Str(*notes)}})}) : Json()},
  });
  std::optional<std::string> status_reason = in.OptionalString("status_reason");
  Json task = Obj({
      {"resourceType", Str("Task")},
      {"identifier", Arr({MakeIdentifier(SystemFor(context, kinds::kReferral), id)})},
      {"status", task_status ? Str(task_status->fhir.code) : Json()},
      {"statusReason", status_reason ? TextConcept(*status_reason) : Json()},
      {"businessStatus", task_status && !task_status->fhir.display.empty()
                             ? TextConcept(task_status->fhir.display)
                             : Json()},
      {"intent", Str("order")},
      {"code", MakeConcept(MakeCoding(kTaskCodeSystem, "fulfill", "Fulfill the focal request"))},
      {"focus", KindReference(context, "ServiceRequest", kinds::kReferral, id)},
      {"for", PatientReference(context, mrn)},
      {"authoredOn", Str(ordered_on)},
      {"requester", PractitionerReference(referring)},
      {"owner", referred_to ? NpiLogicalReference(*referred_to) : Json()},
  });
  DUET_RETURN_IF_ERROR(problems.ToStatus(StatusCode::kInvalidArgument, "referral record"));
  request.Set("text", Narrative(id, order_text, authorization));
  std::vector<Json> resources;
  resources.push_back(std::move(request));
  resources.push_back(std::move(task));
  return resources;
}

namespace {

const Json* FindTask(const ResourceSet& resources, std::string_view system, std::string_view id) {
  if (const Json* own = resources.FindByIdentifier("Task", system, id)) return own;
  for (const Json* task : resources.OfType("Task")) {
    const Json* focus = task->Find("focus");
    if (focus != nullptr && resources.ReferencedIdentifier(*focus, system, task) == id) {
      return task;
    }
  }
  return nullptr;
}

std::string StatusFromTask(const FieldReader& task) {
  std::string status = task.String("status");
  std::string business;
  if (auto business_status = task.OptionalObject("businessStatus")) {
    business = business_status->OptionalString("text").value_or("");
  }
  if (status == "accepted" && business == kScheduled) return std::string(kScheduled);
  if (status == "requested" || status == "ready") return "received";
  for (const CodeRow& row : ReferralTaskStatusCodes().rows()) {
    if (row.fhir.code == status && row.fhir.display.empty()) return std::string(row.native);
  }
  task.Problem("status", "\"" + status + "\" has no referral status in the practice format");
  return "";
}

Json DiagnosisFromFhir(const FieldReader& reason) {
  for (const FieldReader& coding : reason.Objects("coding")) {
    if (coding.OptionalString("system") != kIcd10System) continue;
    Json diagnosis = Obj({{"icd10", Str(coding.String("code"))}});
    if (auto display = coding.OptionalString("display"))
      diagnosis.Set("description", Str(*display));
    return diagnosis;
  }
  reason.Problem("coding", "has no ICD-10-CM coding");
  return Json::MakeObject();
}

std::optional<Json> AuthorizationFromFhir(const Json& request, const FieldReader& in) {
  const Json* extension = FindExtension(request, ext::kAuthorization);
  if (extension == nullptr) return std::nullopt;
  Json authorization = Json::MakeObject();
  const Json* period = nullptr;
  for (const Json* part : FindExtensions(*extension, "number")) {
    authorization.Set("number", Str(part->StringOr("valueString")));
  }
  for (const Json* part : FindExtensions(*extension, "visits")) {
    if (const Json* visits = part->Find("valuePositiveInt")) authorization.Set("visits", *visits);
  }
  for (const Json* part : FindExtensions(*extension, "period")) period = part->Find("valuePeriod");
  if (period != nullptr) {
    authorization.Set("start", Str(period->StringOr("start")));
    authorization.Set("end", Str(period->StringOr("end")));
  }
  for (std::string_view member : {"number", "visits", "start", "end"}) {
    const Json* value = authorization.Find(member);
    if (value == nullptr || (value->is_string() && value->string_value().empty())) {
      in.Problem("extension", "authorization extension lacks " + std::string(member));
    }
  }
  return authorization;
}

}  // namespace

StatusOr<Json> ReferralFromFhir(const ResourceSet& resources, std::string_view id,
                                const MappingContext& context) {
  std::string_view system = SystemFor(context, kinds::kReferral);
  DUET_ASSIGN_OR_RETURN(const Json* request,
                        FindMainResource(resources, "ServiceRequest", system, id));
  Problems problems;
  FieldReader in = ResourceReader(*request, &problems);
  Json record = Obj({{"record", Str("referral")}, {"id", Str(id)}});
  if (auto direction = StringExtension(in, ext::kReferralDirection, "valueCode")) {
    record.Set("direction", Str(*direction));
  } else {
    in.Problem("extension", "has no referral-direction extension");
  }
  const Json* task_resource = FindTask(resources, system, id);
  if (task_resource == nullptr) {
    problems.Add("Task", "no Task carries the workflow state of referral " + std::string(id));
  } else {
    FieldReader task = ResourceReader(*task_resource, &problems);
    record.Set("status", Str(StatusFromTask(task)));
    if (auto reason = task.OptionalObject("statusReason")) {
      record.Set("status_reason", Str(reason->String("text")));
    }
  }
  record.Set("patient_mrn", Str(SubjectMrn(resources, in, context, &problems)));
  record.Set("referring_npi", Str(ReferencedNpi(resources, in.Raw("requester"), *request,
                                                in.PathOf("requester"), &problems)));
  if (const Json* performers = in.Raw("performer");
      performers != nullptr && performers->is_array() && !performers->items().empty()) {
    record.Set("referred_to_npi",
               Str(ReferencedNpi(resources, &performers->items().front(), *request,
                                 in.PathOf("performer", 0), &problems)));
  }
  FieldReader code = in.Object("code");
  std::string discipline;
  if (auto codings = code.OptionalObjects("coding")) {
    for (const FieldReader& coding : *codings) {
      const CodeRow* row = DisciplineCodes().ByCode(coding.OptionalString("system").value_or(""),
                                                    coding.OptionalString("code").value_or(""));
      if (row != nullptr) discipline = std::string(row->native);
    }
  }
  if (discipline.empty()) code.Problem("coding", "has no SNOMED CT discipline code");
  record.Set("discipline", Str(discipline));
  record.Set("order_text", Str(code.String("text")));
  Json diagnoses = Json::MakeArray();
  for (const FieldReader& reason : in.Objects("reasonCode")) {
    diagnoses.Append(DiagnosisFromFhir(reason));
  }
  record.Set("diagnoses", std::move(diagnoses));
  record.Set("priority", Str(in.Enum("priority", kPriorities)));
  record.Set("ordered_on", Str(in.Date("authoredOn")));
  if (auto quantity = in.OptionalObject("quantityQuantity")) {
    record.Set("visits_ordered", quantity->Integer("value"));
  }
  if (auto timing = in.OptionalObject("occurrenceTiming")) {
    FieldReader repeat = timing->Object("repeat");
    record.Set("frequency", Obj({{"per_week", repeat.Integer("frequency")},
                                 {"weeks", repeat.Object("boundsDuration").Integer("value")}}));
  }
  if (auto authorization = AuthorizationFromFhir(*request, in)) {
    record.Set("authorization", std::move(*authorization));
  }
  if (auto notes = in.OptionalObjects("note"); notes && !notes->empty()) {
    record.Set("notes", Str(notes->front().String("text")));
  }
  SetUpdatedAtFromExtension(in, &record);
  DUET_RETURN_IF_ERROR(problems.ToStatus(
      StatusCode::kUnprocessable, "ServiceRequest " + std::string(id) + " cannot be mapped"));
  return record;
}

}  // namespace duet::mappings
