#include "mappings/resource_writer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mappings/fhir_elements.h"

namespace duet::mappings {
namespace {

using fhir::Json;

// Text resources come back as the trees their text says, trees as given, in the order written.
TEST(ResourceCollectorTest, GivesTextAndTreeResourcesAsTreesInOrder) {
  ResourceCollector collector;
  fhir::JsonTextWriter& out = collector.BeginResource("Goal", "urn:s", "1");
  out.String("lifecycleStatus", "active");
  out.BeginArray("note");
  out.BeginObject();
  out.String("text", "a \"quoted\" note");
  out.EndObject();
  out.EndArray();
  collector.EndResource();
  collector.AddResource(Obj({{"resourceType", Str("Patient")}}));
  collector.BeginResource("Condition", "urn:s", "2");
  collector.EndResource();
  auto resources = collector.Take();
  ASSERT_TRUE(resources.ok()) << resources.status().ToString();
  ASSERT_EQ(resources->size(), 3U);
  EXPECT_EQ(
      fhir::WriteJson((*resources)[0]),
      R"({"resourceType":"Goal","lifecycleStatus":"active","note":[{"text":"a \"quoted\" note"}]})");
  EXPECT_EQ((*resources)[1].StringOr("resourceType"), "Patient");
  EXPECT_EQ(fhir::WriteJson((*resources)[2]), R"({"resourceType":"Condition"})");
}

// A mapper that writes text that is not JSON is a defect: it is reported, not passed on.
TEST(ResourceCollectorTest, ReportsAResourceWhoseTextIsNotJson) {
  ResourceCollector collector;
  fhir::JsonTextWriter& out = collector.BeginResource("Goal", "urn:s", "1");
  out.Key("broken");
  out.Raw("{");
  out.EndRaw();
  collector.EndResource();
  auto resources = collector.Take();
  ASSERT_FALSE(resources.ok());
  EXPECT_EQ(resources.status().code(), StatusCode::kInternal);
  EXPECT_NE(resources.status().message().find("does not read back"), std::string::npos);
}

}  // namespace
}  // namespace duet::mappings
