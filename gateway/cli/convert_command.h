// `duet convert to-fhir [FILE|-]` and `duet convert to-practice [FILE|-]`: converts Practice
// Record Format records to a FHIR transaction Bundle of conditional upserts, and FHIR resources
// (a resource or a Bundle of them) back to PRF records.
//
// Stateless; the streams are the caller's. Safe to call from any thread with distinct streams.
#pragma once

#include <istream>
#include <ostream>
#include <string>

namespace duet::gateway {

enum class ConvertDirection { kToFhir, kToPractice };

inline constexpr int kConvertOk = 0;
inline constexpr int kConvertInvalid = 1;
inline constexpr int kConvertUsageError = 2;

// Reads `path_or_dash` ("-" reads `stdin_stream`), converts it and prints the result as indented
// JSON to `out`; problems go one a line to `out` ("error <pointer or path>: <message>") with
// kConvertInvalid. `identifier_base` is the practice's identifier base
// (practice.identifier_base). kConvertUsageError when the input cannot be read.
int RunConvertCommand(ConvertDirection direction, const std::string& path_or_dash,
                      const std::string& identifier_base, std::istream& stdin_stream,
                      std::ostream& out, std::ostream& err);

}  // namespace duet::gateway
