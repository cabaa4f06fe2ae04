#include "gateway/store/sqlite_search_sql.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <vector>

#include "fhir/base64url.h"
#include "fhir/search/date_range.h"
#include "fhir/search/search_index.h"

namespace duet::gateway {
namespace {

using fhir::SearchCriterion;
using fhir::SearchParameterDef;
using fhir::SearchParamType;
using fhir::SearchPrefix;
using fhir::SearchValue;

// Appends `part` and its parameters to `out`.
void Append(SqlFragment* out, const SqlFragment& part) {
  out->sql += part.sql;
  out->params.insert(out->params.end(), part.params.begin(), part.params.end());
}

SqlFragment JoinFragments(const std::vector<SqlFragment>& parts, const char* separator) {
  SqlFragment joined;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) joined.sql += separator;
    Append(&joined, parts[i]);
  }
  return joined;
}

const char* IndexTable(SearchParamType type) {
  switch (type) {
    case SearchParamType::kToken: return "idx_token";
    case SearchParamType::kReference: return "idx_reference";
    case SearchParamType::kDate: return "idx_date";
    case SearchParamType::kString: return "idx_string";
    case SearchParamType::kNumber: return "idx_number";
    case SearchParamType::kQuantity: return "idx_quantity";
    case SearchParamType::kUri: return "idx_uri";
  }
  return "idx_token";
}

// The smallest string greater than every string starting with `prefix` (0xFF never occurs in
// UTF-8, and SQLite compares text bytewise).
std::string PrefixUpperBound(const std::string& prefix) { return prefix + "\xff"; }

std::string EscapeLike(const std::string& text) {
  std::string escaped;
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') escaped.push_back('\\');
    escaped.push_back(c);
  }
  return escaped;
}

// A range condition over columns `low` and `high` ([low, high) of the indexed value) for a
// search range [ql, qh), per the FHIR prefix semantics.
SqlFragment RangeCondition(SearchPrefix prefix, const std::string& low, const std::string& high,
                           const std::string& ql, const std::string& qh) {
  const std::string contained = "(" + low + " >= ? AND " + high + " <= ?)";
  switch (prefix) {
    case SearchPrefix::kEq: return {contained, {ql, qh}};
    case SearchPrefix::kNe: return {"NOT " + contained, {ql, qh}};
    case SearchPrefix::kGt: return {high + " > ?", {qh}};
    case SearchPrefix::kLt: return {low + " < ?", {ql}};
    case SearchPrefix::kGe: return {"(" + high + " > ? OR " + contained + ")", {qh, ql, qh}};
    case SearchPrefix::kLe: return {"(" + low + " < ? OR " + contained + ")", {ql, ql, qh}};
    case SearchPrefix::kSa: return {low + " >= ?", {qh}};
    case SearchPrefix::kEb: return {high + " <= ?", {ql}};
    case SearchPrefix::kAp: return {"(" + low + " < ? AND " + high + " > ?)", {qh, ql}};
  }
  return {contained, {ql, qh}};
}

// "ap" on dates: the search range widened by a tenth of its distance from now (at least a day).
void WidenApproximately(const SearchValue& value, int64_t now_millis, std::string* ql,
                        std::string* qh) {
  StatusOr<int64_t> low = fhir::ParseInstantMillis(value.date_low);
  StatusOr<int64_t> high = fhir::ParseInstantMillis(value.date_high);
  if (!low.ok() || !high.ok()) return;
  const int64_t distance = std::max(std::llabs(now_millis - *low), std::llabs(now_millis - *high));
  const int64_t margin = std::max<int64_t>(distance / 10, 24LL * 3600 * 1000);
  *ql = fhir::FormatInstantMillis(*low - margin);
  *qh = fhir::FormatInstantMillis(*high + margin);
}

SqlFragment DateCondition(const SearchValue& value, int64_t now_millis) {
  std::string ql = value.date_low, qh = value.date_high;
  if (value.prefix == SearchPrefix::kAp) WidenApproximately(value, now_millis, &ql, &qh);
  return RangeCondition(value.prefix, "i.low", "i.high", ql, qh);
}

