#include "mappings/home_exercise_program_mapper.h"

#include <algorithm>
#include <utility>

#include "mappings/code_tables.h"
#include "mappings/extensions.h"
#include "mappings/fhir_elements.h"
#include "mappings/mapper_support.h"

namespace duet::mappings {
namespace {

using fhir::Json;

const std::initializer_list<std::string_view> kStatuses = {"active", "completed", "stopped"};
const std::initializer_list<std::string_view> kWeekdays = {"mon", "tue", "wed", "thu",
                                                           "fri", "sat", "sun"};
constexpr std::string_view kEveryDay = "every_day";

std::string_view ExerciseStatus(std::string_view program_status) {
  if (program_status == "completed") return "completed";
  if (program_status == "stopped") return "stopped";
  return "in-progress";
}

// `days`: an array of weekdays, or "every_day" (no dayOfWeek).
Json DaysOfWeek(const FieldReader& exercise) {
  const Json* days = exercise.Raw("days");
  if (days == nullptr) {
    exercise.Problem("days", "is required");
    return Json();
  }
  if (days->is_string() && days->string_value() == kEveryDay) return Json();
  if (!days->is_array() || days->items().empty()) {
    exercise.Problem("days", "expected \"every_day\" or a non-empty array of weekdays");
    return Json();
  }
  Json list = Json::MakeArray();
  for (size_t i = 0; i < days->items().size(); ++i) {
    const Json& day = days->items()[i];
    bool known = day.is_string() && std::find(kWeekdays.begin(), kWeekdays.end(),
                                              day.string_value()) != kWeekdays.end();
    if (!known) {
      exercise.Problem("days", "item " + std::to_string(i) + " is not one of mon..sun");
      continue;
    }
    list.Append(day);
  }
  return list;
}

Json DoseExtension(const FieldReader& exercise) {
  std::vector<Json> parts;
  if (auto sets = exercise.OptionalInteger("sets")) {
    parts.push_back(MakeExtension("sets", "valuePositiveInt", *sets));
  }
  if (auto reps = exercise.OptionalInteger("reps")) {
    parts.push_back(MakeExtension("reps", "valuePositiveInt", *reps));
  }
  if (auto hold = exercise.OptionalInteger("hold_seconds")) {
    parts.push_back(MakeExtension("hold", "valueQuantity", UcumQuantity(*hold, "s")));
  }
  if (auto load = exercise.OptionalObject("load")) {
    load->RejectUnknown({"value", "unit"});
    parts.push_back(MakeExtension("load", "valueQuantity",
                                  UcumQuantity(load->Number("value"), load->String("unit"))));
  }
  if (parts.empty()) return Json();
  return MakeComplexExtension(ext::kExerciseDose, std::move(parts));
}

std::string DoseText(const FieldReader& exercise) {
  std::string text;
  auto sets = exercise.OptionalInteger("sets");
  auto reps = exercise.OptionalInteger("reps");
  if (sets) text += sets->number_text() + " sets";
  if (reps) text += (text.empty() ? "" : " x ") + reps->number_text() + " reps";
  if (auto hold = exercise.OptionalInteger("hold_seconds")) {
    text += (text.empty() ? "" : ", ") + std::string("hold ") + hold->number_text() + " s";
  }
  if (auto load = exercise.OptionalObject("load")) {
    text += (text.empty() ? "" : ", ") + std::string("load ") +
            load->Number("value").number_text() + " " + load->String("unit");
  }
  text += (text.empty() ? "" : "; ") + exercise.Integer("times_per_day").number_text() +
          " time(s) a day";
  return text;
}

Json ExerciseActivity(const FieldReader& exercise, std::string_view program_status,
                      const MappingContext& context) {
  exercise.RejectUnknown({"id", "name", "instructions", "sets", "reps", "hold_seconds", "load",
                          "times_per_day", "days", "video_url"});
  Json detail = Obj({
      {"instantiatesCanonical", Arr({Str(ExerciseCanonical(context, exercise.String("id")))})},
      {"code", TextConcept(exercise.String("name"))},
      {"status", Str(ExerciseStatus(program_status))},
      {"scheduledTiming", Obj({{"repeat", Obj({{"frequency", exercise.Integer("times_per_day")},
                                               {"period", Json::Integer(1)},
                                               {"periodUnit", Str("d")},
                                               {"dayOfWeek", DaysOfWeek(exercise)}})}})},
      {"description", Str(exercise.String("instructions"))},
  });
  Json dose = DoseExtension(exercise);
  if (!dose.is_null()) AddExtension(detail, std::move(dose));
  return Obj({{"detail", std::move(detail)}});
}

Json ExerciseDefinition(const FieldReader& exercise, const MappingContext& context) {
  std::string id = exercise.String("id");
  std::optional<std::string> video = exercise.OptionalString("video_url");
  return Obj({
      {"resourceType", Str("ActivityDefinition")},
      {"url", Str(ExerciseCanonical(context, id))},
      {"identifier", Arr({MakeIdentifier(SystemFor(context, kinds::kExercise), id)})},
      {"title", Str(exercise.String("name"))},
      {"status", Str("active")},
      {"relatedArtifact", video ? Arr({Obj({{"type", Str("documentation")},
                                            {"label", Str("Video")},
                                            {"url", Str(*video)}})})
                                : Json()},
      {"code", MakeConcept(MakeCoding(kSnomedSystem, "229065009", "Exercise therapy"))},
  });
}

}  // namespace

std::string ExerciseCanonical(const MappingContext& context, std::string_view exercise_id) {
  return std::string(SystemFor(context, kinds::kExercise)) + "/" + EncodePathSegment(exercise_id);
}

StatusOr<std::vector<Json>> HomeExerciseProgramToFhir(const Json& record,
                                                      const MappingContext& context,
                                                      std::string_view pointer) {
  Problems problems;
  FieldReader in(&record, std::string(pointer), PathStyle::kJsonPointer, &problems);
  in.RejectUnknown({"record", "id", "patient_mrn", "plan_of_care_id", "assigned_by_npi",
                    "start_date", "status", "exercises", "updated_at"});
  std::string id = in.String("id");
  std::string status = in.Enum("status", kStatuses);
  const CodeRow* plan_status = HepStatusCodes().ByNative(status);
  std::vector<FieldReader> exercises = in.Objects("exercises");
  if (in.valid() && in.Has("exercises") && exercises.empty()) {
    in.Problem("exercises", "needs at least one exercise");
  }
  Json activities = Json::MakeArray();
  std::vector<Json> definitions;
  NarrativeBuilder narrative("Home exercise program " + id);
  for (const FieldReader& exercise : exercises) {
    activities.Append(ExerciseActivity(exercise, status, context));
    definitions.push_back(ExerciseDefinition(exercise, context));
  }
  Json care_plan = Obj({
      {"resourceType", Str("CarePlan")},
      {"meta", MakeMeta(profiles::kCarePlan)},
      {"extension", Arr({UpdatedAtExtension(in.Instant("updated_at"))})},
      {"identifier", Arr({MakeIdentifier(SystemFor(context, kinds::kHep), id)})},
      {"basedOn",
       Arr({KindReference(context, "CarePlan", kinds::kPlanOfCare, in.String("plan_of_care_id"))})},
      {"status", plan_status ? Str(plan_status->fhir.code) : Json()},
      {"intent", Str("plan")},
      {"category", Arr({MakeConcept(MakeCoding(kCarePlanCategorySystem, "assess-plan",
                                               "Assessment and Plan of Treatment")),
                        MakeConcept(MakeCoding(kSnomedSystem, "229065009", "Exercise therapy"))})},
      {"subject", PatientReference(context, in.String("patient_mrn"))},
      {"period", Obj({{"start", Str(in.Date("start_date"))}})},
      {"author", PractitionerReference(in.String("assigned_by_npi"))},
      {"activity", activities.items().empty() ? Json() : std::move(activities)},
  });
  DUET_RETURN_IF_ERROR(
      problems.ToStatus(StatusCode::kInvalidArgument, "home_exercise_program record"));
  for (const FieldReader& exercise : exercises) {
    narrative.Item(exercise.String("name"), DoseText(exercise));
  }
  care_plan.Set("text", narrative.Build());
  std::vector<Json> resources;
  resources.push_back(std::move(care_plan));
  for (Json& definition : definitions) resources.push_back(std::move(definition));
  return resources;
}

namespace {

void DoseFromFhir(const Json& detail, Json& exercise) {
  const Json* dose = FindExtension(detail, ext::kExerciseDose);
  if (dose == nullptr) return;
  if (const Json* sets = ExtensionValue(FindExtension(*dose, "sets"), "valuePositiveInt")) {
    exercise.Set("sets", *sets);
  }
  if (const Json* reps = ExtensionValue(FindExtension(*dose, "reps"), "valuePositiveInt")) {
    exercise.Set("reps", *reps);
  }
  if (const Json* hold = ExtensionValue(FindExtension(*dose, "hold"), "valueQuantity")) {
    if (const Json* value = hold->Find("value")) exercise.Set("hold_seconds", *value);
  }
  if (const Json* load = ExtensionValue(FindExtension(*dose, "load"), "valueQuantity")) {
    const Json* value = load->Find("value");
    if (value != nullptr) {
      exercise.Set("load", Obj({{"value", *value}, {"unit", Str(load->StringOr("code"))}}));
    }
  }
}

Json ExerciseFromFhir(const ResourceSet& resources, const FieldReader& activity,
                      const MappingContext& context) {
  FieldReader detail = activity.Object("detail");
  std::vector<std::string> canonicals =
      detail.OptionalStrings("instantiatesCanonical").value_or(std::vector<std::string>{});
  std::string id;
  const Json* definition = nullptr;
  std::string_view exercise_system = SystemFor(context, kinds::kExercise);
  if (!canonicals.empty()) {
    definition = resources.FindByCanonical("ActivityDefinition", canonicals.front());
    if (definition != nullptr) id = IdentifierValue(*definition, exercise_system).value_or("");
    std::string prefix = std::string(exercise_system) + "/";
    if (id.empty() && canonicals.front().rfind(prefix, 0) == 0) {
      id = DecodePercent(canonicals.front().substr(prefix.size()));
    }
  }
  if (id.empty()) detail.Problem("instantiatesCanonical", "names no exercise of the practice");
  Json exercise = Obj({{"id", Str(id)},
                       {"name", Str(detail.Object("code").String("text"))},
                       {"instructions", Str(detail.String("description"))}});
  if (detail.valid()) DoseFromFhir(*detail.json(), exercise);
  FieldReader repeat = detail.Object("scheduledTiming").Object("repeat");
  exercise.Set("times_per_day", repeat.Integer("frequency"));
  if (auto days = repeat.OptionalStrings("dayOfWeek")) {
    exercise.Set("days", StrArr(*days));
  } else {
    exercise.Set("days", Str(kEveryDay));
  }
  if (definition != nullptr) {
    if (const Json* artifacts = definition->Find("relatedArtifact");
        artifacts && artifacts->is_array()) {
      for (const Json& artifact : artifacts->items()) {
        if (!artifact.StringOr("url").empty() && exercise.Find("video_url") == nullptr) {
          exercise.Set("video_url", Str(artifact.StringOr("url")));
        }
      }
    }
  }
  return exercise;
}

}  // namespace

StatusOr<Json> HomeExerciseProgramFromFhir(const ResourceSet& resources, std::string_view id,
                                           const MappingContext& context) {
  DUET_ASSIGN_OR_RETURN(
      const Json* care_plan,
      FindMainResource(resources, "CarePlan", SystemFor(context, kinds::kHep), id));
  Problems problems;
  FieldReader in = ResourceReader(*care_plan, &problems);
  Json record = Obj({{"record", Str("home_exercise_program")}, {"id", Str(id)}});
  record.Set("patient_mrn", Str(SubjectMrn(resources, in, context, &problems)));
  const Json* based_on = in.Raw("basedOn");
  if (based_on == nullptr || !based_on->is_array() || based_on->items().empty()) {
    in.Problem("basedOn", "needs the plan-of-care CarePlan");
  } else {
    record.Set("plan_of_care_id",
               Str(ReferencedId(resources, &based_on->items().front(), *care_plan,
                                SystemFor(context, kinds::kPlanOfCare), in.PathOf("basedOn", 0),
                                &problems)));
  }
  record.Set("assigned_by_npi", Str(ReferencedNpi(resources, in.Raw("author"), *care_plan,
                                                  in.PathOf("author"), &problems)));
  record.Set("start_date", Str(in.Object("period").Date("start")));
  std::string status = in.String("status");
  const CodeRow* row = HepStatusCodes().ByFhirCode(status);
  if (row == nullptr) in.Problem("status", "\"" + status + "\" has no program status");
  record.Set("status", Str(row ? row->native : ""));
  Json exercises = Json::MakeArray();
  for (const FieldReader& activity : in.Objects("activity")) {
    exercises.Append(ExerciseFromFhir(resources, activity, context));
  }
  record.Set("exercises", std::move(exercises));
  SetUpdatedAtFromExtension(in, &record);
  DUET_RETURN_IF_ERROR(problems.ToStatus(StatusCode::kUnprocessable,
                                         "CarePlan " + std::string(id) + " cannot be mapped"));
  return record;
}

}  // namespace duet::mappings
