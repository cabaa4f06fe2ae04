#include "gateway/practice_api/practice_queries.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <vector>

#include "fhir/search/search_query.h"
#include "gateway/workflow/workflow_support.h"
#include "mappings/code_tables.h"
#include "mappings/mapper_support.h"
#include "mappings/nps_response_mapper.h"
#include "mappings/resource_set.h"

namespace duet::gateway {
namespace {

using fhir::Json;

// The FHIR Task statuses each native referral status is read from (referral_mapper.cc).
const std::map<std::string, std::string>& TaskStatusesByNativeStatus() {
  static const auto* statuses = new std::map<std::string, std::string>{
      {"received", "requested,received,ready"},
      {"accepted", "accepted"},
      {"scheduled", "accepted"},
      {"in_progress", "in-progress"},
      {"completed", "completed"},
      {"declined", "rejected"},
      {"cancelled", "cancelled"},
  };
  return *statuses;
}

std::string Join(const std::vector<std::string>& names) {
  std::string joined;
  for (const std::string& name : names) joined += (joined.empty() ? "" : ", ") + name;
  return joined;
}

// The score a QuestionnaireResponse gives to the NPS question, or -1.
int NpsScore(const Json& response) {
  const Json* items = response.Find("item");
  if (items == nullptr || !items->is_array()) return -1;
  for (const Json& item : items->items()) {
    if (item.StringOr("linkId") != "score") continue;
    const Json* answers = item.Find("answer");
    if (answers == nullptr || !answers->is_array() || answers->items().empty()) return -1;
    const Json* value = answers->items().front().Find("valueInteger");
    if (value == nullptr || !value->is_number()) return -1;
    return std::atoi(value->number_text().c_str());
  }
  return -1;
}

}  // namespace

StatusOr<Json> PracticeQueries::Referrals(const std::string& status,
                                          const std::string& direction) const {
  auto statuses = TaskStatusesByNativeStatus().find(status);
  if (statuses == TaskStatusesByNativeStatus().end()) {
    std::vector<std::string> known;
    for (const auto& [name, unused] : TaskStatusesByNativeStatus()) known.push_back(name);
    return InvalidArgumentError("status: '" + status + "' is not a referral status; use one of " +
                                Join(known));
  }
  if (!direction.empty() && direction != "inbound" && direction != "outbound") {
    return InvalidArgumentError("direction: '" + direction + "' must be inbound or outbound");
  }
  DUET_ASSIGN_OR_RETURN(
      std::vector<StoredResource> tasks,
      SearchAllInStore(store_, "Task",
                       {{"code", std::string(mappings::kTaskCodeSystem) + "|fulfill"},
                        {"status", statuses->second}}));
  std::string_view system = mappings::SystemFor(loader_.context(), mappings::kinds::kReferral);
  std::vector<Json> referrals;
  Json problems = Json::MakeArray();
  for (const StoredResource& stored : tasks) {
    DUET_ASSIGN_OR_RETURN(Json task, ParseStored(stored));
    const Json* focus = task.Find("focus");
    LiteralReference reference;
    if (focus == nullptr || !ParseLiteralReference(focus->StringOr("reference"), &reference) ||
        reference.type != "ServiceRequest") {
      continue;
    }
    auto request = store_.Read("ServiceRequest", reference.id);
    if (!request.ok() || request->deleted) continue;
    DUET_ASSIGN_OR_RETURN(Json request_json, ParseStored(*request));
    std::optional<std::string> id = mappings::IdentifierValue(request_json, system);
    if (!id) continue;
    auto record = loader_.Load("referral", *id);
    if (!record.ok()) {
      Json problem = Json::MakeObject();
      problem.Set("fhir", Json::String("ServiceRequest/" + reference.id));
      problem.Set("id", Json::String(*id));
      problem.Set("message", Json::String(record.status().message()));
      problems.Append(std::move(problem));
      continue;
    }
    if (record->StringOr("status") != status) continue;
    if (!direction.empty() && record->StringOr("direction") != direction) continue;
    referrals.push_back(std::move(*record));
  }
  std::stable_sort(referrals.begin(), referrals.end(), [](const Json& a, const Json& b) {
    return a.StringOr("ordered_on") < b.StringOr("ordered_on");
  });
  Json list = Json::MakeArray();
  for (Json& referral : referrals) list.Append(std::move(referral));
  Json result = Json::MakeObject();
  result.Set("status", Json::String(status));
  if (!direction.empty()) result.Set("direction", Json::String(direction));
  result.Set("count", Json::Integer(static_cast<long long>(list.items().size())));
  result.Set("referrals", std::move(list));
  result.Set("problems", std::move(problems));
  return result;
}

StatusOr<Json> PracticeQueries::NpsSummary(const std::string& from, const std::string& to) const {
  SearchParams params;
  if (!from.empty()) params.emplace_back("authored", "ge" + from);
  if (!to.empty()) params.emplace_back("authored", "le" + to);
  if (params.empty()) params.emplace_back("_lastUpdated", "ge0001-01-01");
  auto found = SearchAllInStore(store_, "QuestionnaireResponse", params);
  if (!found.ok()) {
    return InvalidArgumentError("from/to: " + found.status().message() +
                                " (give dates as YYYY-MM-DD)");
  }
  long long promoters = 0, passives = 0, detractors = 0;
  for (const StoredResource& stored : *found) {
    DUET_ASSIGN_OR_RETURN(Json response, ParseStored(stored));
    if (response.StringOr("questionnaire") != mappings::kNpsQuestionnaireUrl) continue;
    int score = NpsScore(response);
    if (score < 0) continue;
    if (score >= 9) {
      ++promoters;
    } else if (score >= 7) {
      ++passives;
    } else {
      ++detractors;
    }
  }
  long long responses = promoters + passives + detractors;
  Json result = Json::MakeObject();
  result.Set("from", from.empty() ? Json() : Json::String(from));
  result.Set("to", to.empty() ? Json() : Json::String(to));
  result.Set("responses", Json::Integer(responses));
  result.Set("promoters", Json::Integer(promoters));
  result.Set("passives", Json::Integer(passives));
  result.Set("detractors", Json::Integer(detractors));
  if (responses == 0) {
    result.Set("nps", Json());
  } else {
    double score =
        100.0 * static_cast<double>(promoters - detractors) / static_cast<double>(responses);
    char text[32];
    std::snprintf(text, sizeof text, "%.1f", std::round(score * 10.0) / 10.0);
    result.Set("nps", Json::Number(std::string(text) == "-0.0" ? "0.0" : text));
  }
  return result;
}

}  // namespace duet::gateway
