// FhirRoute: what a request path under the FHIR base names (metadata, a type, an instance, a
// version, a history), independent of the HTTP method. Pure functions; any thread.
#pragma once

#include <string>
#include <string_view>

#include "fhir/status.h"

namespace duet::gateway {

struct FhirRoute {
  enum class Kind {
    kSystem,           // /fhir            (batch/transaction)
    kMetadata,         // /fhir/metadata
    kSystemHistory,    // /fhir/_history
    kType,             // /fhir/CarePlan   (search, create, conditional update/delete)
    kTypeSearch,       // /fhir/CarePlan/_search
    kTypeHistory,      // /fhir/CarePlan/_history
    kInstance,         // /fhir/CarePlan/1 (read, update, delete)
    kInstanceHistory,  // /fhir/CarePlan/1/_history
    kVersion,          // /fhir/CarePlan/1/_history/2 (vread)
  };
  Kind kind = Kind::kSystem;
  std::string type;
  std::string id;
  long long version = 0;
};

// Parses `path` relative to the FHIR base ("" or "/CarePlan/1"). kNotFound for shapes the API does
// not have; kInvalidArgument for a malformed id or version.
StatusOr<FhirRoute> ParseFhirRoute(std::string_view path);

// True when `id` is a valid FHIR id: [A-Za-z0-9\-\.]{1,64}.
bool IsValidFhirId(std::string_view id);

}  // namespace duet::gateway
