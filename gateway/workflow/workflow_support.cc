#include "gateway/workflow/workflow_support.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <deque>
#include <set>

#include "fhir/search/search_query.h"

namespace duet::gateway {

StatusOr<std::vector<StoredResource>> SearchInTransaction(WriteTransaction& tx,
                                                          const std::string& type,
                                                          const SearchParams& params) {
  fhir::SearchParseOptions options;
  options.strict = true;
  options.max_count = 1000;
  DUET_ASSIGN_OR_RETURN(fhir::SearchQuery query, fhir::ParseSearchQuery(type, params, options));
  query.count = 1000;
  DUET_ASSIGN_OR_RETURN(SearchResult found, tx.Search(query));
  return std::move(found.matches);
}

StatusOr<std::vector<StoredResource>> SearchAllInStore(ResourceStore& store,
                                                       const std::string& type,
                                                       const SearchParams& params) {
  fhir::SearchParseOptions options;
  options.max_count = 1000;
  DUET_ASSIGN_OR_RETURN(fhir::SearchQuery query, fhir::ParseSearchQuery(type, params, options));
  query.count = 1000;
  std::vector<StoredResource> all;
  while (true) {
    DUET_ASSIGN_OR_RETURN(SearchResult page, store.Search(query));
    for (StoredResource& match : page.matches) all.push_back(std::move(match));
    if (page.next_cursor.empty()) return all;
    query.cursor = page.next_cursor;
  }
}

StatusOr<fhir::Json> ParseStored(const StoredResource& stored) {
  auto parsed = fhir::ParseJson(stored.json);
  if (!parsed.ok()) {
    return InternalError("stored " + stored.type + "/" + stored.id +
                         " is not valid JSON: " + parsed.status().message());
  }
  return parsed;
}

bool ParseLiteralReference(std::string_view reference, LiteralReference* out) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= reference.size()) {
    size_t slash = reference.find('/', start);
    if (slash == std::string_view::npos) slash = reference.size();
    parts.push_back(reference.substr(start, slash - start));
    start = slash + 1;
  }
  if (parts.size() >= 4 && parts[parts.size() - 2] == "_history") {
    const std::string_view version = parts.back();
    if (version.empty() || version.find_first_not_of("0123456789") != std::string_view::npos) {
      return false;
    }
    out->version = std::stoll(std::string(version));
    parts.resize(parts.size() - 2);
  } else {
    out->version = 0;
  }
  if (parts.size() < 2 || parts[parts.size() - 1].empty() || parts[parts.size() - 2].empty()) {
    return false;
  }
  out->type = std::string(parts[parts.size() - 2]);
  out->id = std::string(parts[parts.size() - 1]);
  return reference.find('?') == std::string_view::npos && out->type[0] >= 'A' &&
         out->type[0] <= 'Z';
}

void CollectLiteralReferences(const fhir::Json& value, std::vector<LiteralReference>* out) {
  if (value.is_array()) {
    for (const fhir::Json& item : value.items()) CollectLiteralReferences(item, out);
    return;
  }
  if (!value.is_object()) return;
  for (const auto& [key, member] : value.members()) {
    if (key == "reference" && member.is_string()) {
      LiteralReference reference;
      if (ParseLiteralReference(member.string_value(), &reference)) out->push_back(reference);
    } else {
      CollectLiteralReferences(member, out);
    }
  }
}

StatusOr<std::vector<ReachedResource>> WalkReferences(
    ResourceStore& store, std::vector<std::pair<StoredResource, int>> start, int max_depth,
    size_t max_resources,
    const std::function<StatusOr<std::vector<StoredResource>>(const fhir::Json&)>& more) {
  std::vector<ReachedResource> reached;
  std::set<std::string> seen;
  std::deque<std::pair<StoredResource, int>> queue;
  auto enqueue = [&](StoredResource stored, int depth) {
    if (stored.deleted || !seen.insert(stored.type + "/" + stored.id).second) return;
    queue.emplace_back(std::move(stored), depth);
  };
  for (auto& [stored, depth] : start) enqueue(std::move(stored), depth);
  while (!queue.empty() && reached.size() < max_resources) {
    auto [stored, depth] = std::move(queue.front());
    queue.pop_front();
    DUET_ASSIGN_OR_RETURN(fhir::Json json, ParseStored(stored));
    if (depth < max_depth) {
      std::vector<LiteralReference> references;
      CollectLiteralReferences(json, &references);
      for (const LiteralReference& reference : references) {
        if (seen.count(reference.type + "/" + reference.id) != 0) continue;
        auto target = store.Read(reference.type, reference.id);
        if (target.ok()) enqueue(std::move(*target), depth + 1);
      }
      if (more) {
        DUET_ASSIGN_OR_RETURN(std::vector<StoredResource> extra, more(json));
        for (StoredResource& resource : extra) enqueue(std::move(resource), depth + 1);
      }
    }
    reached.push_back({std::move(stored), std::move(json), depth});
  }
  return reached;
}

namespace {
std::tm UtcNow(long long* millis) {
  auto now = std::chrono::system_clock::now();
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  *millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return utc;
}
}  // namespace

std::string TodayUtc() {
  long long millis = 0;
  std::tm utc = UtcNow(&millis);
  char text[16];
  std::strftime(text, sizeof text, "%Y-%m-%d", &utc);
  return text;
}

std::string NowInstantUtc() {
  long long millis = 0;
  std::tm utc = UtcNow(&millis);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  char result[40];
  std::snprintf(result, sizeof result, "%s.%03lldZ", text, millis);
  return result;
}

}  // namespace duet::gateway
