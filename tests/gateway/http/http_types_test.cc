#include "gateway/http/http_types.h"

#include <gtest/gtest.h>

namespace duet::gateway {
namespace {

TEST(HttpTypesTest, HeadersCompareNamesCaseInsensitively) {
  HttpHeaders headers;
  headers.Add("Content-Type", "application/fhir+json");
  ASSERT_NE(headers.Find("content-type"), nullptr);
  EXPECT_EQ(*headers.Find("CONTENT-TYPE"), "application/fhir+json");
  headers.Set("content-type", "text/plain");
  EXPECT_EQ(headers.all().size(), 1u);
  EXPECT_EQ(*headers.Find("Content-Type"), "text/plain");
  EXPECT_EQ(headers.Find("ETag"), nullptr);
}

TEST(HttpTypesTest, ParsesAndDecodesQueryStrings) {
  auto pairs = ParseQueryString("patient=Patient%2F1&status=active,on-hold&_count=&x+y=a+b&&flag");
  ASSERT_EQ(pairs.size(), 5u);
  EXPECT_EQ(pairs[0], (std::pair<std::string, std::string>{"patient", "Patient/1"}));
  EXPECT_EQ(pairs[1].second, "active,on-hold");
  EXPECT_EQ(pairs[2].second, "");
  EXPECT_EQ(pairs[3], (std::pair<std::string, std::string>{"x y", "a b"}));
  EXPECT_EQ(pairs[4].first, "flag");
}

TEST(HttpTypesTest, PercentEncodingRoundTrips) {
  const std::string text = "http://loinc.org|1234-5 é&=";
  EXPECT_EQ(PercentDecode(PercentEncode(text)), text);
  EXPECT_EQ(PercentDecode("%zz%4"), "%zz%4");
}

}  // namespace
}  // namespace duet::gateway
