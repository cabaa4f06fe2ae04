#include "mappings/plan_of_care_mapper.h"

#include <string>
#include <utility>

#include "mappings/code_tables.h"
#include "mappings/extensions.h"
#include "mappings/fhir_elements.h"
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

Json CertificationExtension(const FieldReader& certification) {
  certification.RejectUnknown({"from", "to", "physician_npi", "status", "sent_on", "signed_on"});
  std::vector<Json> parts =
      MoveItems({MakeExtension("status", "valueCode",
                               Str(certification.Enum("status", kCertificationStatuses))),
                 MakeExtension("physician", "valueReference",
                               PractitionerReference(certification.String("physician_npi")))});
  if (auto sent = certification.OptionalDate("sent_on")) {
    parts.push_back(MakeExtension("sentOn", "valueDate", Str(*sent)));
  }
  if (auto signed_on = certification.OptionalDate("signed_on")) {
    parts.push_back(MakeExtension("signedOn", "valueDate", Str(*signed_on)));
  }
  return MakeComplexExtension(ext::kCertification, std::move(parts));
}

Json ConditionToFhir(const FieldReader& diagnosis, size_t rank, const std::string& plan_id,
                     const std::string& mrn, const MappingContext& context) {
  diagnosis.RejectUnknown({"icd10", "description", "onset"});
  std::optional<std::string> onset = diagnosis.OptionalDate("onset");
  return Obj({
      {"resourceType", Str("Condition")},
      {"meta", MakeMeta(profiles::kCondition)},
      {"extension", Arr({RankExtension(rank)})},
      {"identifier",
       Arr({MakeIdentifier(SystemFor(context, kinds::kCondition), ConditionKey(plan_id, rank))})},
      {"clinicalStatus", MakeConcept(MakeCoding(kConditionClinicalSystem, "active", "Active"))},
      {"verificationStatus",
       MakeConcept(MakeCoding(kConditionVerificationSystem, "confirmed", "Confirmed"))},
      {"category", Arr({MakeConcept(MakeCoding(kConditionCategorySystem, "encounter-diagnosis",
                                               "Encounter Diagnosis"))})},
      {"code", MakeConcept(MakeCoding(kIcd10System, diagnosis.String("icd10"),
                                      diagnosis.OptionalString("description").value_or("")))},
      {"subject", PatientReference(context, mrn)},
      {"onsetDateTime", onset ? Str(*onset) : Json()},
  });
}

Json CareTeamToFhir(const std::vector<FieldReader>& members, const std::string& plan_id,
                    const std::string& mrn, const MappingContext& context) {
  Json participants = Json::MakeArray();
  for (const FieldReader& member : members) {
    member.RejectUnknown({"npi", "role"});
    participants.Append(
        Obj({{"role", Arr({ProviderRoleConcept(member.Enum("role", kProviderRoles))})},
             {"member", PractitionerReference(member.String("npi"))}}));
  }
  return Obj({{"resourceType", Str("CareTeam")},
              {"meta", MakeMeta(profiles::kCareTeam)},
              {"identifier", Arr({MakeIdentifier(SystemFor(context, kinds::kCareTeam), plan_id)})},
              {"status", Str("active")},
              {"name", Str("Care team of plan of care " + plan_id)},
              {"subject", PatientReference(context, mrn)},
              {"participant", std::move(participants)}});
}

Json InterventionActivity(const FieldReader& intervention) {
  intervention.RejectUnknown({"cpt", "description", "status"});
  const CodeRow* status =
      InterventionStatusCodes().ByNative(intervention.Enum("status", kInterventionStatuses));
  return Obj(
      {{"detail", Obj({{"kind", Str("ServiceRequest")},
                       {"code", MakeConcept(MakeCoding(
                                    kCptSystem, intervention.String("cpt"),
                                    intervention.OptionalString("description").value_or("")))},
                       {"status", status ? Str(status->fhir.code) : Json()}})}});
}

