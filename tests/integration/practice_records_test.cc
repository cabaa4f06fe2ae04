// Practice records through a real `duet serve` over HTTPS: the transaction Bundle printed by
// `duet convert to-fhir` posts as is, and posting it again creates and changes nothing.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "fhir/json.h"
#include "tests/support/fhir_test_util.h"
#include "tests/support/https_client.h"
#include "tests/support/test_server.h"

namespace duet::test {
namespace {

using fhir::Json;

Json Parse(const std::string& text) { return ParseOrFail(text); }

// "Type/id/_history/N" of every entry of a transaction response, in order.
std::vector<std::string> Locations(const Json& response) {
  std::vector<std::string> locations;
  for (const Json& entry : response.Find("entry")->items()) {
    locations.emplace_back(entry.Find("response")->StringOr("location"));
  }
  return locations;
}

TEST(PracticeRecordsIntegrationTest, ConvertedBatchPostsTwiceWithoutChanges) {
  TestServer server;
  Status started = server.Start();
  ASSERT_TRUE(started.ok()) << started.ToString();
  HttpsClient client = server.Client();

  ProcessResult converted =
      RunDuet({"convert", "to-fhir", std::string(DUET_FIXTURES_DIR) + "/prf/batch.json"});
  ASSERT_EQ(converted.exit_code, 0) << converted.out << converted.err;
  Json bundle = Parse(converted.out);
  std::set<std::string> types;
  for (const Json& entry : bundle.Find("entry")->items()) {
    types.insert(std::string(entry.Find("resource")->StringOr("resourceType")));
  }

  HttpsResponse first = client.Post("/fhir", converted.out, kFhirJson);
  ASSERT_EQ(first.status, 200) << first.body.substr(0, 1500);
  std::map<std::string, std::string> counts;
  for (const std::string& type : types) {
    counts[type] =
        Parse(client.Get("/fhir/" + type + "?_summary=count").body).Find("total")->number_text();
  }

  HttpsResponse second = client.Post("/fhir", converted.out, kFhirJson);
  ASSERT_EQ(second.status, 200) << second.body.substr(0, 1500);
  Json again = Parse(second.body);
  for (const Json& entry : again.Find("entry")->items()) {
    EXPECT_EQ(entry.Find("response")->StringOr("status"), "200 OK")
        << fhir::WriteJson(entry).substr(0, 300);
  }
  EXPECT_EQ(Locations(again), Locations(Parse(first.body))) << "no resource got a new version";
  for (const std::string& type : types) {
    EXPECT_EQ(
        Parse(client.Get("/fhir/" + type + "?_summary=count").body).Find("total")->number_text(),
        counts[type])
        << type;
  }
}

}  // namespace
}  // namespace duet::test
