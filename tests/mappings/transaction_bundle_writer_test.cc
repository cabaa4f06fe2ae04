#include "mappings/transaction_bundle_writer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mappings/fhir_bundle_writer.h"
#include "mappings/record_converter.h"
#include "tests/mappings/mapping_test_util.h"

namespace duet::mappings {
namespace {

using fhir::Json;
using testing::Fixture;

// A resource written as text may name an entry that comes later, written as a tree; the same
// resource given twice is written once, where it first came, as it was given last; a resource
// without an identifier is POSTed. The text is what the tree path gives for the same resources.
TEST(TransactionBundleWriterTest, TextAndTreeResourcesShareOneBundle) {
  const std::string system = "https://sunrise-pt.example/sid/mrn";
  auto write_goal = [&](TransactionBundleWriter& writer, std::string_view description) {
    fhir::JsonTextWriter& out = writer.BeginResource("Goal", "urn:goals", "G|1");
    out.BeginArray("identifier");
    out.BeginObject();
    out.String("system", "urn:goals");
    out.String("value", "G|1");
    out.EndObject();
    out.EndArray();
    out.BeginObject("description");
    out.String("text", description);
    out.EndObject();
    out.BeginObject("subject");
    out.String("reference", ConditionalUrl("Patient", system, "PT\\1"));
    out.EndObject();
    writer.EndResource();
  };
  Json patient = Obj(
      {{"resourceType", Str("Patient")}, {"identifier", Arr({MakeIdentifier(system, "PT\\1")})}});
  Json note = Obj({{"resourceType", Str("Basic")},
                   {"subject", ConditionalReference("Goal", "urn:goals", "G|1")}});
  TransactionBundleWriter writer;
  write_goal(writer, "first");
  writer.AddResource(patient);
  writer.AddResource(note);
  write_goal(writer, "second");
  Json bundle = testing::ParseOrDie(writer.Finish(false));
  const Json& entries = *bundle.Find("entry");
  ASSERT_EQ(entries.items().size(), 3U);
  const Json& goal = entries.items()[0];
  EXPECT_EQ(goal.Find("resource")->Find("description")->StringOr("text"), "second");
  EXPECT_EQ(goal.Find("resource")->Find("subject")->StringOr("reference"),
            entries.items()[1].StringOr("fullUrl"));
  EXPECT_EQ(entries.items()[2].Find("resource")->Find("subject")->StringOr("reference"),
            goal.StringOr("fullUrl"));
  EXPECT_EQ(entries.items()[2].Find("request")->StringOr("method"), "POST");
  EXPECT_EQ(goal.Find("request")->StringOr("url"), "Goal?identifier=urn:goals|G\\|1");

  std::vector<Json> trees = {testing::ParseOrDie(fhir::WriteJson(*goal.Find("resource"))), patient,
                             note};
  trees[0].Find("subject")->Set("reference", Str(ConditionalUrl("Patient", system, "PT\\1")));
  EXPECT_EQ(fhir::WriteJson(bundle), WriteTransactionBundle(trees, false));
}

// A record that does not convert leaves the writer as it was: nothing of it is written.
TEST(TransactionBundleWriterTest, ARecordThatDoesNotConvertWritesNothing) {
  Json record = Fixture("plan_of_care.json");
  record.Find("goals")->items()[1].Set("status", Str("unknown"));
  TransactionBundleWriter writer;
  Status written = WriteFhir(record, testing::TestContext(), writer);
  ASSERT_FALSE(written.ok());
  EXPECT_NE(written.message().find("/goals/1/status"), std::string::npos) << written.message();
  EXPECT_EQ(writer.Finish(false), R"({"resourceType":"Bundle","type":"transaction"})");
}

}  // namespace
}  // namespace duet::mappings