// _lastUpdated is a point in time: [t, t + 1 ms).
SqlFragment LastUpdatedCondition(const SearchValue& value, int64_t now_millis) {
  std::string ql = value.date_low, qh = value.date_high;
  const std::string column = "r.last_updated";
  switch (value.prefix) {
    case SearchPrefix::kEq: return {"(" + column + " >= ? AND " + column + " < ?)", {ql, qh}};
    case SearchPrefix::kNe: return {"NOT (" + column + " >= ? AND " + column + " < ?)", {ql, qh}};
    case SearchPrefix::kGt:
    case SearchPrefix::kSa: return {column + " >= ?", {qh}};
    case SearchPrefix::kLt:
    case SearchPrefix::kEb: return {column + " < ?", {ql}};
    case SearchPrefix::kGe: return {column + " >= ?", {ql}};
    case SearchPrefix::kLe: return {column + " < ?", {qh}};
    case SearchPrefix::kAp:
      WidenApproximately(value, now_millis, &ql, &qh);
      return {"(" + column + " >= ? AND " + column + " < ?)", {ql, qh}};
  }
  return {"0", {}};
}

// A decimal's value and the range its precision implies: "100" is [99.5, 100.5).
struct NumberRange {
  double value = 0;
  double low = 0;
  double high = 0;
};

NumberRange ToNumberRange(const std::string& text) {
  NumberRange range;
  range.value = std::strtod(text.c_str(), nullptr);
  int decimals = 0;
  int exponent = 0;
  const size_t dot = text.find('.');
  const size_t e = text.find_first_of("eE");
  if (dot != std::string::npos) {
    decimals = static_cast<int>((e == std::string::npos ? text.size() : e) - dot - 1);
  }
  if (e != std::string::npos) exponent = std::atoi(text.c_str() + e + 1);
  const double half = 0.5 * std::pow(10.0, exponent - decimals);
  range.low = range.value - half;
  range.high = range.value + half;
  return range;
}

SqlFragment NumberCondition(const SearchValue& value) {
  const NumberRange range = ToNumberRange(value.text);
  const double tenth = std::fabs(range.value) / 10;
  switch (value.prefix) {
    case SearchPrefix::kEq: return {"(i.value >= ? AND i.value < ?)", {range.low, range.high}};
    case SearchPrefix::kNe: return {"NOT (i.value >= ? AND i.value < ?)", {range.low, range.high}};
    case SearchPrefix::kGt:
    case SearchPrefix::kSa: return {"i.value > ?", {range.value}};
    case SearchPrefix::kLt:
    case SearchPrefix::kEb: return {"i.value < ?", {range.value}};
    case SearchPrefix::kGe: return {"i.value >= ?", {range.value}};
    case SearchPrefix::kLe: return {"i.value <= ?", {range.value}};
    case SearchPrefix::kAp:
      return {"(i.value >= ? AND i.value <= ?)", {range.value - tenth, range.value + tenth}};
  }
  return {"0", {}};
}

SqlFragment QuantityCondition(const SearchValue& value) {
  SqlFragment condition = NumberCondition(value);
  if (value.has_system) {
    condition.sql = "(" + condition.sql + " AND i.system = ? AND i.code = ?)";
    condition.params.emplace_back(value.system);
    condition.params.emplace_back(value.code);
  } else if (!value.code.empty()) {
    condition.sql = "(" + condition.sql + " AND (i.code = ? OR i.unit = ?))";
    condition.params.emplace_back(value.code);
    condition.params.emplace_back(value.code);
  }
  return condition;
}

SqlFragment TokenCondition(const SearchValue& value) {
  if (!value.has_system) return {"i.code = ?", {value.code}};
  if (value.code.empty()) return {"i.system = ?", {value.system}};
  return {"(i.system = ? AND i.code = ?)", {value.system, value.code}};
}

