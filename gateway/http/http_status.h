// The one table that maps a Status to an HTTP status code, shared by every API of the gateway.
#pragma once

#include <string>

#include "fhir/status.h"

namespace duet::gateway {

int HttpStatusFor(StatusCode code);

// "201 Created", as Bundle.entry.response.status wants it.
std::string HttpStatusLine(int status);

}  // namespace duet::gateway
