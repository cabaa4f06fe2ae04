#include "mappings/prf_schemas.h"

#include "embedded/prf_schema_batch.h"
#include "embedded/prf_schema_education.h"
#include "embedded/prf_schema_home_exercise_program.h"
#include "embedded/prf_schema_medication_list.h"
#include "embedded/prf_schema_nps_response.h"
#include "embedded/prf_schema_patient.h"
#include "embedded/prf_schema_plan_of_care.h"
#include "embedded/prf_schema_provider.h"
#include "embedded/prf_schema_referral.h"

namespace duet::mappings {

const std::vector<std::string_view>& PrfRecordTypes() {
  static const auto* types = new std::vector<std::string_view>{
      "patient",         "provider",     "referral",  "plan_of_care", "home_exercise_program",
      "medication_list", "nps_response", "education", "batch",
  };
  return *types;
}

std::string_view PrfSchemaText(std::string_view record_type) {
  if (record_type == "patient") return duet_embedded::prf_schema_patient();
  if (record_type == "provider") return duet_embedded::prf_schema_provider();
  if (record_type == "referral") return duet_embedded::prf_schema_referral();
  if (record_type == "plan_of_care") return duet_embedded::prf_schema_plan_of_care();
  if (record_type == "home_exercise_program") {
    return duet_embedded::prf_schema_home_exercise_program();
  }
  if (record_type == "medication_list") return duet_embedded::prf_schema_medication_list();
  if (record_type == "nps_response") return duet_embedded::prf_schema_nps_response();
  if (record_type == "education") return duet_embedded::prf_schema_education();
  if (record_type == "batch") return duet_embedded::prf_schema_batch();
  return {};
}

}  // namespace duet::mappings
