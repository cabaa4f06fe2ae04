// What a partner's CapabilityStatement says it supports, for `duet endpoints test` and for the
// jobs that check a partner before relying on a feature (pull_referrals needs `_lastUpdated`).
//
// Pure functions over a parsed CapabilityStatement; any thread may call them.
#pragma once

#include <string>

#include "fhir/json.h"

namespace duet::gateway {

// Whether the server part of the CapabilityStatement lists `interaction` for `type` ("" = a
// whole-system interaction such as "transaction") or, when `parameter` is given, the search
// parameter `parameter` for `type` (in that resource's searchParam, or in rest.searchParam,
// which applies to every type).
bool CapabilityListed(const fhir::Json& capabilities, const std::string& type,
                      const std::string& interaction, const std::string& parameter);

}  // namespace duet::gateway
