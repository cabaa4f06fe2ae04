#include "gateway/sync/outbound_bundle.h"

#include <gtest/gtest.h>

#include <set>

namespace duet::gateway {
namespace {

using fhir::Json;

Json Resource(const std::string& type, const std::string& value,
              const std::vector<std::string>& references) {
  Json resource =
      *fhir::ParseJson(R"({"resourceType":")" + type +
                       R"(","identifier":[{"system":"urn:test","value":")" + value + R"("}]})");
  Json list = Json::MakeArray();
  for (const std::string& reference : references) {
    list.Append(*fhir::ParseJson(R"({"reference":")" + reference + R"("})"));
  }
  if (!references.empty()) resource.Set("extension_refs", std::move(list));
  return resource;
}

TEST(OutboundBundleTest, ChunksComeInReferenceOrderWithinTheSizeLimit) {
  std::vector<Json> resources = {
      Resource("CarePlan", "cp", {"Patient?identifier=urn:test|p", "Goal?identifier=urn:test|g"}),
      Resource("Goal", "g", {"Patient?identifier=urn:test|p"}),
      Resource("Practitioner", "dr", {}),
      Resource("Patient", "p", {}),
  };
  std::vector<std::vector<Json>> chunks = OutboundChunks(resources, 2);
  ASSERT_EQ(chunks.size(), 2u);
  std::vector<std::string> order;
  for (const auto& chunk : chunks) {
    EXPECT_LE(chunk.size(), 2u);
    for (const Json& resource : chunk) order.emplace_back(resource.StringOr("resourceType"));
  }
  auto position = [&](const std::string& type) {
    return std::find(order.begin(), order.end(), type) - order.begin();
  };
  EXPECT_LT(position("Patient"), position("Goal"));
  EXPECT_LT(position("Goal"), position("CarePlan"));
  EXPECT_EQ(OutboundChunks(resources, 0).size(), 1u);
}

TEST(OutboundBundleTest, LaterChunksReferToWhatThePartnerStored) {
  std::vector<Json> first = {Resource("Patient", "p", {})};
  Json request = OutboundTransaction(first);
  Json response = *fhir::ParseJson(
      R"({"resourceType":"Bundle","type":"transaction-response","entry":[{"response":{"status":"201","location":"Patient/9f1/_history/3c2e0b6a-1d2f-4c5e-8a7b-0123456789ab"}}]})");
  std::map<std::string, std::string> partner;
  CollectPartnerReferences(request, response, &partner);
  ASSERT_EQ(partner.size(), 1u);
  EXPECT_EQ(partner.begin()->second, "Patient/9f1");
  Json goal = Resource("Goal", "g", {"Patient?identifier=urn:test|p"});
  UsePartnerReferences(goal, partner);
  EXPECT_EQ(goal.Find("extension_refs")->items()[0].StringOr("reference"), "Patient/9f1");
}

}  // namespace
}  // namespace duet::gateway
