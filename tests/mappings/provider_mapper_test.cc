#include "mappings/provider_mapper.h"

#include <gtest/gtest.h>

#include "mappings/extensions.h"
#include "mappings/record_converter.h"
#include "tests/mappings/mapping_test_util.h"

namespace duet::mappings {
namespace {

using fhir::Json;
using testing::Fixture;
using testing::TestContext;

std::vector<Json> MapProvider(const std::string& fixture) {
  return testing::ValueOrFail(ProviderToFhir(Fixture(fixture), TestContext()));
}

TEST(ProviderMapperTest, PractitionerIsKnownByNpi) {
  std::vector<Json> resources = MapProvider("provider.json");
  ASSERT_EQ(resources.size(), 3U);
  const Json& practitioner = resources[0];
  EXPECT_EQ(practitioner.StringOr("resourceType"), "Practitioner");
  EXPECT_EQ(IdentifierValue(practitioner, "http://hl7.org/fhir/sid/us-npi"), "1245319599");
  const Json& name = practitioner.Find("name")->items()[0];
  EXPECT_EQ(name.StringOr("family"), "Park");
  EXPECT_EQ(name.Find("suffix")->items()[0].string_value(), "DPT");
  EXPECT_EQ(testing::ValidationErrors(resources), "");
}

TEST(ProviderMapperTest, DirectAddressIsAnEmailMarkedDirect) {
  Json practitioner = MapProvider("provider.json").front();
  int direct = 0;
  for (const Json& telecom : practitioner.Find("telecom")->items()) {
    if (FindExtension(telecom, kUsCoreDirectUrl) != nullptr) {
      ++direct;
      EXPECT_EQ(telecom.StringOr("value"), "jane.park@direct.saguarorehab.example");
      EXPECT_EQ(telecom.StringOr("system"), "email");
    }
  }
  EXPECT_EQ(direct, 1);
}

TEST(ProviderMapperTest, RoleIsANuccCodedPractitionerRoleAtTheOrganization) {
  std::vector<Json> resources = MapProvider("provider-ot.json");
  const Json& role = resources[1];
  EXPECT_EQ(role.StringOr("resourceType"), "PractitionerRole");
  const Json& coding = role.Find("code")->items()[0].Find("coding")->items()[0];
  EXPECT_EQ(coding.StringOr("system"), "http://nucc.org/provider-taxonomy");
  EXPECT_EQ(coding.StringOr("code"), "225X00000X");
  EXPECT_EQ(role.Find("organization")->StringOr("reference"),
            "Organization?identifier=http://hl7.org/fhir/sid/us-npi|1987654328");
  EXPECT_EQ(role.Find("practitioner")->StringOr("reference"),
            "Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|1712394588");
  EXPECT_EQ(resources[2].StringOr("name"), "Saguaro Rehab Partners");
}

TEST(ProviderMapperTest, PhysicianHasNoSingleNuccCodeSoTheRoleIsTextOnly) {
  Json role = MapProvider("provider-referring.json")[1];
  const Json& code = role.Find("code")->items()[0];
  EXPECT_EQ(code.Find("coding"), nullptr);
  EXPECT_EQ(code.StringOr("text"), "Physician");
}

TEST(ProviderMapperTest, OrganizationWithoutNpiIsContained) {
  std::vector<Json> resources = MapProvider("provider-neurologist.json");
  ASSERT_EQ(resources.size(), 2U);
  const Json& role = resources[1];
  EXPECT_EQ(role.Find("contained")->items()[0].StringOr("name"), "Mesa Neurology Group");
  EXPECT_EQ(role.Find("organization")->StringOr("reference"), "#organization");
  EXPECT_EQ(testing::ValidationErrors(resources), "");
  auto back = ToPractice(resources, "provider", "1890345626", TestContext());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, Fixture("provider-neurologist.json"));
}

TEST(ProviderMapperTest, ReverseNeedsThePractitionerRole) {
  std::vector<Json> resources = MapProvider("provider.json");
  resources.erase(resources.begin() + 1);
  auto back = ToPractice(resources, "provider", "1245319599", TestContext());
  ASSERT_FALSE(back.ok());
  EXPECT_NE(back.status().message().find("PractitionerRole"), std::string::npos);
}

TEST(ProviderMapperTest, RefusesAnUnknownRole) {
  Json record = Fixture("provider.json");
  record.Set("role", Json::String("chiropractor"));
  auto resources = ProviderToFhir(record, TestContext());
  ASSERT_FALSE(resources.ok());
  EXPECT_NE(resources.status().message().find("/role"), std::string::npos);
}

}  // namespace
}  // namespace duet::mappings
