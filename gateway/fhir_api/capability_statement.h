// Builds the server's CapabilityStatement from what is really implemented: the supported
// resource types list, the search parameter registry and the interactions the REST handler
// serves. Pure function; any thread.
#pragma once

#include <string>

#include "fhir/json.h"

namespace duet::gateway {

struct CapabilityOptions {
  std::string software_version;
  std::string fhir_base;  // implementation.url
};

fhir::Json BuildCapabilityStatement(const CapabilityOptions& options);

}  // namespace duet::gateway
