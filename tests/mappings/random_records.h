// RandomRecords: schema-valid PRF records drawn from a seeded std::mt19937, for property tests.
// Optional members come and go, enumerations take every value, arrays vary in size (empty where
// the schema allows it), texts mix ASCII, markup characters and non-Latin scripts, numbers keep
// unusual spellings ("1.50"), dates and NPIs are valid.
#pragma once

#include <random>
#include <string>
#include <utility>
#include <vector>

#include "fhir/json.h"

namespace duet::mappings::testing {

class RandomRecords {
 public:
  explicit RandomRecords(uint32_t seed) : rng_(seed) {}

  fhir::Json Patient();
  fhir::Json Provider();
  fhir::Json Referral();
  fhir::Json PlanOfCare();
  fhir::Json HomeExerciseProgram();
  fhir::Json MedicationList();
  fhir::Json NpsResponse();
  fhir::Json Education();

 private:
  bool Coin(double probability = 0.5);
  int Between(int low, int high);
  template <typename T>
  const T& Pick(const std::vector<T>& values) {
    return values[static_cast<size_t>(Between(0, static_cast<int>(values.size()) - 1))];
  }
  std::string Text();
  std::string Id(const std::string& prefix);
  std::string Npi();
  std::string Date();
  // Two dates, the first not after the second (for periods).
  std::pair<std::string, std::string> DateRange();
  std::string Instant();
  std::string Icd10();
  std::string Email();
  std::string Url();
  fhir::Json Integer(int low, int high);
  fhir::Json Decimal();
  fhir::Json TextList(int low, int high);
  fhir::Json Diagnosis(bool with_onset);

  std::mt19937 rng_;
};

}  // namespace duet::mappings::testing