SqlFragment ReferenceCondition(const SearchValue& value) {
  if (value.ref_type.empty()) return {"i.target_id = ?", {value.ref_id}};
  return {"(i.target_id = ? AND i.target_type = ?)", {value.ref_id, value.ref_type}};
}

SqlFragment StringCondition(const std::string& modifier, const SearchValue& value) {
  if (modifier == "exact") return {"i.exact = ?", {value.text}};
  const std::string normalized = fhir::NormalizeSearchString(value.text);
  if (modifier == "contains") {
    return {"i.normalized LIKE ? ESCAPE '\\'", {"%" + EscapeLike(normalized) + "%"}};
  }
  return {"(i.normalized >= ? AND i.normalized < ?)", {normalized, PrefixUpperBound(normalized)}};
}

SqlFragment UriCondition(const std::string& modifier, const SearchValue& value) {
  if (modifier == "below") {
    return {"(i.uri >= ? AND i.uri < ?)", {value.text, PrefixUpperBound(value.text)}};
  }
  return {"i.uri = ?", {value.text}};
}

SqlFragment ValueCondition(const SearchCriterion& criterion, const SearchValue& value,
                           int64_t now_millis) {
  switch (criterion.param->type) {
    case SearchParamType::kToken: return TokenCondition(value);
    case SearchParamType::kReference: return ReferenceCondition(value);
    case SearchParamType::kDate: return DateCondition(value, now_millis);
    case SearchParamType::kString: return StringCondition(criterion.modifier, value);
    case SearchParamType::kNumber: return NumberCondition(value);
    case SearchParamType::kQuantity: return QuantityCondition(value);
    case SearchParamType::kUri: return UriCondition(criterion.modifier, value);
  }
  return {"0", {}};
}

// The ORed value conditions of a criterion, over index alias i.
SqlFragment AnyValueCondition(const SearchCriterion& criterion, int64_t now_millis) {
  std::vector<SqlFragment> parts;
  for (const SearchValue& value : criterion.any_of) {
    parts.push_back(ValueCondition(criterion, value, now_millis));
  }
  SqlFragment joined = JoinFragments(parts, " OR ");
  joined.sql = "(" + joined.sql + ")";
  return joined;
}

bool IsId(const SearchCriterion& c) { return c.param->code == "_id"; }
bool IsLastUpdated(const SearchCriterion& c) { return c.param->code == "_lastUpdated"; }

// _id and _lastUpdated are columns of the resource row.
SqlFragment ResourceColumnFilter(const SearchCriterion& criterion, int64_t now_millis) {
  if (criterion.modifier == "missing") {
    return {criterion.any_of[0].text == "true" ? "0" : "1", {}};
  }
  std::vector<SqlFragment> parts;
  for (const SearchValue& value : criterion.any_of) {
    parts.push_back(IsId(criterion) ? SqlFragment{"r.id = ?", {value.code}}
                                    : LastUpdatedCondition(value, now_millis));
  }
  SqlFragment joined = JoinFragments(parts, " OR ");
  joined.sql = (criterion.modifier == "not" ? "NOT (" : "(") + joined.sql + ")";
  return joined;
}

// The criterion as a condition on resource row r.
SqlFragment CriterionFilter(const SearchCriterion& criterion, int64_t now_millis) {
  if (IsId(criterion) || IsLastUpdated(criterion)) {
    return ResourceColumnFilter(criterion, now_millis);
  }
  SqlFragment filter;
  const std::string exists = std::string("EXISTS (SELECT 1 FROM ") +
                             IndexTable(criterion.param->type) +
                             " i WHERE i.seq = r.seq AND i.param = ?";
  if (criterion.modifier == "missing") {
    const bool missing = criterion.any_of[0].text == "true";
    filter.sql = (missing ? "NOT " : "") + exists + ")";
    filter.params.emplace_back(criterion.param->code);
    return filter;
  }
  filter.sql = (criterion.modifier == "not" ? "NOT " : "") + exists + " AND ";
  filter.params.emplace_back(criterion.param->code);
  Append(&filter, AnyValueCondition(criterion, now_millis));
  filter.sql += ")";
  return filter;
}

