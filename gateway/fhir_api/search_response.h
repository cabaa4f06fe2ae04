// Renders search results and history pages as FHIR Bundles (searchset and history), with the
// self/next links that let a client page through them. Pure functions; any thread.
#pragma once

#include <string>

#include "fhir/search/search_query.h"
#include "gateway/fhir_api/fhir_response.h"
#include "gateway/http/http_types.h"
#include "gateway/store/resource_store.h"

namespace duet::gateway {

class BundleBuilder;

// A 200 response carrying the built Bundle.
HttpResponse BundleHttpResponse(const BundleBuilder& bundle, const ResponseFormat& format);

HttpResponse SearchResponse(const fhir::SearchQuery& query, const SearchResult& result,
                            const std::string& fhir_base, const ResponseFormat& format);

HttpResponse HistoryResponse(const HistoryQuery& query, const HistoryPage& page,
                             const std::string& self_url, const std::string& fhir_base,
                             const ResponseFormat& format);

// Keeps only resourceType, id, meta and the named top-level elements, and marks the resource
// SUBSETTED in meta.tag, as `_elements` asks.
std::string FilterElements(const std::string& resource_json,
                           const std::vector<std::string>& elements);

}  // namespace duet::gateway
