// The goals of a plan of care ⇄ US Core Goals: term, baseline and "partially met" in extensions,
// "supports" as the HL7 goal-relationship extension (type milestone) on the supported goal.
// Used by plan_of_care_mapper.
//
// Stateless functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/json.h"
#include "mappings/code_tables.h"
#include "mappings/field_reader.h"
#include "mappings/mapping_context.h"
#include "mappings/resource_set.h"
#include "mappings/resource_writer.h"

namespace duet::mappings {

// What every goal of one plan shares.
struct PlanGoalContext {
  std::string plan_id;
  std::string patient_mrn;
  std::string therapist_npi;
  std::string start_of_care;
  std::string discipline;
  // Conditional references to the patient and the therapist, made once for all the resources.
  std::string patient_url;
  std::string therapist_url;
};

// The Goal business identifier value: "<plan id>/<goal id>".
std::string PlanGoalKey(std::string_view plan_id, std::string_view goal_id);

// One goals[] entry of a plan, read and checked.
struct PlanGoal {
  struct Quantity {
    fhir::Json value;  // a JSON number, its text kept
    std::string unit;
  };
  std::string id;
  std::string term;
  std::string description;
  std::string status_text;                // the PRF status
  std::optional<GoalStatusCodes> status;  // its FHIR codes
  std::optional<std::string> measure;
  std::optional<Quantity> baseline;
  std::optional<Quantity> target;
  std::optional<std::string> target_date;
  std::vector<std::string> supported_by;  // ids of the plan's goals that support this one
};

// The goals[] entries, in order, with who supports whom. Problems (including a goal id given
// twice and a "supports" naming no goal of the plan) are recorded through the readers.
std::vector<PlanGoal> ReadPlanGoals(const std::vector<FieldReader>& goals);

// The Goal of one goal (docs/mapping.md), written as text.
void WritePlanGoal(const PlanGoal& goal, const PlanGoalContext& plan, const MappingContext& context,
                   ResourceWriter& writer);

// The goals[] of the plan from the Goals that CarePlan.goal references, in that order.
fhir::Json PlanGoalsFromFhir(const ResourceSet& resources, const FieldReader& care_plan,
                             std::string_view plan_id, const MappingContext& context,
                             Problems* problems);

}  // namespace duet::mappings