// How selective a criterion is likely to be, lower is better; nullopt when it cannot drive the
// query (negations, :missing, ne).
std::optional<int> DriverRank(const SearchCriterion& criterion) {
  if (criterion.modifier == "missing" || criterion.modifier == "not" ||
      criterion.modifier == "contains" || IsLastUpdated(criterion)) {
    return std::nullopt;
  }
  for (const SearchValue& value : criterion.any_of) {
    if (value.prefix == SearchPrefix::kNe) return std::nullopt;
  }
  if (IsId(criterion)) return 0;
  switch (criterion.param->type) {
    case SearchParamType::kReference: return 1;
    case SearchParamType::kToken: {
      const bool all_qualified =
          std::all_of(criterion.any_of.begin(), criterion.any_of.end(), [](const SearchValue& v) {
            return v.has_system && !v.system.empty() && !v.code.empty();
          });
      return all_qualified ? 2 : 4;
    }
    case SearchParamType::kString: return criterion.modifier == "exact" ? 3 : 5;
    case SearchParamType::kUri: return 3;
    case SearchParamType::kNumber:
    case SearchParamType::kQuantity: return 6;
    case SearchParamType::kDate: return 7;
  }
  return std::nullopt;
}

// The distinct resource rows matching a criterion, from its value index.
SqlFragment DriverSubquery(const std::string& type, const SearchCriterion& criterion,
                           int64_t now_millis) {
  if (IsId(criterion)) {
    SqlFragment ids{"SELECT seq FROM resources WHERE type = ? AND id IN (", {type}};
    for (size_t i = 0; i < criterion.any_of.size(); ++i) {
      ids.sql += i == 0 ? "?" : ", ?";
      ids.params.emplace_back(criterion.any_of[i].code);
    }
    ids.sql += ")";
    return ids;
  }
  SqlFragment driver{std::string("SELECT DISTINCT i.seq AS seq FROM ") +
                         IndexTable(criterion.param->type) +
                         " i WHERE i.type = ? AND i.param = ? AND ",
                     {type, criterion.param->code}};
  Append(&driver, AnyValueCondition(criterion, now_millis));
  return driver;
}

SqlFragment AfterCursor(const SearchCursor& cursor) {
  switch (cursor.sort) {
    case fhir::SortOrder::kInsertion: return {"r.seq > ?", {cursor.seq}};
    case fhir::SortOrder::kLastUpdatedAscending:
      return {"(r.last_updated > ? OR (r.last_updated = ? AND r.seq > ?))",
              {cursor.last_updated, cursor.last_updated, cursor.seq}};
    case fhir::SortOrder::kLastUpdatedDescending:
      return {"(r.last_updated < ? OR (r.last_updated = ? AND r.seq < ?))",
              {cursor.last_updated, cursor.last_updated, cursor.seq}};
  }
  return {"1", {}};
}

const char* OrderBy(fhir::SortOrder sort) {
  switch (sort) {
    case fhir::SortOrder::kInsertion: return " ORDER BY r.seq";
    case fhir::SortOrder::kLastUpdatedAscending: return " ORDER BY r.last_updated, r.seq";
    case fhir::SortOrder::kLastUpdatedDescending:
      return " ORDER BY r.last_updated DESC, r.seq DESC";
  }
  return "";
}

char SortTag(fhir::SortOrder sort) {
  switch (sort) {
    case fhir::SortOrder::kInsertion: return 's';
    case fhir::SortOrder::kLastUpdatedAscending: return 'a';
    case fhir::SortOrder::kLastUpdatedDescending: return 'd';
  }
  return 's';
}

}  // namespace

std::string EncodeSearchCursor(const SearchCursor& cursor) {
  std::string text = "1";
  text.push_back(SortTag(cursor.sort));
  text += std::to_string(cursor.seq);
  if (cursor.sort != fhir::SortOrder::kInsertion) text += "@" + cursor.last_updated;
  return fhir::Base64UrlEncode(text);
}

