#include "fhir/base64.h"

#include <gtest/gtest.h>

namespace duet::fhir {
namespace {

// RFC 4648 §10 test vectors.
TEST(Base64Test, EncodesAndDecodesTheRfcVectors) {
  const std::pair<std::string, std::string> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(Base64Encode(plain), encoded);
    auto decoded = Base64Decode(encoded);
    ASSERT_TRUE(decoded.ok()) << encoded;
    EXPECT_EQ(*decoded, plain);
  }
}

TEST(Base64Test, BinaryBytesRoundTrip) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  EXPECT_EQ(*Base64Decode(Base64Encode(bytes)), bytes);
}

TEST(Base64Test, BadTextIsNamed) {
  EXPECT_NE(Base64Decode("Zm9").status().message().find("not a multiple of 4"), std::string::npos);
  EXPECT_NE(Base64Decode("Zm9v!A==").status().message().find("'!' at offset 4"), std::string::npos);
  EXPECT_FALSE(Base64Decode("Zg==Zm9v").ok()) << "padding only at the end";
  EXPECT_FALSE(Base64Decode("Z===").ok());
}

}  // namespace
}  // namespace duet::fhir
