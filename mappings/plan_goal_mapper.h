// The goals of a plan of care ⇄ US Core Goals: term, baseline and "partially met" in extensions,
// "supports" as the HL7 goal-relationship extension (type milestone) on the supported goal.
// Used by plan_of_care_mapper.
//
// Stateless functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fhir/json.h"
#include "mappings/field_reader.h"
#include "mappings/mapping_context.h"
#include "mappings/resource_set.h"

namespace duet::mappings {

// What every goal of one plan shares.
struct PlanGoalContext {
  std::string plan_id;
  std::string patient_mrn;
  std::string therapist_npi;
  std::string start_of_care;
  std::string discipline;
};

// The Goal business identifier value: "<plan id>/<goal id>".
std::string PlanGoalKey(std::string_view plan_id, std::string_view goal_id);

// One Goal per goals[] entry, in order. Problems are recorded through the readers.
std::vector<fhir::Json> PlanGoalsToFhir(const std::vector<FieldReader>& goals,
                                        const PlanGoalContext& plan, const MappingContext& context);

// The goals[] of the plan from the Goals that CarePlan.goal references, in that order.
fhir::Json PlanGoalsFromFhir(const ResourceSet& resources, const FieldReader& care_plan,
                             std::string_view plan_id, const MappingContext& context,
                             Problems* problems);

}  // namespace duet::mappings