Json FrequencyActivity(const FieldReader& frequency, const CodeRow* discipline,
                       std::string_view plan_status) {
  frequency.RejectUnknown({"per_week", "weeks", "per_day"});
  Json detail = Obj({{"kind", Str("ServiceRequest")},
                     {"code", discipline ? MakeConcept(MakeCoding(discipline->fhir)) : Json()},
                     {"status", Str(DisciplineActivityStatus(plan_status))},
                     {"scheduledTiming",
                      WeeklyTiming(frequency.Integer("per_week"), frequency.Integer("weeks"))}});
  if (auto per_day = frequency.OptionalInteger("per_day")) {
    AddExtension(detail, MakeExtension(ext::kSessionsPerDay, "valuePositiveInt", *per_day));
  }
  return Obj({{"detail", std::move(detail)}});
}

Json Narrative(const FieldReader& in, const std::string& id) {
  NarrativeBuilder narrative("Plan of care " + id);
  FieldReader certification = in.Object("certification");
  narrative.Item({"Certification period"},
                 {certification.Date("from"), " to ", certification.Date("to")});
  std::string status = certification.String("status");
  std::optional<std::string> sent = certification.OptionalDate("sent_on");
  std::optional<std::string> signed_on = certification.OptionalDate("signed_on");
  narrative.Item({"Physician certification"},
                 {status, sent ? ", sent " : "", sent.value_or(""), signed_on ? ", signed " : "",
                  signed_on.value_or("")});
  narrative.Item("Start of care", in.Date("start_of_care"));
  FieldReader frequency = in.Object("frequency");
  Json per_week = frequency.Integer("per_week");
  Json weeks = frequency.Integer("weeks");
  std::optional<Json> per_day = frequency.OptionalInteger("per_day");
  std::string_view per_day_text = per_day ? per_day->number_text() : std::string_view();
  narrative.Item({"Frequency"},
                 {per_week.number_text(), "x/week for ", weeks.number_text(), " weeks",
                  per_day ? ", " : "", per_day_text, per_day ? " session(s) a day" : ""});
  for (const FieldReader& diagnosis : in.Objects("diagnoses")) {
    narrative.Item({"Diagnosis"}, {diagnosis.String("icd10"), " ",
                                   diagnosis.OptionalString("description").value_or("")});
  }
  for (const FieldReader& goal : in.Objects("goals")) {
    narrative.Item({"Goal ", goal.String("id"), " (", goal.String("term"), " term, ",
                    goal.String("status"), ")"},
                   {goal.String("description")});
  }
  if (auto potential = in.OptionalString("rehab_potential")) {
    narrative.Item("Rehab potential", *potential);
  }
  if (auto priorities = in.OptionalString("patient_priorities")) {
    narrative.Item("Patient priorities", *priorities);
  }
  return narrative.Build();
}

}  // namespace

