// The National Provider Identifier check digit (CMS, "NPI check digit"): the tenth digit is the
// Luhn check digit computed over the prefix 80840 followed by the first nine digits.
//
// Pure functions; safe to call from any thread.
#pragma once

#include <optional>
#include <string_view>

namespace duet::mappings {

// True when `text` is exactly ten ASCII digits (the shape the PRF schemas require of an NPI).
bool HasNpiShape(std::string_view text);

// The check digit ('0'..'9') for nine ASCII digits; nullopt for anything else.
std::optional<char> NpiCheckDigit(std::string_view first_nine_digits);

// True when `npi` has the NPI shape and its last digit is the check digit of the first nine.
bool IsValidNpi(std::string_view npi);

}  // namespace duet::mappings
