#include "mappings/npi.h"

#include <gtest/gtest.h>

namespace duet::mappings {
namespace {

TEST(NpiTest, CheckDigitOfTheCmsExample) {
  // CMS's worked example: 123456789 -> 80840123456789 -> check digit 3.
  EXPECT_EQ(NpiCheckDigit("123456789"), '3');
  EXPECT_TRUE(IsValidNpi("1234567893"));
}

TEST(NpiTest, NpisOfTheExamplesPass) {
  for (const char* npi : {"1245319599", "1987654328", "1890345626"}) {
    EXPECT_TRUE(IsValidNpi(npi)) << npi;
  }
}

TEST(NpiTest, EveryOtherLastDigitFails) {
  for (char last = '0'; last <= '9'; ++last) {
    std::string npi = std::string("123456789") + last;
    EXPECT_EQ(IsValidNpi(npi), last == '3') << npi;
  }
}

TEST(NpiTest, CheckDigitZero) {
  // Luhn sum: 24 for 80840, 2 for the doubled 1, 4 for the doubled 2: 30, so the check digit is 0.
  EXPECT_EQ(NpiCheckDigit("100000002"), '0');
  EXPECT_TRUE(IsValidNpi("1000000020"));
}

TEST(NpiTest, SwappedDigitsAreCaught) {
  EXPECT_FALSE(IsValidNpi("2134567893"));
  EXPECT_FALSE(IsValidNpi("1245319959"));
}

TEST(NpiTest, ShapeIsTenAsciiDigits) {
  EXPECT_TRUE(HasNpiShape("1234567893"));
  EXPECT_FALSE(HasNpiShape("123456789"));
  EXPECT_FALSE(HasNpiShape("12345678930"));
  EXPECT_FALSE(HasNpiShape("12345678a3"));
  EXPECT_FALSE(HasNpiShape(""));
  EXPECT_FALSE(IsValidNpi("123456789"));
  EXPECT_FALSE(IsValidNpi("12345 7893"));
  EXPECT_EQ(NpiCheckDigit("12345678"), std::nullopt);
  EXPECT_EQ(NpiCheckDigit("12345678x"), std::nullopt);
}

}  // namespace
}  // namespace duet::mappings
