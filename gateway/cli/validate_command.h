// `duet validate [FILE|-]`: checks a Practice Record Format record or batch (a JSON object with a
// "record" member) against the PRF v1 schemas and rules, or a FHIR R4 resource or Bundle (one with
// "resourceType") against the R4 definitions, and prints the verdict.
//
// Stateless; the streams are the caller's. Safe to call from any thread with distinct streams.
#pragma once

#include <iosfwd>
#include <string>

namespace duet::gateway {

// Exit codes of the validate command.
inline constexpr int kValidateOk = 0;
inline constexpr int kValidateInvalid = 1;
inline constexpr int kValidateUsageError = 2;

// Reads `path_or_dash` ("-" reads `stdin_stream`), validates it and writes to `out` either
// "OK <ResourceType>", "OK <record type>" or "OK batch of N records", or one problem a line
// ("error <path or JSON pointer>: <message>"); returns kValidateOk, kValidateInvalid (bad JSON,
// neither FHIR nor PRF, or validation errors) or kValidateUsageError (the file cannot be read;
// the reason goes to `err`).
int RunValidateCommand(const std::string& path_or_dash, std::istream& stdin_stream,
                       std::ostream& out, std::ostream& err);

}  // namespace duet::gateway
