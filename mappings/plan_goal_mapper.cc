#include "mappings/plan_goal_mapper.h"

#include <map>
#include <optional>
#include <utility>

#include "mappings/code_tables.h"
#include "mappings/extensions.h"
#include "mappings/fhir_elements.h"
#include "mappings/mapper_support.h"

namespace duet::mappings {
namespace {

using fhir::Json;

const std::initializer_list<std::string_view> kTerms = {"short", "long"};
const std::initializer_list<std::string_view> kGoalStatuses = {"ongoing", "met", "partially_met",
                                                               "not_met", "discontinued"};

Json QuantityFromPrf(const FieldReader& quantity) {
  quantity.RejectUnknown({"value", "unit"});
  return UcumQuantity(quantity.Number("value"), quantity.String("unit"));
}

Json GoalReference(const PlanGoalContext& plan, std::string_view goal_id,
                   const MappingContext& context) {
  return KindReference(context, "Goal", kinds::kGoal, PlanGoalKey(plan.plan_id, goal_id));
}

Json Target(const FieldReader& goal) {
  std::optional<std::string> measure = goal.OptionalString("measure");
  std::optional<FieldReader> target = goal.OptionalObject("target");
  std::optional<std::string> due = goal.OptionalDate("target_date");
  if (!measure && !target && !due) return Json();
  return Arr({Obj({{"measure", measure ? TextConcept(*measure) : Json()},
                   {"detailQuantity", target ? QuantityFromPrf(*target) : Json()},
                   {"dueDate", due ? Str(*due) : Json()}})});
}

Json MilestoneExtension(Json target) {
  return MakeComplexExtension(kGoalRelationshipUrl,
                              {MakeExtension("type", "valueCodeableConcept",
                                             MakeConcept(MakeCoding(kGoalRelationshipTypeSystem,
                                                                    "milestone", "Milestone"))),
                               MakeExtension("target", "valueReference", std::move(target))});
}

Json GoalToFhir(const FieldReader& goal, const std::vector<std::string>& supported_by,
                const PlanGoalContext& plan, const MappingContext& context) {
  goal.RejectUnknown({"id", "term", "description", "measure", "baseline", "target", "target_date",
                      "status", "supports"});
  std::string id = goal.String("id");
  std::optional<GoalStatusCodes> status = GoalStatusToFhir(goal.Enum("status", kGoalStatuses));
  Json extensions =
      Arr({MakeExtension(ext::kGoalTerm, "valueCode", Str(goal.Enum("term", kTerms)))});
  if (auto baseline = goal.OptionalObject("baseline")) {
    extensions.Append(
        MakeExtension(ext::kGoalBaseline, "valueQuantity", QuantityFromPrf(*baseline)));
  }
  if (status && status->partially_met) {
    extensions.Append(MakeExtension(ext::kPartiallyMet, "valueBoolean", Json::Bool(true)));
  }
  for (const std::string& supporting : supported_by) {
    extensions.Append(MilestoneExtension(GoalReference(plan, supporting, context)));
  }
  return Obj({
      {"resourceType", Str("Goal")},
      {"meta", MakeMeta(profiles::kGoal)},
      {"extension", std::move(extensions)},
      {"identifier",
       Arr({MakeIdentifier(SystemFor(context, kinds::kGoal), PlanGoalKey(plan.plan_id, id))})},
      {"lifecycleStatus", status ? Str(status->lifecycle) : Json()},
      {"achievementStatus",
       status && !status->achievement.empty()
           ? MakeConcept(MakeCoding(kGoalAchievementSystem, status->achievement))
           : Json()},
      {"category",
       plan.discipline == "pt"
           ? Arr({MakeConcept(MakeCoding(kGoalCategorySystem, "physiotherapy", "Physiotherapy"))})
           : Json()},
      {"description", TextConcept(goal.String("description"))},
      {"subject", PatientReference(context, plan.patient_mrn)},
      {"startDate", Str(plan.start_of_care)},
      {"target", Target(goal)},
      {"expressedBy", PractitionerReference(plan.therapist_npi)},
  });
}

Json QuantityToPrf(const FieldReader& quantity) {
  return Obj({{"value", quantity.Number("value")}, {"unit", Str(quantity.String("code"))}});
}

}  // namespace

std::string PlanGoalKey(std::string_view plan_id, std::string_view goal_id) {
  std::string key(plan_id);
  key += '/';
  key += goal_id;
  return key;
}

std::vector<Json> PlanGoalsToFhir(const std::vector<FieldReader>& goals,
                                  const PlanGoalContext& plan, const MappingContext& context) {
  std::map<std::string, std::vector<std::string>> supported_by;
  std::map<std::string, bool> known;
  for (const FieldReader& goal : goals) {
    if (auto id = goal.OptionalString("id")) {
      if (known.count(*id) != 0) goal.Problem("id", "\"" + *id + "\" names two goals of the plan");
      known[*id] = true;
    }
  }
  for (const FieldReader& goal : goals) {
    auto supports = goal.OptionalString("supports");
    if (!supports) continue;
    if (known.count(*supports) == 0) {
      goal.Problem("supports", "\"" + *supports + "\" is not a goal of this plan");
      continue;
    }
    supported_by[*supports].push_back(goal.OptionalString("id").value_or(""));
  }
  std::vector<Json> resources;
  for (const FieldReader& goal : goals) {
    std::string id = goal.OptionalString("id").value_or("");
    resources.push_back(GoalToFhir(goal, supported_by[id], plan, context));
  }
  return resources;
}

Json PlanGoalsFromFhir(const ResourceSet& resources, const FieldReader& care_plan,
                       std::string_view plan_id, const MappingContext& context,
                       Problems* problems) {
  std::string_view system = SystemFor(context, kinds::kGoal);
  std::string prefix = PlanGoalKey(plan_id, "");
  auto strip = [&](const std::string& key, const std::string& path) -> std::string {
    if (key.rfind(prefix, 0) != 0 || key.size() == prefix.size()) {
      problems->Add(path, "goal identifier \"" + key + "\" does not start with \"" + prefix + "\"");
      return "";
    }
    return key.substr(prefix.size());
  };
  Json goals = Json::MakeArray();
  std::vector<std::pair<std::string, std::string>> supports;  // (supporting, supported)
  const Json* references = care_plan.Raw("goal");
  if (references == nullptr || !references->is_array()) return goals;
  for (size_t i = 0; i < references->items().size(); ++i) {
    std::string path = care_plan.PathOf("goal", i);
    ResourceSet::Target target = resources.Resolve(references->items()[i], care_plan.json());
    if (target.resource == nullptr) {
      problems->Add(path, "does not resolve to a Goal among the resources");
      continue;
    }
    FieldReader in = ResourceReader(*target.resource, problems);
    std::string id = strip(IdentifierValue(*target.resource, system).value_or(""), path);
    Json goal = Obj({{"id", Str(id)}});
    goal.Set("term", Str(StringExtension(in, ext::kGoalTerm, "valueCode").value_or("")));
    goal.Set("description", Str(in.Object("description").String("text")));
    if (auto targets = in.OptionalObjects("target"); targets && !targets->empty()) {
      const FieldReader& first = targets->front();
      if (auto measure = first.OptionalObject("measure")) {
        goal.Set("measure", Str(measure->String("text")));
      }
      if (auto quantity = first.OptionalObject("detailQuantity")) {
        goal.Set("target", QuantityToPrf(*quantity));
      }
      if (auto due = first.OptionalDate("dueDate")) goal.Set("target_date", Str(*due));
    }
    if (const Json* baseline =
            ExtensionValue(FindExtension(*target.resource, ext::kGoalBaseline), "valueQuantity")) {
      FieldReader quantity(baseline, in.PathOf("extension"), PathStyle::kFhirPath, problems);
      if (!quantity.valid()) in.Problem("extension", "goal-baseline needs a Quantity");
      goal.Set("baseline", QuantityToPrf(quantity));
    }
    std::string achievement;
    if (auto achievement_concept = in.OptionalObject("achievementStatus")) {
      for (const FieldReader& coding : achievement_concept->Objects("coding")) {
        achievement = coding.OptionalString("code").value_or(achievement);
      }
    }
    const Json* partially =
        ExtensionValue(FindExtension(*target.resource, ext::kPartiallyMet), "valueBoolean");
    std::string lifecycle = in.String("lifecycleStatus");
    auto status =
        GoalStatusFromFhir(lifecycle, achievement,
                           partially != nullptr && partially->is_bool() && partially->bool_value());
    if (!status) in.Problem("lifecycleStatus", "\"" + lifecycle + "\" has no goal status");
    goal.Set("status", Str(status.value_or("")));
    for (const Json* relationship : FindExtensions(*target.resource, kGoalRelationshipUrl)) {
      const Json* other = ExtensionValue(FindExtension(*relationship, "target"), "valueReference");
      if (other == nullptr) continue;
      auto key = resources.ReferencedIdentifier(*other, system, target.resource);
      if (!key) {
        in.Problem("extension", "a goal-relationship target does not resolve to a Goal");
        continue;
      }
      supports.emplace_back(strip(*key, path), id);
    }
    goals.Append(std::move(goal));
  }
  for (const auto& [supporting, supported] : supports) {
    for (Json& goal : goals.items()) {
      if (goal.StringOr("id") == supporting) goal.Set("supports", Str(supported));
    }
  }
  return goals;
}

}  // namespace duet::mappings
