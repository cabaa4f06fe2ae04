#include "gateway/sync/changed_resources.h"

#include <algorithm>

#include "fhir/search/search_query.h"
#include "gateway/sync/outbox_policy.h"

namespace duet::gateway {
namespace {

constexpr int64_t kOverlapMillis = 5000;
constexpr int kPageSize = 1000;

}  // namespace

StatusOr<std::string> VisitChangedSince(ResourceStore& store, const std::string& type,
                                        SearchParams params, const std::string& watermark,
                                        const std::function<Status(const StoredResource&)>& visit) {
  params.emplace_back("_sort", "_lastUpdated");
  std::string from = WatermarkMinus(watermark, kOverlapMillis);
  if (!from.empty()) params.emplace_back("_lastUpdated", "ge" + from);
  fhir::SearchParseOptions options;
  options.max_count = kPageSize;
  DUET_ASSIGN_OR_RETURN(fhir::SearchQuery query, fhir::ParseSearchQuery(type, params, options));
  query.count = kPageSize;
  std::string highest = watermark;
  while (true) {
    DUET_ASSIGN_OR_RETURN(SearchResult page, store.Search(query));
    for (const StoredResource& stored : page.matches) {
      highest = std::max(highest, stored.last_updated);
      DUET_RETURN_IF_ERROR(visit(stored));
    }
    if (page.next_cursor.empty()) break;
    query.cursor = page.next_cursor;
  }
  return highest;
}

}  // namespace duet::gateway
