// Translation of a parsed FHIR search (fhir::SearchQuery) into SQL over the SQLite store's
// schema (see sqlite_schema.h), and the opaque keyset cursor that pages through its results.
// Private to gateway/store. Pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fhir/search/search_query.h"
#include "fhir/status.h"
#include "gateway/store/sqlite_connection.h"

namespace duet::gateway {

// The columns every resource query selects, in this order.
inline constexpr char kResourceColumns[] =
    "r.seq, r.type, r.id, r.version, r.last_updated, r.deleted, r.method, r.json";

// Where the previous page ended: the sort key of its last match.
struct SearchCursor {
  fhir::SortOrder sort = fhir::SortOrder::kInsertion;
  std::string last_updated;
  int64_t seq = 0;
};

std::string EncodeSearchCursor(const SearchCursor& cursor);
// kInvalidArgument when the text is not a cursor of this store or was made for another sort.
StatusOr<SearchCursor> DecodeSearchCursor(std::string_view text, fhir::SortOrder sort);

// History pages are keyed by the history row sequence of their last version.
std::string EncodeHistoryCursor(int64_t history_seq);
StatusOr<int64_t> DecodeHistoryCursor(std::string_view text);

struct SearchSql {
  SqlFragment page;   // kResourceColumns of at most `limit` matches after the cursor, in order
  SqlFragment count;  // one row: the number of matches, ignoring the cursor
};

// `now_millis` anchors the "ap" (approximately) prefix on dates.
SearchSql BuildSearchSql(const fhir::SearchQuery& query, const std::optional<SearchCursor>& after,
                         int limit, int64_t now_millis);

}  // namespace duet::gateway
