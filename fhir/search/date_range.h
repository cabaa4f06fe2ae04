// FHIR date, dateTime and instant values as ranges of UTC instants, for search and indexing.
//
// A FHIR date has an implicit precision: "2024-03" means the whole of March 2024. Search compares
// such ranges, so both the indexed values and the search values are turned into [low, high)
// pairs of normalized instants "YYYY-MM-DDThh:mm:ss.sssZ", which compare correctly as strings.
// A dateTime without a timezone is taken as UTC (FHIR leaves it to the server; Duet runs in UTC).
// Pure functions, safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "fhir/status.h"

namespace duet::fhir {

struct DateRange {
  std::string low;   // inclusive
  std::string high;  // exclusive
};

// The lowest and highest instants used for open-ended ranges (a Period without an end).
extern const char kMinInstant[];  // "0001-01-01T00:00:00.000Z"
extern const char kMaxInstant[];  // "9999-12-31T23:59:59.999Z"

// Parses YYYY, YYYY-MM, YYYY-MM-DD, or YYYY-MM-DDThh:mm[:ss[.fff]][Z|(+|-)hh:mm]. A space in
// place of the '+' of the offset is accepted (a '+' left unencoded in a URL decodes to a space).
// kInvalidArgument says what is wrong.
StatusOr<DateRange> ParseDateRange(std::string_view text);

// Milliseconds since 1970-01-01T00:00:00Z as "YYYY-MM-DDThh:mm:ss.sssZ".
std::string FormatInstantMillis(int64_t epoch_millis);
// The inverse of FormatInstantMillis for its exact format; kInvalidArgument otherwise.
StatusOr<int64_t> ParseInstantMillis(std::string_view instant);

}  // namespace duet::fhir
