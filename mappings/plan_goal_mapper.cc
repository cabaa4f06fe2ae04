#include "mappings/plan_goal_mapper.h"

#include <map>
#include <optional>
#include <utility>

#include "mappings/code_tables.h"
#include "mappings/extensions.h"
#include "mappings/fhir_elements.h"
#include "mappings/fhir_text_elements.h"
#include "mappings/mapper_support.h"

namespace duet::mappings {
namespace {

using fhir::Json;

const std::initializer_list<std::string_view> kTerms = {"short", "long"};
const std::initializer_list<std::string_view> kGoalStatuses = {"ongoing", "met", "partially_met",
                                                               "not_met", "discontinued"};

std::optional<PlanGoal::Quantity> ReadQuantity(const std::optional<FieldReader>& quantity) {
  if (!quantity) return std::nullopt;
  quantity->RejectUnknown({"value", "unit"});
  return PlanGoal::Quantity{quantity->Number("value"), quantity->String("unit")};
}

PlanGoal ReadGoal(const FieldReader& goal) {
  goal.RejectUnknown({"id", "term", "description", "measure", "baseline", "target", "target_date",
                      "status", "supports"});
  PlanGoal read;
  read.id = goal.String("id");
  read.term = goal.Enum("term", kTerms);
  read.description = goal.String("description");
  read.status_text = goal.Enum("status", kGoalStatuses);
  read.status = GoalStatusToFhir(read.status_text);
  read.measure = goal.OptionalString("measure");
  read.baseline = ReadQuantity(goal.OptionalObject("baseline"));
  read.target = ReadQuantity(goal.OptionalObject("target"));
  read.target_date = goal.OptionalDate("target_date");
  return read;
}

void WriteTarget(const PlanGoal& goal, fhir::JsonTextWriter& out) {
  if (!goal.measure && !goal.target && !goal.target_date) return;
  out.BeginArray("target");
  out.BeginObject();
  if (goal.measure) WriteTextConcept(out, "measure", *goal.measure);
  if (goal.target) {
    WriteUcumQuantity(out, "detailQuantity", goal.target->value.number_text(), goal.target->unit);
  }
  if (goal.target_date) out.String("dueDate", *goal.target_date);
  out.EndObject();
  out.EndArray();
}

void WriteMilestone(std::string_view target, fhir::JsonTextWriter& out) {
  BeginExtension(out, kGoalRelationshipUrl);
  out.BeginArray("extension");
  BeginExtension(out, "type");
  WriteConcept(out, "valueCodeableConcept", kGoalRelationshipTypeSystem, "milestone", "Milestone");
  out.EndObject();
  BeginExtension(out, "target");
  WriteReference(out, "valueReference", target);
  out.EndObject();
  out.EndArray();
  out.EndObject();
}

void WriteExtensions(const PlanGoal& goal, const PlanGoalContext& plan,
                     const MappingContext& context, fhir::JsonTextWriter& out) {
  out.BeginArray("extension");
  WriteStringExtension(out, ext::kGoalTerm, "valueCode", goal.term);
  if (goal.baseline) {
    BeginExtension(out, ext::kGoalBaseline);
    WriteUcumQuantity(out, "valueQuantity", goal.baseline->value.number_text(),
                      goal.baseline->unit);
    out.EndObject();
  }
  if (goal.status && goal.status->partially_met) {
    BeginExtension(out, ext::kPartiallyMet);
    out.Bool("valueBoolean", true);
    out.EndObject();
  }
  for (const std::string& supporting : goal.supported_by) {
    WriteMilestone(
        ConditionalUrl("Goal", context.System(kinds::kGoal), PlanGoalKey(plan.plan_id, supporting)),
        out);
  }
  out.EndArray();
}

}  // namespace

std::vector<PlanGoal> ReadPlanGoals(const std::vector<FieldReader>& goals) {
  std::vector<PlanGoal> read;
  read.reserve(goals.size());
  std::map<std::string, size_t, std::less<>> index;
  for (const FieldReader& goal : goals) {
    read.push_back(ReadGoal(goal));
    const std::string& id = read.back().id;
    if (id.empty()) continue;
    if (!index.emplace(id, read.size() - 1).second) {
      goal.Problem("id", "\"" + id + "\" names two goals of the plan");
    }
  }
  for (size_t i = 0; i < goals.size(); ++i) {
    auto supports = goals[i].OptionalString("supports");
    if (!supports) continue;
    auto supported = index.find(*supports);
    if (supported == index.end()) {
      goals[i].Problem("supports", "\"" + *supports + "\" is not a goal of this plan");
      continue;
    }
    read[supported->second].supported_by.push_back(read[i].id);
  }
  return read;
}

void WritePlanGoal(const PlanGoal& goal, const PlanGoalContext& plan, const MappingContext& context,
                   ResourceWriter& writer) {
  std::string_view system = context.System(kinds::kGoal);
  std::string key = PlanGoalKey(plan.plan_id, goal.id);
  fhir::JsonTextWriter& out = writer.BeginResource("Goal", system, key);
  WriteMeta(out, profiles::kGoal);
  WriteExtensions(goal, plan, context, out);
  WriteIdentifier(out, system, key);
  if (goal.status) out.String("lifecycleStatus", goal.status->lifecycle);
  if (goal.status && !goal.status->achievement.empty()) {
    WriteConcept(out, "achievementStatus", kGoalAchievementSystem, goal.status->achievement);
  }
  if (plan.discipline == "pt") {
    out.BeginArray("category");
    WriteConcept(out, kItem, kGoalCategorySystem, "physiotherapy", "Physiotherapy");
    out.EndArray();
  }
  WriteTextConcept(out, "description", goal.description);
  WriteReference(out, "subject", plan.patient_url);
  out.String("startDate", plan.start_of_care);
  WriteTarget(goal, out);
  WriteReference(out, "expressedBy", plan.therapist_url);
  writer.EndResource();
}

namespace {

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
