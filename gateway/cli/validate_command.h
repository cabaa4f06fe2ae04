// `duet validate [FILE|-]`: checks a FHIR R4 resource or Bundle (JSON) against the R4 definitions
// and prints the verdict. Practice Record Format input will be recognised later (FHIR input is
// told apart by its "resourceType" member).
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
// "OK <ResourceType>" or one problem a line ("error <path>: <message>"); returns kValidateOk,
// kValidateInvalid (bad JSON, not FHIR, or validation errors) or kValidateUsageError (the file
// cannot be read; the reason goes to `err`).
int RunValidateCommand(const std::string& path_or_dash, std::istream& stdin_stream,
                       std::ostream& out, std::ostream& err);

}  // namespace duet::gateway
