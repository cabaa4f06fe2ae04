#include "mappings/record_kinds.h"

namespace duet::mappings {

const std::vector<RecordKind>& RecordKinds() {
  static const auto* kinds = new std::vector<RecordKind>{
      {"patient", "mrn"},
      {"referral", "referral"},
      {"plan_of_care", "plan-of-care"},
      {"home_exercise_program", "hep"},
      {"nps_response", "nps"},
      {"education", "education"},
  };
  return *kinds;
}

std::string IdentifierSystem(std::string_view identifier_base, std::string_view kind) {
  std::string system(identifier_base);
  while (!system.empty() && system.back() == '/') system.pop_back();
  system += '/';
  system += kind;
  return system;
}

}  // namespace duet::mappings
