// Finding what changed in the practice's store since a push job's watermark: the current
// resources of one type whose lastUpdated (the store's own clock) is at or after the watermark
// minus 5 seconds, oldest first, page by page.
//
// A free function; uses only the store it is given (thread-safe as the store is).
#pragma once

#include <functional>
#include <string>

#include "fhir/status.h"
#include "gateway/store/resource_store.h"
#include "gateway/workflow/workflow_support.h"

namespace duet::gateway {

// Calls `visit` for each changed resource of `type` matching `params`; returns the highest
// lastUpdated seen (`watermark` when nothing changed): the watermark to save once what `visit`
// did is durable.
StatusOr<std::string> VisitChangedSince(ResourceStore& store, const std::string& type,
                                        SearchParams params, const std::string& watermark,
                                        const std::function<Status(const StoredResource&)>& visit);

}  // namespace duet::gateway
