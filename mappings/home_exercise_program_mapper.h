// PRF `home_exercise_program` ⇄ a CarePlan (category SNOMED 229065009 "Exercise therapy",
// basedOn the plan-of-care CarePlan) with one activity per exercise, plus an ActivityDefinition
// per exercise as the library item (docs/mapping.md, "home_exercise_program").
//
// Stateless functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fhir/json.h"
#include "fhir/status.h"
#include "mappings/mapping_context.h"
#include "mappings/resource_set.h"

namespace duet::mappings {

// The CarePlan first, then one ActivityDefinition per exercise.
// `pointer` locates the record in its document (e.g. "/records/2" in a batch); problems are
// reported with JSON pointers below it.
StatusOr<std::vector<fhir::Json>> HomeExerciseProgramToFhir(const fhir::Json& record,
                                                            const MappingContext& context,
                                                            std::string_view pointer = "");

// Rebuilds the program with this id from its CarePlan and the exercises' ActivityDefinitions.
StatusOr<fhir::Json> HomeExerciseProgramFromFhir(const ResourceSet& resources, std::string_view id,
                                                 const MappingContext& context);

// The canonical URL of an exercise's ActivityDefinition: "<identifier_base>/exercise/<id>".
std::string ExerciseCanonical(const MappingContext& context, std::string_view exercise_id);

}  // namespace duet::mappings
