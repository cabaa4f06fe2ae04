#include "mappings/npi.h"

#include <algorithm>
#include <cstddef>

namespace duet::mappings {
namespace {

bool AllDigits(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// What the prefix 80840 adds to the Luhn sum of every NPI: counted from the check digit, its digits
// sit at positions 15 to 11, so only the 4 (position 12) is doubled: 8 + 0 + 8 + 8 + 0.
constexpr int kPrefixLuhnSum = 24;

}  // namespace

bool HasNpiShape(std::string_view text) { return text.size() == 10 && AllDigits(text); }

std::optional<char> NpiCheckDigit(std::string_view first_nine_digits) {
  if (first_nine_digits.size() != 9 || !AllDigits(first_nine_digits)) return std::nullopt;
  int sum = kPrefixLuhnSum;
  // The check digit will be appended on the right, so the rightmost payload digit is doubled,
  // then every second digit going left.
  for (size_t i = 0; i < first_nine_digits.size(); ++i) {
    int digit = first_nine_digits[i] - '0';
    bool doubled = (first_nine_digits.size() - 1 - i) % 2 == 0;
    if (doubled) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return static_cast<char>('0' + (10 - sum % 10) % 10);
}

bool IsValidNpi(std::string_view npi) {
  if (!HasNpiShape(npi)) return false;
  return NpiCheckDigit(npi.substr(0, 9)) == npi[9];
}

}  // namespace duet::mappings