StatusOr<std::vector<Json>> PlanOfCareToFhir(const Json& record, const MappingContext& context,
                                             std::string_view pointer) {
  Problems problems;
  FieldReader in(&record, std::string(pointer), PathStyle::kJsonPointer, &problems);
  in.RejectUnknown({"record", "id", "patient_mrn", "discipline", "status", "referral_id",
                    "replaces", "therapist_npi", "start_of_care", "certification", "frequency",
                    "diagnoses", "interventions", "goals", "rehab_potential", "patient_priorities",
                    "care_team", "updated_at"});
  std::string id = in.String("id");
  std::string mrn = in.String("patient_mrn");
  std::string status = in.Enum("status", kStatuses);
  std::string discipline_code = in.Enum("discipline", kDisciplines);
  const CodeRow* discipline = DisciplineCodes().ByNative(discipline_code);
  const CodeRow* plan_status = PlanStatusCodes().ByNative(status);
  PlanGoalContext plan{id, mrn, in.String("therapist_npi"), in.Date("start_of_care"),
                       discipline_code};
  FieldReader certification = in.Object("certification");

  Json extensions = Arr({UpdatedAtExtension(in.Instant("updated_at")),
                         MakeExtension(ext::kStartOfCare, "valueDate", Str(plan.start_of_care)),
                         CertificationExtension(certification)});
  if (auto potential = in.OptionalEnum("rehab_potential", kRehabPotentials)) {
    extensions.Append(MakeExtension(ext::kRehabPotential, "valueCode", Str(*potential)));
  }
  std::vector<Json> conditions;
  Json addresses = Json::MakeArray();
  std::vector<FieldReader> diagnoses = in.Objects("diagnoses");
  if (in.valid() && in.Has("diagnoses") && diagnoses.empty()) {
    in.Problem("diagnoses", "needs at least one diagnosis");
  }
  for (const FieldReader& diagnosis : diagnoses) {
    size_t rank = conditions.size() + 1;
    conditions.push_back(ConditionToFhir(diagnosis, rank, id, mrn, context));
    addresses.Append(
        KindReference(context, "Condition", kinds::kCondition, ConditionKey(id, rank)));
  }
  std::vector<FieldReader> goal_readers = in.Objects("goals");
  std::vector<Json> goals = PlanGoalsToFhir(goal_readers, plan, context);
  Json goal_references = Json::MakeArray();
  for (const FieldReader& goal : goal_readers) {
    goal_references.Append(KindReference(context, "Goal", kinds::kGoal,
                                         PlanGoalKey(id, goal.OptionalString("id").value_or(""))));
  }
  Json activities = Arr({FrequencyActivity(in.Object("frequency"), discipline, status)});
  for (const FieldReader& intervention : in.Objects("interventions")) {
    activities.Append(InterventionActivity(intervention));
  }
  Json care_team;
  if (auto members = in.OptionalObjects("care_team"); members && !members->empty()) {
    care_team = CareTeamToFhir(*members, id, mrn, context);
  }
  std::optional<std::string> referral = in.OptionalString("referral_id");
  std::optional<std::string> replaces = in.OptionalString("replaces");
  std::optional<std::string> priorities = in.OptionalString("patient_priorities");
  Json categories =
      Arr({MakeConcept(MakeCoding(kCarePlanCategorySystem, "assess-plan",
                                  "Assessment and Plan of Treatment")),
           MakeConcept(MakeCoding(kSnomedSystem, "736055001", "Rehabilitation care plan"))});
  if (discipline != nullptr) categories.Append(MakeConcept(MakeCoding(discipline->fhir)));

  Json care_plan = Obj({
      {"resourceType", Str("CarePlan")},
      {"meta", MakeMeta(profiles::kCarePlan)},
      {"extension", std::move(extensions)},
      {"identifier", Arr({MakeIdentifier(SystemFor(context, kinds::kPlanOfCare), id)})},
      {"replaces", replaces
                       ? Arr({KindReference(context, "CarePlan", kinds::kPlanOfCare, *replaces)})
                       : Json()},
      {"status", plan_status ? Str(plan_status->fhir.code) : Json()},
      {"intent", Str("plan")},
      {"category", std::move(categories)},
      {"subject", PatientReference(context, mrn)},
      {"period",
       Obj({{"start", Str(certification.Date("from"))}, {"end", Str(certification.Date("to"))}})},
      {"author", PractitionerReference(plan.therapist_npi)},
      {"contributor",
       Arr({PractitionerReference(certification.OptionalString("physician_npi").value_or(""))})},
      {"careTeam", care_team.is_null()
                       ? Json()
                       : Arr({KindReference(context, "CareTeam", kinds::kCareTeam, id)})},
      {"addresses", std::move(addresses)},
      {"supportingInfo",
       referral ? Arr({KindReference(context, "ServiceRequest", kinds::kReferral, *referral)})
                : Json()},
      {"goal", goal_references.items().empty() ? Json() : std::move(goal_references)},
      {"activity", std::move(activities)},
      {"note", priorities ? Arr({Obj({{"text", Str(*priorities)}})}) : Json()},
  });
  DUET_RETURN_IF_ERROR(problems.ToStatus(StatusCode::kInvalidArgument, "plan_of_care record"));
  care_plan.Set("text", Narrative(in, id));
  std::vector<Json> resources;
  resources.push_back(std::move(care_plan));
  for (Json& condition : conditions) resources.push_back(std::move(condition));
  for (Json& goal : goals) resources.push_back(std::move(goal));
  if (!care_team.is_null()) resources.push_back(std::move(care_team));
  return resources;
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
