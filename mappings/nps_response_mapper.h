// PRF `nps_response` ⇄ US Core QuestionnaireResponse to the Net Promoter Score Questionnaire
// that the gateway publishes (NpsQuestionnaire), docs/mapping.md "nps_response". The
// promoter/passive/detractor category is derived, never stored.
//
// Stateless functions; thread-safe.
#pragma once

#include <string_view>
#include <vector>

#include "fhir/json.h"
#include "fhir/status.h"
#include "mappings/mapping_context.h"
#include "mappings/resource_set.h"

namespace duet::mappings {

// The canonical URL of the NPS Questionnaire.
inline constexpr std::string_view kNpsQuestionnaireUrl =
    "https://duet.example/fhir/Questionnaire/net-promoter-score";

// The Questionnaire the gateway publishes: item "score" (integer 0-10, slider), "comment"
// (text) and "touchpoint" (visit or discharge).
fhir::Json NpsQuestionnaire(const MappingContext& context);

// The QuestionnaireResponse first, then the Questionnaire (identical for every response).
// `pointer` locates the record in its document (e.g. "/records/2" in a batch); problems are
// reported with JSON pointers below it.
StatusOr<std::vector<fhir::Json>> NpsResponseToFhir(const fhir::Json& record,
                                                    const MappingContext& context,
                                                    std::string_view pointer = "");

// Rebuilds the NPS answer with this id from its QuestionnaireResponse.
StatusOr<fhir::Json> NpsResponseFromFhir(const ResourceSet& resources, std::string_view id,
                                         const MappingContext& context);

}  // namespace duet::mappings
