#include "gateway/audit/audit_query.h"

#include <cstdint>
#include <cstdlib>

#include "fhir/search/date_range.h"
#include "gateway/http/http_types.h"

namespace duet::gateway {
namespace {

using fhir::Json;

constexpr int kMaxCount = 1000;

bool IsInteraction(const std::string& code) {
  static const char* const kCodes[] = {"read",         "vread",          "update",
                                       "patch",        "delete",         "create",
                                       "search-type",  "search-system",  "history-instance",
                                       "history-type", "history-system", "batch",
                                       "transaction"};
  for (const char* known : kCodes) {
    if (code == known) return true;
  }
  return false;
}

// A whole number in [min, max], or nullopt.
std::optional<long long> ParseWhole(const std::string& text, long long min, long long max) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  char* end = nullptr;
  long long value = std::strtoll(text.c_str(), &end, 10);
  if (*end != '\0' || value < min || value > max) return std::nullopt;
  return value;
}

// The bound of a FHIR date/dateTime/instant: its first instant (since) or the one after it
// (until: "2026-11-27" means up to the end of that day).
std::optional<int64_t> ParseBound(const std::string& text, bool upper) {
  auto range = fhir::ParseDateRange(text);
  if (!range.ok()) return std::nullopt;
  auto millis = fhir::ParseInstantMillis(upper ? range->high : range->low);
  if (!millis.ok()) return std::nullopt;
  return *millis;
}

std::string Reference(const Json* holder) {
  const Json* what = holder == nullptr ? nullptr : holder->Find("what");
  return what == nullptr ? "" : std::string(what->StringOr("reference"));
}

}  // namespace

AuditQuery ParseAuditQuery(const std::vector<std::pair<std::string, std::string>>& params,
                           std::vector<AuditQueryProblem>* problems) {
  AuditQuery query;
  auto problem = [&](const std::string& name, const std::string& message) {
    problems->push_back({name, message});
  };
  for (const auto& [name, value] : params) {
    if (name == "patient") {
      query.patient = value.rfind("Patient/", 0) == 0 ? value.substr(8) : value;
      if (query.patient.empty()) problem(name, "give a patient id");
    } else if (name == "client") {
      query.client = value;
      if (value.empty()) problem(name, "give a client id");
    } else if (name == "since" || name == "until") {
      auto bound = ParseBound(value, name == "until");
      if (!bound) {
        problem(name, "'" + value + "' is not a FHIR date, dateTime or instant");
      } else if (name == "since") {
        query.since_ms = *bound;
      } else {
        query.until_ms = *bound;
      }
    } else if (name == "interaction") {
      query.interaction = value;
      if (!IsInteraction(value)) {
        problem(name, "'" + value +
                          "' is not a restful-interaction code (read, vread, create, "
                          "update, patch, delete, search-type, search-system, history-instance, "
                          "history-type, history-system, batch, transaction)");
      }
    } else if (name == "outcome") {
      auto outcome = ParseWhole(value, 0, 12);
      if (!outcome || *outcome % 4 != 0) {
        problem(name, "'" + value + "' is not an AuditEvent outcome (0, 4, 8 or 12)");
      } else {
        query.outcome = static_cast<int>(*outcome);
      }
    } else if (name == "_count") {
      auto count = ParseWhole(value, 1, kMaxCount);
      if (!count) {
        problem(name,
                "'" + value + "' is not a whole number from 1 to " + std::to_string(kMaxCount));
      } else {
        query.count = static_cast<int>(*count);
      }
    } else if (name == "_cursor") {
      auto cursor = ParseWhole(value, 1, INT64_MAX / 2);
      if (!cursor) {
        problem(name, "'" + value + "' is not a cursor from a next link");
      } else {
        query.cursor = *cursor;
      }
    } else {
      problem(name,
              "unknown parameter; use patient, client, since, until, interaction, "
              "outcome, _count");
    }
  }
  return query;
}

Json AuditBundle(const AuditPage& page,
                 const std::vector<std::pair<std::string, std::string>>& params,
                 const std::string& self_url) {
  std::string query;
  for (const auto& [name, value] : params) {
    if (name == "_cursor") continue;
    query += (query.empty() ? "?" : "&") + PercentEncode(name) + "=" + PercentEncode(value);
  }
  Json bundle = Json::MakeObject();
  bundle.Set("resourceType", Json::String("Bundle"));
  bundle.Set("type", Json::String("searchset"));
  bundle.Set("total", Json::Integer(page.total));
  Json links = Json::MakeArray();
  auto link = [&](const char* relation, const std::string& url) {
    Json item = Json::MakeObject();
    item.Set("relation", Json::String(relation));
    item.Set("url", Json::String(url));
    links.Append(std::move(item));
  };
  link("self", self_url + query);
  if (page.next_cursor != 0) {
    link("next", self_url + query + (query.empty() ? "?" : "&") +
                     "_cursor=" + std::to_string(page.next_cursor));
  }
  bundle.Set("link", std::move(links));
  Json entries = Json::MakeArray();
  for (const std::string& text : page.events) {
    auto event = fhir::ParseJson(text);
    if (!event.ok()) continue;
    Json entry = Json::MakeObject();
    entry.Set("fullUrl", Json::String("urn:duet:audit:" + std::string(event->StringOr("id"))));
    entry.Set("resource", std::move(*event));
    Json search = Json::MakeObject();
    search.Set("mode", Json::String("match"));
    entry.Set("search", std::move(search));
    entries.Append(std::move(entry));
  }
  if (!entries.items().empty()) bundle.Set("entry", std::move(entries));
  return bundle;
}

std::string AuditLine(const Json& event) {
  std::string line(event.StringOr("recorded"));
  if (const Json* subtype = event.Find("subtype");
      subtype != nullptr && subtype->is_array() && !subtype->items().empty()) {
    line += " " + std::string(subtype->items().front().StringOr("code"));
  }
  line += " outcome=" + std::string(event.StringOr("outcome"));
  if (const Json* agents = event.Find("agent");
      agents != nullptr && agents->is_array() && !agents->items().empty()) {
    const Json& agent = agents->items().front();
    line += " client=" + std::string(agent.StringOr("altId"));
    const Json* who = agent.Find("who");
    const Json* identifier = who == nullptr ? nullptr : who->Find("identifier");
    if (identifier != nullptr) line += " org=" + std::string(identifier->StringOr("value"));
    for (const Json& any : agents->items()) {
      if (const Json* network = any.Find("network")) {
        line += " from=" + std::string(network->StringOr("address"));
        break;
      }
    }
  }
  std::string entities;
  if (const Json* list = event.Find("entity"); list != nullptr && list->is_array()) {
    for (const Json& entity : list->items()) {
      std::string reference = Reference(&entity);
      if (!reference.empty()) entities += (entities.empty() ? "" : ",") + reference;
    }
  }
  if (!entities.empty()) line += " entities=" + entities;
  line += " id=" + std::string(event.StringOr("id"));
  return line;
}

}  // namespace duet::gateway
