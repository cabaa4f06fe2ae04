// Property tests: many random schema-valid records of each type (seeded, so failures replay)
// round-trip exactly, directly and through a simulated server, and map to valid R4 resources.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "mappings/fhir_bundle_writer.h"
#include "mappings/record_converter.h"
#include "tests/mappings/mapping_test_util.h"
#include "tests/mappings/random_records.h"

namespace duet::mappings {
namespace {

using fhir::Json;
using testing::RandomRecords;

constexpr int kIterations = 500;

struct Generator {
  const char* name;
  uint32_t seed;
  std::function<Json(RandomRecords&)> make;
};

class PropertyRoundTripTest : public ::testing::TestWithParam<Generator> {};

TEST_P(PropertyRoundTripTest, RandomRecordsRoundTripAndValidate) {
  RandomRecords random(GetParam().seed);
  for (int i = 0; i < kIterations; ++i) {
    Json record = GetParam().make(random);
    SCOPED_TRACE("iteration " + std::to_string(i) + ": " + fhir::WriteJson(record));
    auto resources = ToFhir(record, testing::TestContext());
    ASSERT_TRUE(resources.ok()) << resources.status().ToString();
    ASSERT_EQ(testing::ValidationErrors(*resources), "");
    auto back = ToPracticeRecords(*resources, testing::TestContext());
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    ASSERT_EQ(*back, record) << fhir::WriteJson(*back, true);
    auto stored = testing::StoreOnServer(ToTransactionBundle(*resources));
    auto from_server = ToPracticeRecords(stored, testing::TestContext());
    ASSERT_TRUE(from_server.ok()) << from_server.status().ToString();
    ASSERT_EQ(*from_server, record) << fhir::WriteJson(*from_server, true);
  }
}

INSTANTIATE_TEST_SUITE_P(
    RecordTypes, PropertyRoundTripTest,
    ::testing::Values(
        Generator{"patient", 20260128U, [](RandomRecords& r) { return r.Patient(); }},
        Generator{"provider", 20260129U, [](RandomRecords& r) { return r.Provider(); }},
        Generator{"referral", 20260130U, [](RandomRecords& r) { return r.Referral(); }},
        Generator{"plan_of_care", 20260131U, [](RandomRecords& r) { return r.PlanOfCare(); }},
        Generator{"home_exercise_program", 20260132U,
                  [](RandomRecords& r) { return r.HomeExerciseProgram(); }},
        Generator{"medication_list", 20260133U,
                  [](RandomRecords& r) { return r.MedicationList(); }},
        Generator{"nps_response", 20260134U, [](RandomRecords& r) { return r.NpsResponse(); }},
        Generator{"education", 20260135U, [](RandomRecords& r) { return r.Education(); }}),
    [](const ::testing::TestParamInfo<Generator>& param_info) {
      return std::string(param_info.param.name);
    });

}  // namespace
}  // namespace duet::mappings
