// The transaction Bundle of every PRF fixture, byte for byte: tests/fixtures/conversion/ holds
// the Bundle each record converts to (indented, as `duet convert to-fhir` prints it), so that a
// change to how the Bundle is made (the mappers writing text, the Bundle writer) cannot change
// what it says unnoticed. Both ways of making it are held to it: the resources' trees (ToFhir)
// written by WriteTransactionBundle, and the record written straight into a
// TransactionBundleWriter (WriteFhir, what `duet convert` does). A batch of random plans of care,
// committed as input, covers the branches the hand-written fixtures miss.
//
// After a deliberate mapping change: DUET_UPDATE_GOLDEN=1 build/bin/duet_mappings_tests
// --gtest_filter='ConversionGoldenTest.*', then read the diff of tests/fixtures/conversion/.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "mappings/fhir_bundle_writer.h"
#include "mappings/record_converter.h"
#include "mappings/transaction_bundle_writer.h"
#include "tests/mappings/mapping_test_util.h"
#include "tests/mappings/random_records.h"

namespace duet::mappings {
namespace {

using fhir::Json;

const std::filesystem::path& Goldens() {
  static const std::filesystem::path path = std::filesystem::path(DUET_FIXTURES_DIR) / "conversion";
  return path;
}

bool Updating() { return std::getenv("DUET_UPDATE_GOLDEN") != nullptr; }

std::string ReadText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void WriteText(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

// The Bundle of `record` (indented, with a final newline) against the file `golden`; writes the
// file instead when updating.
void ExpectBundle(const Json& record, const std::filesystem::path& golden) {
  std::vector<Json> resources = testing::ToFhirOrDie(record);
  std::string bundle = WriteTransactionBundle(resources, true) + "\n";
  if (Updating()) {
    WriteText(golden, bundle);
    return;
  }
  ASSERT_TRUE(std::filesystem::exists(golden)) << golden << " is missing";
  std::string expected = ReadText(golden);
  EXPECT_EQ(bundle, expected) << golden.filename() << " differs";
  // The compact text says the same.
  std::string compact = fhir::WriteJson(testing::ParseOrDie(expected));
  EXPECT_EQ(WriteTransactionBundle(resources, false), compact) << golden.filename() << " compact";
  // And so does the Bundle written straight from the record, with no resource trees.
  for (bool pretty : {false, true}) {
    TransactionBundleWriter writer;
    ASSERT_TRUE(WriteFhir(record, testing::TestContext(), writer).ok());
    EXPECT_EQ(writer.Finish(pretty) + (pretty ? "\n" : ""), pretty ? expected : compact)
        << golden.filename() << " written from the record" << (pretty ? ", indented" : "");
  }
}

TEST(ConversionGoldenTest, EveryFixtureGivesItsCommittedBundle) {
  size_t records = 0;
  for (const auto& file : std::filesystem::directory_iterator(testing::PrfFixtures())) {
    if (file.path().extension() != ".json") continue;
    ++records;
    SCOPED_TRACE(file.path().filename().string());
    std::string name = file.path().stem().string() + ".bundle.json";
    ExpectBundle(testing::ReadJsonFile(file.path()), Goldens() / name);
  }
  EXPECT_GE(records, 17U);
}

// 20 random plans of care in one batch: per-day frequencies, replaced plans, empty arrays,
// goals supporting goals, markup and non-Latin text, every status.
TEST(ConversionGoldenTest, RandomPlansOfCareGiveTheirCommittedBundle) {
  std::filesystem::path input = Goldens() / "random-plans-of-care.json";
  if (Updating() && !std::filesystem::exists(input)) {
    testing::RandomRecords random(20261128U);
    Json records = Json::MakeArray();
    for (int i = 0; i < 20; ++i) records.Append(random.PlanOfCare());
    WriteText(input,
              fhir::WriteJson(Obj({{"record", Str("batch")}, {"records", records}}), true) + "\n");
  }
  ExpectBundle(testing::ReadJsonFile(input), Goldens() / "random-plans-of-care.bundle.json");
}

}  // namespace
}  // namespace duet::mappings
