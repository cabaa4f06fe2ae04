// RouteTemplate: the route a request path belongs to, as a label for metrics and the access log:
// "/fhir/{type}/{id}", "/practice/v1/records", "/healthz". Ids, types and anything a client
// chose are replaced by placeholders, so the set of labels stays small and carries no patient
// data; paths the gateway does not serve are "other". Pure function; any thread.
#pragma once

#include <string>
#include <string_view>

namespace duet::gateway {

std::string RouteTemplate(std::string_view path);

// The method as a label: the standard ones as they are, anything else "other".
std::string_view MethodLabel(std::string_view method);

}  // namespace duet::gateway