StatusOr<SearchCursor> DecodeSearchCursor(std::string_view text, fhir::SortOrder sort) {
  const Status invalid =
      InvalidArgumentError("search parameter \"_cursor\": \"" + std::string(text.substr(0, 80)) +
                           "\" is not a cursor of this search");
  std::string decoded = fhir::Base64UrlDecode(text).value_or("");
  if (decoded.size() < 3 || decoded[0] != '1' || decoded[1] != SortTag(sort)) {
    return invalid;
  }
  SearchCursor cursor;
  cursor.sort = sort;
  const size_t at = decoded.find('@');
  const std::string seq = decoded.substr(2, at == std::string::npos ? std::string::npos : at - 2);
  if (seq.empty() || seq.size() > 18 || seq.find_first_not_of("0123456789") != std::string::npos) {
    return invalid;
  }
  cursor.seq = std::stoll(seq);
  if (sort != fhir::SortOrder::kInsertion) {
    if (at == std::string::npos) return invalid;
    cursor.last_updated = decoded.substr(at + 1);
    if (!fhir::ParseInstantMillis(cursor.last_updated).ok()) return invalid;
  } else if (at != std::string::npos) {
    return invalid;
  }
  return cursor;
}

std::string EncodeHistoryCursor(int64_t history_seq) {
  return fhir::Base64UrlEncode("1h" + std::to_string(history_seq));
}

StatusOr<int64_t> DecodeHistoryCursor(std::string_view text) {
  std::string decoded = fhir::Base64UrlDecode(text).value_or("");
  if (decoded.size() < 3 || decoded.size() > 20 || decoded.compare(0, 2, "1h") != 0 ||
      decoded.find_first_not_of("0123456789", 2) != std::string::npos) {
    return InvalidArgumentError("history parameter \"_cursor\": \"" +
                                std::string(text.substr(0, 80)) +
                                "\" is not a cursor of this history");
  }
  return std::stoll(decoded.substr(2));
}

SearchSql BuildSearchSql(const fhir::SearchQuery& query, const std::optional<SearchCursor>& after,
                         int limit, int64_t now_millis) {
  // The most selective criterion drives the query through its value index; the others filter
  // the candidate rows through their (seq, param) index.
  std::optional<size_t> driver;
  int best_rank = 0;
  for (size_t i = 0; i < query.all_of.size(); ++i) {
    const std::optional<int> rank = DriverRank(query.all_of[i]);
    if (rank && (!driver || *rank < best_rank)) {
      driver = i;
      best_rank = *rank;
    }
  }
  SqlFragment from;
  if (driver) {
    from.sql = " FROM (";
    Append(&from, DriverSubquery(query.resource_type, query.all_of[*driver], now_millis));
    from.sql += ") d CROSS JOIN resources r WHERE r.seq = d.seq AND ";
  } else {
    from.sql = " FROM resources r WHERE ";
  }
  SqlFragment where{"r.type = ? AND r.deleted = 0", {query.resource_type}};
  for (size_t i = 0; i < query.all_of.size(); ++i) {
    if (driver && i == *driver) continue;
    where.sql += " AND ";
    Append(&where, CriterionFilter(query.all_of[i], now_millis));
  }

  SearchSql sql;
  sql.count.sql = "SELECT COUNT(*)";
  Append(&sql.count, from);
  Append(&sql.count, where);

  sql.page.sql = std::string("SELECT ") + kResourceColumns;
  Append(&sql.page, from);
  Append(&sql.page, where);
  if (after) {
    sql.page.sql += " AND ";
    Append(&sql.page, AfterCursor(*after));
  }
  sql.page.sql += OrderBy(query.sort);
  sql.page.sql += " LIMIT ?";
  sql.page.params.emplace_back(static_cast<int64_t>(limit));
  return sql;
}

}  // namespace duet::gateway
