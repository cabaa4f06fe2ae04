// PRF `plan_of_care` ⇄ US Core CarePlan (one per certification period) + a Condition per
// treatment diagnosis + a Goal per goal + a CareTeam (docs/mapping.md, "plan_of_care"). The
// physician-certification Task is the gateway's (plan_certification.h): it names a CarePlan
// version, which only the server that stores the plan knows.
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
#include "mappings/resource_writer.h"

namespace duet::mappings {

// Writes the CarePlan first, then the Conditions in rank order, the Goals and the CareTeam, as
// text, with no tree in between. The whole record is read and checked before anything is
// written: kInvalidArgument names every problem with its JSON pointer below `pointer`, the
// record's place in its document (e.g. "/records/2" in a batch), and leaves `writer` untouched.
// `empty_arrays` are the JSON pointers of the record's empty arrays, written as prf-empty-array
// extensions after the CarePlan's own.
Status WritePlanOfCareFhir(const fhir::Json& record, const MappingContext& context,
                           std::string_view pointer, const std::vector<std::string>& empty_arrays,
                           ResourceWriter& writer);

// The same resources as trees.
StatusOr<std::vector<fhir::Json>> PlanOfCareToFhir(const fhir::Json& record,
                                                   const MappingContext& context,
                                                   std::string_view pointer = "");

// Rebuilds the plan of care with this id from its CarePlan and the resources it references.
StatusOr<fhir::Json> PlanOfCareFromFhir(const ResourceSet& resources, std::string_view id,
                                        const MappingContext& context);

}  // namespace duet::mappings
