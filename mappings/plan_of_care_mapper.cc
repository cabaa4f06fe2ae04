#include "mappings/plan_of_care_mapper.h"

#include <string>
#include <utility>

#include "mappings/code_tables.h"
#include "mappings/extensions.h"
#include "mappings/fhir_elements.h"
#include "mappings/fhir_text_elements.h"
#include "mappings/mapper_support.h"
#include "mappings/medication_list_mapper.h"
#include "mappings/plan_goal_mapper.h"

namespace duet::mappings {
namespace {

using fhir::Json;

const std::initializer_list<std::string_view> kDisciplines = {"pt", "ot", "slp"};
const std::initializer_list<std::string_view> kStatuses = {"draft", "active", "on_hold",
                                                           "completed", "voided"};
const std::initializer_list<std::string_view> kCertificationStatuses = {
    "not_sent", "sent", "signed", "declined", "expired"};
const std::initializer_list<std::string_view> kInterventionStatuses = {"planned", "active",
                                                                       "completed", "stopped"};
const std::initializer_list<std::string_view> kRehabPotentials = {"excellent", "good", "fair",
                                                                  "poor"};

std::string ConditionKey(std::string_view plan_id, size_t rank) {
  return std::string(plan_id) + "/" + std::to_string(rank);
}

// The discipline activity's status follows the plan's.
std::string_view DisciplineActivityStatus(std::string_view plan_status) {
  if (plan_status == "draft") return "not-started";
  if (plan_status == "on_hold") return "on-hold";
  if (plan_status == "completed") return "completed";
  if (plan_status == "voided") return "cancelled";
  return "in-progress";
}

// A plan of care as read from its record, checked: what the resources are written from.
struct PlanRecord {
  struct Certification {
    std::string from;
    std::string to;
    std::string physician_npi;
    std::string status;
    std::optional<std::string> sent_on;
    std::optional<std::string> signed_on;
  };
  struct Frequency {
    Json per_week;
    Json weeks;
    std::optional<Json> per_day;
  };
  struct Diagnosis {
    std::string icd10;
    std::optional<std::string> description;
    std::optional<std::string> onset;
  };
  struct Intervention {
    std::string cpt;
    std::optional<std::string> description;
    const CodeRow* status = nullptr;
  };
  struct CareTeamMember {
    std::string npi;
    std::string role;
  };

  PlanGoalContext plan;  // id, patient, therapist, start of care, discipline
  std::string status;
  const CodeRow* discipline = nullptr;
  const CodeRow* plan_status = nullptr;
  std::string updated_at;
  std::optional<std::string> referral;
  std::optional<std::string> replaces;
  std::optional<std::string> rehab_potential;
  std::optional<std::string> priorities;
  Certification certification;
  Frequency frequency;
  std::vector<Diagnosis> diagnoses;
  std::vector<Intervention> interventions;
  std::vector<PlanGoal> goals;
  std::vector<CareTeamMember> care_team;
};

PlanRecord::Certification ReadCertification(const FieldReader& in) {
  in.RejectUnknown({"from", "to", "physician_npi", "status", "sent_on", "signed_on"});
  return {in.Date("from"),
          in.Date("to"),
          in.String("physician_npi"),
          in.Enum("status", kCertificationStatuses),
          in.OptionalDate("sent_on"),
          in.OptionalDate("signed_on")};
}

PlanRecord::Frequency ReadFrequency(const FieldReader& in) {
  in.RejectUnknown({"per_week", "weeks", "per_day"});
  return {in.Integer("per_week"), in.Integer("weeks"), in.OptionalInteger("per_day")};
}

std::vector<PlanRecord::Diagnosis> ReadDiagnoses(const FieldReader& in) {
  std::vector<FieldReader> diagnoses = in.Objects("diagnoses");
  if (in.valid() && in.Has("diagnoses") && diagnoses.empty()) {
    in.Problem("diagnoses", "needs at least one diagnosis");
  }
  std::vector<PlanRecord::Diagnosis> read;
  read.reserve(diagnoses.size());
  for (const FieldReader& diagnosis : diagnoses) {
    diagnosis.RejectUnknown({"icd10", "description", "onset"});
    read.push_back({diagnosis.String("icd10"), diagnosis.OptionalString("description"),
                    diagnosis.OptionalDate("onset")});
  }
  return read;
}

std::vector<PlanRecord::Intervention> ReadInterventions(const FieldReader& in) {
  std::vector<PlanRecord::Intervention> read;
  for (const FieldReader& intervention : in.Objects("interventions")) {
    intervention.RejectUnknown({"cpt", "description", "status"});
    std::string cpt = intervention.String("cpt");
    std::optional<std::string> description = intervention.OptionalString("description");
    read.push_back(
        {std::move(cpt), std::move(description),
         InterventionStatusCodes().ByNative(intervention.Enum("status", kInterventionStatuses))});
  }
  return read;
}

std::vector<PlanRecord::CareTeamMember> ReadCareTeam(const FieldReader& in) {
  std::vector<PlanRecord::CareTeamMember> read;
  for (const FieldReader& member :
       in.OptionalObjects("care_team").value_or(std::vector<FieldReader>{})) {
    member.RejectUnknown({"npi", "role"});
    std::string npi = member.String("npi");
    read.push_back({std::move(npi), member.Enum("role", kProviderRoles)});
  }
  return read;
}

PlanRecord ReadPlan(const FieldReader& in) {
  in.RejectUnknown({"record", "id", "patient_mrn", "discipline", "status", "referral_id",
                    "replaces", "therapist_npi", "start_of_care", "certification", "frequency",
                    "diagnoses", "interventions", "goals", "rehab_potential", "patient_priorities",
                    "care_team", "updated_at"});
  PlanRecord read;
  read.plan.plan_id = in.String("id");
  read.plan.patient_mrn = in.String("patient_mrn");
  read.status = in.Enum("status", kStatuses);
  read.plan.discipline = in.Enum("discipline", kDisciplines);
  read.discipline = DisciplineCodes().ByNative(read.plan.discipline);
  read.plan_status = PlanStatusCodes().ByNative(read.status);
  read.plan.therapist_npi = in.String("therapist_npi");
  read.plan.start_of_care = in.Date("start_of_care");
  read.certification = ReadCertification(in.Object("certification"));
  read.updated_at = in.Instant("updated_at");
  read.rehab_potential = in.OptionalEnum("rehab_potential", kRehabPotentials);
  read.diagnoses = ReadDiagnoses(in);
  read.goals = ReadPlanGoals(in.Objects("goals"));
  read.frequency = ReadFrequency(in.Object("frequency"));
  read.interventions = ReadInterventions(in);
  read.care_team = ReadCareTeam(in);
  read.referral = in.OptionalString("referral_id");
  read.replaces = in.OptionalString("replaces");
  read.priorities = in.OptionalString("patient_priorities");
  return read;
}

// The conditional reference to a resource the practice identifies with `kind`.
std::string KindUrl(const MappingContext& context, std::string_view type, std::string_view kind,
                    std::string_view value) {
  return ConditionalUrl(type, context.System(kind), value);
}

void WriteCertificationExtension(const PlanRecord::Certification& certification,
                                 fhir::JsonTextWriter& out) {
  BeginExtension(out, ext::kCertification);
  out.BeginArray("extension");
  WriteStringExtension(out, "status", "valueCode", certification.status);
  BeginExtension(out, "physician");
  WriteReference(out, "valueReference",
                 ConditionalUrl("Practitioner", kNpiSystem, certification.physician_npi));
  out.EndObject();
  if (certification.sent_on) {
    WriteStringExtension(out, "sentOn", "valueDate", *certification.sent_on);
  }
  if (certification.signed_on) {
    WriteStringExtension(out, "signedOn", "valueDate", *certification.signed_on);
  }
  out.EndArray();
  out.EndObject();
}

void WriteCarePlanExtensions(const PlanRecord& read, const std::vector<std::string>& empty_arrays,
                             fhir::JsonTextWriter& out) {
  out.BeginArray("extension");
  WriteStringExtension(out, ext::kRecordUpdatedAt, "valueInstant", read.updated_at);
  WriteStringExtension(out, ext::kStartOfCare, "valueDate", read.plan.start_of_care);
  WriteCertificationExtension(read.certification, out);
  if (read.rehab_potential) {
    WriteStringExtension(out, ext::kRehabPotential, "valueCode", *read.rehab_potential);
  }
  for (const std::string& pointer : empty_arrays) {
    WriteStringExtension(out, ext::kEmptyArray, "valueString", pointer);
  }
  out.EndArray();
}

void WriteCategories(const PlanRecord& read, fhir::JsonTextWriter& out) {
  out.BeginArray("category");
  WriteConcept(out, kItem, kCarePlanCategorySystem, "assess-plan",
               "Assessment and Plan of Treatment");
  WriteConcept(out, kItem, kSnomedSystem, "736055001", "Rehabilitation care plan");
  if (read.discipline != nullptr) WriteConcept(out, kItem, read.discipline->fhir);
  out.EndArray();
}

void WriteFrequencyActivity(const PlanRecord& read, fhir::JsonTextWriter& out) {
  out.BeginObject();
  out.BeginObject("detail");
  out.String("kind", "ServiceRequest");
  if (read.discipline != nullptr) WriteConcept(out, "code", read.discipline->fhir);
  out.String("status", DisciplineActivityStatus(read.status));
  out.BeginObject("scheduledTiming");
  out.BeginObject("repeat");
  WriteUcumQuantity(out, "boundsDuration", read.frequency.weeks.number_text(), "wk");
  out.Number("frequency", read.frequency.per_week.number_text());
  out.Number("period", "1");
  out.String("periodUnit", "wk");
  out.EndObject();
  out.EndObject();
  if (read.frequency.per_day) {
    out.BeginArray("extension");
    BeginExtension(out, ext::kSessionsPerDay);
    out.Number("valuePositiveInt", read.frequency.per_day->number_text());
    out.EndObject();
    out.EndArray();
  }
  out.EndObject();
  out.EndObject();
}

void WriteActivities(const PlanRecord& read, fhir::JsonTextWriter& out) {
  out.BeginArray("activity");
  WriteFrequencyActivity(read, out);
  for (const PlanRecord::Intervention& intervention : read.interventions) {
    out.BeginObject();
    out.BeginObject("detail");
    out.String("kind", "ServiceRequest");
    WriteConcept(out, "code", kCptSystem, intervention.cpt, intervention.description.value_or(""));
    if (intervention.status != nullptr) out.String("status", intervention.status->fhir.code);
    out.EndObject();
    out.EndObject();
  }
  out.EndArray();
}

// The references of a list member ("addresses": [{"reference": ...}, ...]).
template <typename Items, typename UrlOf>
void WriteReferences(std::string_view key, const Items& items, UrlOf url_of,
                     fhir::JsonTextWriter& out) {
  out.BeginArray(key);
  for (size_t i = 0; i < items.size(); ++i) WriteReference(out, kItem, url_of(i));
  out.EndArray();
}

void WriteNarrative(const PlanRecord& read, fhir::JsonTextWriter& out) {
  const PlanRecord::Certification& certification = read.certification;
  const PlanRecord::Frequency& frequency = read.frequency;
  NarrativeBuilder narrative("Plan of care " + read.plan.plan_id);
  narrative.Item({"Certification period"}, {certification.from, " to ", certification.to});
  narrative.Item({"Physician certification"},
                 {certification.status, certification.sent_on ? ", sent " : "",
                  certification.sent_on.value_or(""), certification.signed_on ? ", signed " : "",
                  certification.signed_on.value_or("")});
  narrative.Item("Start of care", read.plan.start_of_care);
  std::string_view per_day =
      frequency.per_day ? frequency.per_day->number_text() : std::string_view();
  narrative.Item(
      {"Frequency"},
      {frequency.per_week.number_text(), "x/week for ", frequency.weeks.number_text(), " weeks",
       frequency.per_day ? ", " : "", per_day, frequency.per_day ? " session(s) a day" : ""});
  for (const PlanRecord::Diagnosis& diagnosis : read.diagnoses) {
    narrative.Item({"Diagnosis"}, {diagnosis.icd10, " ", diagnosis.description.value_or("")});
  }
  for (const PlanGoal& goal : read.goals) {
    narrative.Item({"Goal ", goal.id, " (", goal.term, " term, ", goal.status_text, ")"},
                   {goal.description});
  }
  if (read.rehab_potential) narrative.Item("Rehab potential", *read.rehab_potential);
  if (read.priorities) narrative.Item("Patient priorities", *read.priorities);
  WriteNarrative(out, narrative);
}

void WriteCarePlan(const PlanRecord& read, const std::vector<std::string>& empty_arrays,
                   const MappingContext& context, ResourceWriter& writer) {
  const std::string& id = read.plan.plan_id;
  std::string_view system = context.System(kinds::kPlanOfCare);
  fhir::JsonTextWriter& out = writer.BeginResource("CarePlan", system, id);
  WriteMeta(out, profiles::kCarePlan);
  WriteCarePlanExtensions(read, empty_arrays, out);
  WriteIdentifier(out, system, id);
  if (read.replaces) {
    out.BeginArray("replaces");
    WriteReference(out, kItem, KindUrl(context, "CarePlan", kinds::kPlanOfCare, *read.replaces));
    out.EndArray();
  }
  if (read.plan_status != nullptr) out.String("status", read.plan_status->fhir.code);
  out.String("intent", "plan");
  WriteCategories(read, out);
  WriteReference(out, "subject", read.plan.patient_url);
  out.BeginObject("period");
  out.String("start", read.certification.from);
  out.String("end", read.certification.to);
  out.EndObject();
  WriteReference(out, "author", read.plan.therapist_url);
  out.BeginArray("contributor");
  WriteReference(out, kItem,
                 ConditionalUrl("Practitioner", kNpiSystem, read.certification.physician_npi));
  out.EndArray();
  if (!read.care_team.empty()) {
    out.BeginArray("careTeam");
    WriteReference(out, kItem, KindUrl(context, "CareTeam", kinds::kCareTeam, id));
    out.EndArray();
  }
  WriteReferences(
      "addresses", read.diagnoses,
      [&](size_t i) {
        return KindUrl(context, "Condition", kinds::kCondition, ConditionKey(id, i + 1));
      },
      out);
  if (read.referral) {
    out.BeginArray("supportingInfo");
    WriteReference(out, kItem,
                   KindUrl(context, "ServiceRequest", kinds::kReferral, *read.referral));
    out.EndArray();
  }
  if (!read.goals.empty()) {
    WriteReferences(
        "goal", read.goals,
        [&](size_t i) {
          return KindUrl(context, "Goal", kinds::kGoal, PlanGoalKey(id, read.goals[i].id));
        },
        out);
  }
  WriteActivities(read, out);
  if (read.priorities) {
    out.BeginArray("note");
    WriteTextConcept(out, kItem, *read.priorities);
    out.EndArray();
  }
  WriteNarrative(read, out);
  writer.EndResource();
}

void WriteCondition(const PlanRecord& read, size_t rank, const MappingContext& context,
                    ResourceWriter& writer) {
  const PlanRecord::Diagnosis& diagnosis = read.diagnoses[rank - 1];
  std::string_view system = context.System(kinds::kCondition);
  std::string key = ConditionKey(read.plan.plan_id, rank);
  fhir::JsonTextWriter& out = writer.BeginResource("Condition", system, key);
  WriteMeta(out, profiles::kCondition);
  out.BeginArray("extension");
  BeginExtension(out, ext::kRank);
  out.Integer("valuePositiveInt", static_cast<long long>(rank));
  out.EndObject();
  out.EndArray();
  WriteIdentifier(out, system, key);
  WriteConcept(out, "clinicalStatus", kConditionClinicalSystem, "active", "Active");
  WriteConcept(out, "verificationStatus", kConditionVerificationSystem, "confirmed", "Confirmed");
  out.BeginArray("category");
  WriteConcept(out, kItem, kConditionCategorySystem, "encounter-diagnosis", "Encounter Diagnosis");
  out.EndArray();
  WriteConcept(out, "code", kIcd10System, diagnosis.icd10, diagnosis.description.value_or(""));
  WriteReference(out, "subject", read.plan.patient_url);
  if (diagnosis.onset) out.String("onsetDateTime", *diagnosis.onset);
  writer.EndResource();
}

void WriteCareTeam(const PlanRecord& read, const MappingContext& context, ResourceWriter& writer) {
  const std::string& id = read.plan.plan_id;
  std::string_view system = context.System(kinds::kCareTeam);
  fhir::JsonTextWriter& out = writer.BeginResource("CareTeam", system, id);
  WriteMeta(out, profiles::kCareTeam);
  WriteIdentifier(out, system, id);
  out.String("status", "active");
  out.String("name", "Care team of plan of care " + id);
  WriteReference(out, "subject", read.plan.patient_url);
  out.BeginArray("participant");
  for (const PlanRecord::CareTeamMember& member : read.care_team) {
    out.BeginObject();
    out.BeginArray("role");
    const CodeRow* row = ProviderRoleCodes().ByNative(member.role);
    if (row != nullptr && row->fhir.code.empty()) {
      WriteTextConcept(out, kItem, row->fhir.display);
    } else if (row != nullptr) {
      WriteConcept(out, kItem, row->fhir, row->fhir.display);
    }
    out.EndArray();
    WriteReference(out, "member", ConditionalUrl("Practitioner", kNpiSystem, member.npi));
    out.EndObject();
  }
  out.EndArray();
  writer.EndResource();
}

}  // namespace

Status WritePlanOfCareFhir(const Json& record, const MappingContext& context,
                           std::string_view pointer, const std::vector<std::string>& empty_arrays,
                           ResourceWriter& writer) {
  Problems problems;
  FieldReader in(&record, std::string(pointer), PathStyle::kJsonPointer, &problems);
  PlanRecord read = ReadPlan(in);
  DUET_RETURN_IF_ERROR(problems.ToStatus(StatusCode::kInvalidArgument, "plan_of_care record"));
  read.plan.patient_url = KindUrl(context, "Patient", kinds::kMrn, read.plan.patient_mrn);
  read.plan.therapist_url = ConditionalUrl("Practitioner", kNpiSystem, read.plan.therapist_npi);
  WriteCarePlan(read, empty_arrays, context, writer);
  for (size_t rank = 1; rank <= read.diagnoses.size(); ++rank) {
    WriteCondition(read, rank, context, writer);
  }
  for (const PlanGoal& goal : read.goals) WritePlanGoal(goal, read.plan, context, writer);
  if (!read.care_team.empty()) WriteCareTeam(read, context, writer);
  return Status::Ok();
}

StatusOr<std::vector<Json>> PlanOfCareToFhir(const Json& record, const MappingContext& context,
                                             std::string_view pointer) {
  ResourceCollector collector;
  DUET_RETURN_IF_ERROR(WritePlanOfCareFhir(record, context, pointer, {}, collector));
  return collector.Take();
}

namespace {

std::string PlanStatusFromFhir(const FieldReader& in) {
  std::string status = in.String("status");
  if (status == "entered-in-error") return "voided";
  const CodeRow* row = PlanStatusCodes().ByFhirCode(status);
  if (row == nullptr) {
    in.Problem("status", "\"" + status + "\" has no plan-of-care status");
    return "";
  }
  return std::string(row->native);
}

std::string DisciplineOf(const FieldReader& concept_list_owner, std::string_view member) {
  if (auto concepts = concept_list_owner.OptionalObjects(member)) {
    for (const FieldReader& item : *concepts) {
      if (auto codings = item.OptionalObjects("coding")) {
        for (const FieldReader& coding : *codings) {
          const CodeRow* row =
              DisciplineCodes().ByCode(coding.OptionalString("system").value_or(""),
                                       coding.OptionalString("code").value_or(""));
          if (row != nullptr) return std::string(row->native);
        }
      }
    }
  }
  return "";
}

// The CPT or SNOMED coding of an activity's detail.code.
std::optional<FieldReader> CodingOf(const FieldReader& detail, std::string_view system) {
  std::optional<FieldReader> code = detail.OptionalObject("code");
  if (!code) return std::nullopt;
  if (auto codings = code->OptionalObjects("coding")) {
    for (const FieldReader& coding : *codings) {
      if (coding.OptionalString("system") == system) return coding;
    }
  }
  return std::nullopt;
}

Json CertificationFromFhir(const ResourceSet& resources, const FieldReader& in,
                           Problems* problems) {
  FieldReader period = in.Object("period");
  Json certification = Obj({{"from", Str(period.Date("start"))}, {"to", Str(period.Date("end"))}});
  const Json* extension = FindExtension(*in.json(), ext::kCertification);
  if (extension == nullptr) {
    in.Problem("extension", "has no certification extension");
    return certification;
  }
  std::string path = in.PathOf("extension");
  const Json* physician = ExtensionValue(FindExtension(*extension, "physician"), "valueReference");
  certification.Set("physician_npi",
                    Str(ReferencedNpi(resources, physician, *in.json(), path, problems)));
  const Json* status = ExtensionValue(FindExtension(*extension, "status"), "valueCode");
  if (status == nullptr || !status->is_string()) {
    problems->Add(path, "certification extension lacks status");
  } else {
    certification.Set("status", *status);
  }
  if (const Json* sent = ExtensionValue(FindExtension(*extension, "sentOn"), "valueDate")) {
    certification.Set("sent_on", *sent);
  }
  if (const Json* signed_on = ExtensionValue(FindExtension(*extension, "signedOn"), "valueDate")) {
    certification.Set("signed_on", *signed_on);
  }
  return certification;
}

Json DiagnosesFromFhir(const ResourceSet& resources, const FieldReader& in, Problems* problems) {
  std::vector<const Json*> conditions;
  const Json* addresses = in.Raw("addresses");
  if (addresses != nullptr && addresses->is_array()) {
    for (size_t i = 0; i < addresses->items().size(); ++i) {
      ResourceSet::Target target = resources.Resolve(addresses->items()[i], in.json());
      if (target.resource == nullptr) {
        problems->Add(in.PathOf("addresses", i), "does not resolve to a Condition");
        continue;
      }
      conditions.push_back(target.resource);
    }
  }
  SortByRank(conditions);
  Json diagnoses = Json::MakeArray();
  for (const Json* condition : conditions) {
    FieldReader reader = ResourceReader(*condition, problems);
    std::optional<FieldReader> coding = CodingOf(reader, kIcd10System);
    if (!coding) {
      reader.Problem("code", "has no ICD-10-CM coding");
      continue;
    }
    Json diagnosis = Obj({{"icd10", Str(coding->String("code"))}});
    if (auto display = coding->OptionalString("display"))
      diagnosis.Set("description", Str(*display));
    if (auto onset = reader.OptionalDate("onsetDateTime")) diagnosis.Set("onset", Str(*onset));
    diagnoses.Append(std::move(diagnosis));
  }
  return diagnoses;
}

// Fills frequency and interventions from CarePlan.activity.
void ActivitiesFromFhir(const FieldReader& in, Json& record) {
  Json interventions = Json::MakeArray();
  for (const FieldReader& activity :
       in.OptionalObjects("activity").value_or(std::vector<FieldReader>{})) {
    std::optional<FieldReader> detail = activity.OptionalObject("detail");
    if (!detail) continue;
    if (auto cpt = CodingOf(*detail, kCptSystem)) {
      Json intervention = Obj({{"cpt", Str(cpt->String("code"))}});
      if (auto display = cpt->OptionalString("display")) {
        intervention.Set("description", Str(*display));
      }
      std::string status = detail->String("status");
      const CodeRow* row = InterventionStatusCodes().ByFhirCode(status);
      if (row == nullptr)
        detail->Problem("status", "\"" + status + "\" has no intervention status");
      intervention.Set("status", Str(row ? row->native : ""));
      interventions.Append(std::move(intervention));
    } else if (CodingOf(*detail, kSnomedSystem) && detail->Has("scheduledTiming")) {
      FieldReader repeat = detail->Object("scheduledTiming").Object("repeat");
      Json frequency = Obj({{"per_week", repeat.Integer("frequency")},
                            {"weeks", repeat.Object("boundsDuration").Integer("value")}});
      if (const Json* per_day = ExtensionValue(FindExtension(*detail->json(), ext::kSessionsPerDay),
                                               "valuePositiveInt")) {
        frequency.Set("per_day", *per_day);
      }
      record.Set("frequency", std::move(frequency));
    }
  }
  if (record.Find("frequency") == nullptr) {
    in.Problem("activity", "has no discipline activity with the visit frequency");
  }
  record.Set("interventions", std::move(interventions));
}

Json CareTeamFromFhir(const ResourceSet& resources, const Json& team, Problems* problems) {
  FieldReader in = ResourceReader(team, problems);
  Json members = Json::MakeArray();
  std::vector<FieldReader> participants = in.Objects("participant");
  for (size_t i = 0; i < participants.size(); ++i) {
    const FieldReader& participant = participants[i];
    std::string npi = ReferencedNpi(resources, participant.Raw("member"), team,
                                    participant.PathOf("member"), problems);
    std::vector<FieldReader> roles = participant.Objects("role");
    std::string role = roles.empty() ? "" : ProviderRoleFromConcept(roles.front());
    members.Append(Obj({{"npi", Str(npi)}, {"role", Str(role)}}));
  }
  return members;
}

}  // namespace

StatusOr<Json> PlanOfCareFromFhir(const ResourceSet& resources, std::string_view id,
                                  const MappingContext& context) {
  DUET_ASSIGN_OR_RETURN(
      const Json* care_plan,
      FindMainResource(resources, "CarePlan", SystemFor(context, kinds::kPlanOfCare), id));
  Problems problems;
  FieldReader in = ResourceReader(*care_plan, &problems);
  Json record = Obj({{"record", Str("plan_of_care")}, {"id", Str(id)}});
  record.Set("patient_mrn", Str(SubjectMrn(resources, in, context, &problems)));
  std::string discipline = DisciplineOf(in, "category");
  if (discipline.empty()) in.Problem("category", "has no SNOMED CT discipline code");
  record.Set("discipline", Str(discipline));
  record.Set("status", Str(PlanStatusFromFhir(in)));
  if (const Json* infos = in.Raw("supportingInfo"); infos != nullptr && infos->is_array()) {
    for (const Json& info : infos->items()) {
      auto referral =
          resources.ReferencedIdentifier(info, SystemFor(context, kinds::kReferral), care_plan);
      if (referral && record.Find("referral_id") == nullptr) {
        record.Set("referral_id", Str(*referral));
      }
    }
  }
  if (const Json* replaces = in.Raw("replaces");
      replaces != nullptr && replaces->is_array() && !replaces->items().empty()) {
    record.Set("replaces", Str(ReferencedId(resources, &replaces->items().front(), *care_plan,
                                            SystemFor(context, kinds::kPlanOfCare),
                                            in.PathOf("replaces", 0), &problems)));
  }
  record.Set("therapist_npi", Str(ReferencedNpi(resources, in.Raw("author"), *care_plan,
                                                in.PathOf("author"), &problems)));
  record.Set("start_of_care",
             Str(StringExtension(in, ext::kStartOfCare, "valueDate").value_or("")));
  record.Set("certification", CertificationFromFhir(resources, in, &problems));
  ActivitiesFromFhir(in, record);
  record.Set("diagnoses", DiagnosesFromFhir(resources, in, &problems));
  record.Set("goals", PlanGoalsFromFhir(resources, in, id, context, &problems));
  if (auto potential = StringExtension(in, ext::kRehabPotential, "valueCode")) {
    record.Set("rehab_potential", Str(*potential));
  }
  if (auto notes = in.OptionalObjects("note"); notes && !notes->empty()) {
    record.Set("patient_priorities", Str(notes->front().String("text")));
  }
  if (const Json* teams = in.Raw("careTeam");
      teams != nullptr && teams->is_array() && !teams->items().empty()) {
    ResourceSet::Target team = resources.Resolve(teams->items().front(), care_plan);
    if (team.resource == nullptr) {
      in.Problem("careTeam", "does not resolve to a CareTeam among the resources");
    } else {
      record.Set("care_team", CareTeamFromFhir(resources, *team.resource, &problems));
    }
  }
  SetUpdatedAtFromExtension(in, &record);
  DUET_RETURN_IF_ERROR(problems.ToStatus(StatusCode::kUnprocessable,
                                         "CarePlan " + std::string(id) + " cannot be mapped"));
  return record;
}

}  // namespace duet::mappings
