// Search semantics of the SQLite store: each parameter type, prefix and modifier, sorting,
// keyset pagination while resources are added, and _include/_revinclude.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "gateway/store/sqlite_resource_store.h"
#include "tests/gateway/store/store_test_util.h"

namespace duet::gateway {
namespace {

using testing::ManualClock;
using testing::MustOpen;
using testing::MustParseJson;
using testing::MustQuery;
using testing::TempDir;
using Params = std::vector<std::pair<std::string, std::string>>;

class SqliteSearchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SqliteResourceStore::Options options;
    options.clock = clock_.AsFunction();
    store_ = MustOpen(dir_.File("search.db"), options);
    ASSERT_NE(store_, nullptr);
  }

  void Put(const std::string& type, const std::string& id, const std::string& json) {
    auto tx = std::move(store_->BeginWrite()).value();
    StatusOr<StoredResource> stored = tx->Update(type, id, MustParseJson(json), std::nullopt);
    ASSERT_TRUE(stored.ok()) << stored.status().ToString();
    ASSERT_TRUE(tx->Commit().ok());
    clock_.now->fetch_add(1000);
  }

  void Remove(const std::string& type, const std::string& id) {
    auto tx = std::move(store_->BeginWrite()).value();
    ASSERT_TRUE(tx->Delete(type, id, std::nullopt).ok());
    ASSERT_TRUE(tx->Commit().ok());
  }

  // The ids of the matches (all pages), in order.
  std::vector<std::string> Ids(const std::string& type, const Params& params) {
    StatusOr<SearchResult> result = store_->Search(MustQuery(type, params));
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    std::vector<std::string> ids;
    if (!result.ok()) return ids;
    for (const StoredResource& match : result->matches) ids.push_back(match.id);
    EXPECT_EQ(result->total.value_or(-1), static_cast<int64_t>(ids.size()));
    return ids;
  }

  void AddPatients() {
    Put("Patient", "p1", R"({"resourceType":"Patient","gender":"female",
        "name":[{"family":"Müller","given":["Érika"]}],"birthDate":"1980-05-17",
        "identifier":[{"system":"urn:mrn","value":"100"}],"active":true})");
    Put("Patient", "p2", R"({"resourceType":"Patient","gender":"male",
        "name":[{"family":"Muller","given":["Hans"]}],"birthDate":"1980",
        "identifier":[{"system":"urn:other","value":"100"}]})");
    Put("Patient", "p3", R"({"resourceType":"Patient","gender":"female",
        "name":[{"family":"Smith","given":["Anna"]}],"birthDate":"1992-11-02T10:00:00Z",
        "identifier":[{"system":"urn:mrn","value":"300"}]})");
    Put("Patient", "p4", R"({"resourceType":"Patient","name":[{"text":"Ann Smithson"}]})");
  }

  TempDir dir_;
  ManualClock clock_;
  std::unique_ptr<SqliteResourceStore> store_;
};

using IdList = std::vector<std::string>;

TEST_F(SqliteSearchTest, Tokens) {
  AddPatients();
  EXPECT_EQ(Ids("Patient", {{"gender", "female"}}), (IdList{"p1", "p3"}));
  EXPECT_EQ(Ids("Patient", {{"gender", "female,male"}}), (IdList{"p1", "p2", "p3"}));
  EXPECT_EQ(Ids("Patient", {{"identifier", "100"}}), (IdList{"p1", "p2"}));
  EXPECT_EQ(Ids("Patient", {{"identifier", "urn:mrn|100"}}), (IdList{"p1"}));
  EXPECT_EQ(Ids("Patient", {{"identifier", "urn:mrn|"}}), (IdList{"p1", "p3"}));
  EXPECT_EQ(Ids("Patient", {{"identifier", "|100"}}), IdList{});
  EXPECT_EQ(Ids("Patient", {{"gender:not", "female"}}), (IdList{"p2", "p4"}));
  EXPECT_EQ(Ids("Patient", {{"active", "true"}}), (IdList{"p1"}));
  EXPECT_EQ(Ids("Patient", {{"gender:missing", "true"}}), (IdList{"p4"}));
  EXPECT_EQ(Ids("Patient", {{"gender:missing", "false"}}), (IdList{"p1", "p2", "p3"}));
  EXPECT_EQ(Ids("Patient", {{"_id", "p2,p3"}}), (IdList{"p2", "p3"}));
  EXPECT_EQ(Ids("Patient", {{"_id:not", "p2"}}), (IdList{"p1", "p3", "p4"}));
  // AND across parameters.
  EXPECT_EQ(Ids("Patient", {{"gender", "female"}, {"identifier", "urn:mrn|300"}}), (IdList{"p3"}));
}

TEST_F(SqliteSearchTest, Strings) {
  AddPatients();
  EXPECT_EQ(Ids("Patient", {{"family", "mul"}}), (IdList{"p1", "p2"}));  // accent-insensitive
  EXPECT_EQ(Ids("Patient", {{"family", "MÜLLER"}}), (IdList{"p1", "p2"}));
  EXPECT_EQ(Ids("Patient", {{"family:exact", "Müller"}}), (IdList{"p1"}));
  EXPECT_EQ(Ids("Patient", {{"family:exact", "müller"}}), IdList{});
  EXPECT_EQ(Ids("Patient", {{"given", "erik"}}), (IdList{"p1"}));
  // Starts-with applies to each value as a whole: "Ann Smithson" does not start with "smith".
  EXPECT_EQ(Ids("Patient", {{"name", "smith"}}), (IdList{"p3"}));
  EXPECT_EQ(Ids("Patient", {{"name", "ann"}}), (IdList{"p3", "p4"}));
  EXPECT_EQ(Ids("Patient", {{"name:contains", "ITHS"}}), (IdList{"p4"}));
  EXPECT_EQ(Ids("Patient", {{"name:contains", "%"}}), IdList{});
  EXPECT_EQ(Ids("Patient", {{"name", "anna,hans"}}), (IdList{"p2", "p3"}));
}

TEST_F(SqliteSearchTest, DatesWithEveryPrefix) {
  AddPatients();
  // p1 1980-05-17, p2 the whole of 1980, p3 1992-11-02T10:00:00Z.
  EXPECT_EQ(Ids("Patient", {{"birthdate", "1980"}}), (IdList{"p1", "p2"}));
  EXPECT_EQ(Ids("Patient", {{"birthdate", "1980-05"}}), (IdList{"p1"}));
  EXPECT_EQ(Ids("Patient", {{"birthdate", "eq1980-05-17"}}), (IdList{"p1"}));
  EXPECT_EQ(Ids("Patient", {{"birthdate", "ne1980"}}), (IdList{"p3"}));
  EXPECT_EQ(Ids("Patient", {{"birthdate", "gt1980-05-17"}}), (IdList{"p2", "p3"}));
  EXPECT_EQ(Ids("Patient", {{"birthdate", "lt1980-05-17"}}), (IdList{"p2"}));
  EXPECT_EQ(Ids("Patient", {{"birthdate", "ge1980-05-17"}}), (IdList{"p1", "p2", "p3"}));
  EXPECT_EQ(Ids("Patient", {{"birthdate", "le1980-05-17"}}), (IdList{"p1", "p2"}));
  EXPECT_EQ(Ids("Patient", {{"birthdate", "sa1981"}}), (IdList{"p3"}));
  EXPECT_EQ(Ids("Patient", {{"birthdate", "eb1990"}}), (IdList{"p1", "p2"}));
  EXPECT_EQ(Ids("Patient", {{"birthdate", "ap1992-11-01"}}), (IdList{"p3"}));
  EXPECT_EQ(Ids("Patient", {{"birthdate", "1992-11-02T12:00:00+02:00"}}), (IdList{"p3"}));
  EXPECT_EQ(Ids("Patient", {{"birthdate", "ge1980-01-01"}, {"birthdate", "lt1981"}}),
            (IdList{"p1", "p2"}));
}

TEST_F(SqliteSearchTest, PeriodsOpenEndedAndLastUpdated) {
  Put("CarePlan", "open", R"({"resourceType":"CarePlan","status":"active","intent":"plan",
      "subject":{"reference":"Patient/p1"},"period":{"start":"2024-01-10"}})");
  Put("CarePlan", "closed", R"({"resourceType":"CarePlan","status":"active","intent":"plan",
      "subject":{"reference":"Patient/p1"},"period":{"start":"2023-01-01","end":"2023-03-31"}})");
  EXPECT_EQ(Ids("CarePlan", {{"date", "gt2030"}}), (IdList{"open"}));
  EXPECT_EQ(Ids("CarePlan", {{"date", "lt2023-02"}}), (IdList{"closed"}));
  EXPECT_EQ(Ids("CarePlan", {{"date", "2023"}}), (IdList{"closed"}));
  // Created one second apart from 2023-11-14T22:13:20Z.
  EXPECT_EQ(Ids("CarePlan", {{"_lastUpdated", "ge2023-11-14T22:13:21Z"}}), (IdList{"closed"}));
  EXPECT_EQ(Ids("CarePlan", {{"_lastUpdated", "lt2023-11-14T22:13:21Z"}}), (IdList{"open"}));
  EXPECT_EQ(Ids("CarePlan", {{"_lastUpdated", "2023-11-14"}}), (IdList{"open", "closed"}));
  EXPECT_EQ(Ids("CarePlan", {{"_lastUpdated", "2023-11-14T22:13:20Z"}}), (IdList{"open"}));
}

TEST_F(SqliteSearchTest, ReferencesInAllForms) {
  Put("CarePlan", "c1", R"({"resourceType":"CarePlan","status":"active","intent":"plan",
      "subject":{"reference":"Patient/p1"},"goal":[{"reference":"Goal/g1"}]})");
  Put("CarePlan", "c2", R"({"resourceType":"CarePlan","status":"draft","intent":"plan",
      "subject":{"reference":"https://ehr.example/fhir/Patient/p2"}})");
  Put("CarePlan", "c3", R"({"resourceType":"CarePlan","status":"active","intent":"plan",
      "subject":{"reference":"Group/p1"}})");
  EXPECT_EQ(Ids("CarePlan", {{"patient", "p1"}}), (IdList{"c1"}));
  EXPECT_EQ(Ids("CarePlan", {{"patient", "Patient/p1"}}), (IdList{"c1"}));
  EXPECT_EQ(Ids("CarePlan", {{"subject", "p1"}}), (IdList{"c1", "c3"}));
  EXPECT_EQ(Ids("CarePlan", {{"subject:Group", "p1"}}), (IdList{"c3"}));
  EXPECT_EQ(Ids("CarePlan", {{"subject", "http://any.host/fhir/Patient/p2"}}), (IdList{"c2"}));
  EXPECT_EQ(Ids("CarePlan", {{"patient", "p1,p2"}, {"status", "active"}}), (IdList{"c1"}));
  EXPECT_EQ(Ids("CarePlan", {{"goal:missing", "true"}}), (IdList{"c2", "c3"}));
}

TEST_F(SqliteSearchTest, NumbersQuantitiesAndUris) {
  Put("Encounter", "e1", R"({"resourceType":"Encounter","status":"finished",
      "class":{"code":"AMB"},"length":{"value":30,"unit":"min","system":"http://unitsofmeasure.org","code":"min"}})");
  Put("Encounter", "e2", R"({"resourceType":"Encounter","status":"finished",
      "class":{"code":"AMB"},"length":{"value":45.5,"unit":"minutes"}})");
  Put("Encounter", "e3", R"({"resourceType":"Encounter","status":"finished",
      "class":{"code":"AMB"},"length":{"value":1,"unit":"h","system":"http://unitsofmeasure.org","code":"h"}})");
  EXPECT_EQ(Ids("Encounter", {{"length", "30"}}), (IdList{"e1"}));
  EXPECT_EQ(Ids("Encounter", {{"length", "30.4"}}), IdList{});
  EXPECT_EQ(Ids("Encounter", {{"length", "gt30"}}), (IdList{"e2"}));
  EXPECT_EQ(Ids("Encounter", {{"length", "ge30"}}), (IdList{"e1", "e2"}));
  EXPECT_EQ(Ids("Encounter", {{"length", "lt30"}}), (IdList{"e3"}));
  EXPECT_EQ(Ids("Encounter", {{"length", "le45.5"}}), (IdList{"e1", "e2", "e3"}));
  EXPECT_EQ(Ids("Encounter", {{"length", "ne30"}}), (IdList{"e2", "e3"}));
  EXPECT_EQ(Ids("Encounter", {{"length", "ap44"}}), (IdList{"e2"}));
  EXPECT_EQ(Ids("Encounter", {{"length", "30|http://unitsofmeasure.org|min"}}), (IdList{"e1"}));
  EXPECT_EQ(Ids("Encounter", {{"length", "30|http://unitsofmeasure.org|h"}}), IdList{});
  EXPECT_EQ(Ids("Encounter", {{"length", "gt0||minutes"}}), (IdList{"e2"}));

  Put("Questionnaire", "q1", R"({"resourceType":"Questionnaire","status":"active",
      "url":"http://example.org/Questionnaire/phq-9"})");
  Put("Questionnaire", "q2", R"({"resourceType":"Questionnaire","status":"active",
      "url":"http://example.org/Questionnaire/gad-7"})");
  EXPECT_EQ(Ids("Questionnaire", {{"url", "http://example.org/Questionnaire/phq-9"}}),
            (IdList{"q1"}));
  EXPECT_EQ(Ids("Questionnaire", {{"url", "http://example.org/Questionnaire"}}), IdList{});
  EXPECT_EQ(Ids("Questionnaire", {{"url:below", "http://example.org/Questionnaire"}}),
            (IdList{"q1", "q2"}));
}

TEST_F(SqliteSearchTest, UpdatesReplaceIndexRowsAndDeletesRemoveThem) {
  Put("Goal", "g1", R"({"resourceType":"Goal","lifecycleStatus":"active",
      "description":{"text":"x"},"subject":{"reference":"Patient/p1"}})");
  EXPECT_EQ(Ids("Goal", {{"lifecycle-status", "active"}}), (IdList{"g1"}));
  Put("Goal", "g1", R"({"resourceType":"Goal","lifecycleStatus":"completed",
      "description":{"text":"x"},"subject":{"reference":"Patient/p2"}})");
  EXPECT_EQ(Ids("Goal", {{"lifecycle-status", "active"}}), IdList{});
  EXPECT_EQ(Ids("Goal", {{"lifecycle-status", "completed"}}), (IdList{"g1"}));
  EXPECT_EQ(Ids("Goal", {{"patient", "p1"}}), IdList{});
  Remove("Goal", "g1");
  EXPECT_EQ(Ids("Goal", {{"lifecycle-status", "completed"}}), IdList{});
  EXPECT_EQ(Ids("Goal", {}), IdList{});
  // A deleted resource is not "missing" a value either: it is not there at all.
  EXPECT_EQ(Ids("Goal", {{"patient:missing", "true"}}), IdList{});
}

TEST_F(SqliteSearchTest, SortAndPagination) {
  for (int i = 0; i < 7; ++i) {
    Put("Goal", "g" + std::to_string(i), R"({"resourceType":"Goal","lifecycleStatus":"active",
        "description":{"text":"x"},"subject":{"reference":"Patient/p1"}})");
  }
  // Updating g2 makes it the most recently updated without changing insertion order.
  Put("Goal", "g2", R"({"resourceType":"Goal","lifecycleStatus":"active",
      "description":{"text":"y"},"subject":{"reference":"Patient/p1"}})");
  EXPECT_EQ(Ids("Goal", {{"_sort", "-_lastUpdated"}})[0], "g2");
  EXPECT_EQ(Ids("Goal", {{"_sort", "_lastUpdated"}}).back(), "g2");
  EXPECT_EQ(Ids("Goal", {})[2], "g2");

  for (const char* sort : {"", "_lastUpdated", "-_lastUpdated"}) {
    Params params = {{"patient", "p1"}, {"_count", "3"}};
    if (*sort) params.emplace_back("_sort", sort);
    fhir::SearchQuery query = MustQuery("Goal", params);
    std::vector<std::string> seen;
    int pages = 0;
    while (true) {
      StatusOr<SearchResult> page = store_->Search(query);
      ASSERT_TRUE(page.ok()) << page.status().ToString();
      EXPECT_EQ(page->total, 7);
      for (const StoredResource& match : page->matches) seen.push_back(match.id);
      ++pages;
      if (page->next_cursor.empty()) break;
      query.cursor = page->next_cursor;
    }
    EXPECT_EQ(pages, 3) << sort;
    EXPECT_EQ(seen.size(), 7u) << sort;
    EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 7u) << sort;
  }
}

TEST_F(SqliteSearchTest, PaginationIsStableWhileResourcesAreAdded) {
  for (int i = 0; i < 10; ++i) {
    Put("Task", "t" + std::to_string(i), R"({"resourceType":"Task","status":"requested",
        "intent":"order","for":{"reference":"Patient/p1"}})");
  }
  const char* const sorts[] = {"", "_lastUpdated", "-_lastUpdated"};
  for (int s = 0; s < 3; ++s) {
    const char* sort = sorts[s];
    Params params = {{"status", "requested"}, {"_count", "4"}};
    if (*sort) params.emplace_back("_sort", sort);
    fhir::SearchQuery query = MustQuery("Task", params);
    std::vector<std::string> seen;
    int added = 0;
    while (true) {
      StatusOr<SearchResult> page = store_->Search(query);
      ASSERT_TRUE(page.ok());
      for (const StoredResource& match : page->matches) seen.push_back(match.id);
      // Another client adds matching tasks between page requests.
      Put("Task", "new-" + std::to_string(s) + "-" + std::to_string(added++),
          R"({"resourceType":"Task","status":"requested","intent":"order"})");
      if (page->next_cursor.empty()) break;
      query.cursor = page->next_cursor;
    }
    std::set<std::string> unique(seen.begin(), seen.end());
    EXPECT_EQ(unique.size(), seen.size()) << "duplicates with sort " << sort;
    for (int i = 0; i < 10; ++i) {
      EXPECT_EQ(unique.count("t" + std::to_string(i)), 1u) << "skipped t" << i << " " << sort;
    }
  }
}

TEST_F(SqliteSearchTest, CountZeroSummaryCountAndBadCursor) {
  AddPatients();
  StatusOr<SearchResult> count =
      store_->Search(MustQuery("Patient", {{"gender", "female"}, {"_summary", "count"}}));
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(count->total, 2);
  EXPECT_TRUE(count->matches.empty());
  StatusOr<SearchResult> zero = store_->Search(MustQuery("Patient", {{"_count", "0"}}));
  ASSERT_TRUE(zero.ok());
  EXPECT_EQ(zero->total, 4);
  EXPECT_TRUE(zero->matches.empty());
  EXPECT_TRUE(zero->next_cursor.empty());

  StatusOr<SearchResult> first = store_->Search(MustQuery("Patient", {{"_count", "1"}}));
  ASSERT_TRUE(first.ok());
  ASSERT_FALSE(first->next_cursor.empty());
  // A cursor of another sort order, or garbage, is rejected naming _cursor.
  fhir::SearchQuery other = MustQuery("Patient", {{"_sort", "_lastUpdated"}});
  other.cursor = first->next_cursor;
  StatusOr<SearchResult> mismatched = store_->Search(other);
  ASSERT_FALSE(mismatched.ok());
  EXPECT_EQ(mismatched.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(mismatched.status().message().find("_cursor"), std::string::npos);
  fhir::SearchQuery garbage = MustQuery("Patient", {});
  garbage.cursor = "%%%";
  EXPECT_EQ(store_->Search(garbage).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(SqliteSearchTest, IncludeAndRevinclude) {
  Put("Patient", "p1", R"({"resourceType":"Patient"})");
  Put("Goal", "g1", R"({"resourceType":"Goal","lifecycleStatus":"active",
      "description":{"text":"walk"},"subject":{"reference":"Patient/p1"}})");
  Put("Goal", "g2", R"({"resourceType":"Goal","lifecycleStatus":"active",
      "description":{"text":"run"},"subject":{"reference":"Patient/p1"}})");
  Put("CareTeam", "t1", R"({"resourceType":"CareTeam","status":"active"})");
  Put("CarePlan", "c1", R"({"resourceType":"CarePlan","status":"active","intent":"plan",
      "subject":{"reference":"Patient/p1"},"goal":[{"reference":"Goal/g1"},
      {"reference":"Goal/g2"}],"careTeam":[{"reference":"CareTeam/t1"}]})");
  Put("CarePlan", "c2", R"({"resourceType":"CarePlan","status":"active","intent":"plan",
      "subject":{"reference":"Patient/p1"},"goal":[{"reference":"Goal/g1"},
      {"reference":"Goal/missing"}]})");
  Put("Provenance", "prov1", R"({"resourceType":"Provenance","recorded":"2024-01-01T00:00:00Z",
      "target":[{"reference":"CarePlan/c1"}],"agent":[{"who":{"reference":"Practitioner/x"}}]})");
  Put("Provenance", "prov2", R"({"resourceType":"Provenance","recorded":"2024-01-01T00:00:00Z",
      "target":[{"reference":"Goal/g1"}],"agent":[{"who":{"reference":"Practitioner/x"}}]})");
  Remove("Goal", "g2");

  StatusOr<SearchResult> result =
      store_->Search(MustQuery("CarePlan", {{"patient", "p1"},
                                            {"_include", "CarePlan:goal"},
                                            {"_include", "CarePlan:care-team"},
                                            {"_include", "CarePlan:subject"},
                                            {"_revinclude", "Provenance:target"}}));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->matches.size(), 2u);
  std::vector<std::string> included;
  for (const StoredResource& r : result->included) included.push_back(r.type + "/" + r.id);
  // g1 once although both plans point at it; deleted g2 and missing goals are left out; the
  // Provenance of g1 is not a revinclude of a CarePlan.
  EXPECT_EQ(included,
            (std::vector<std::string>{"Goal/g1", "CareTeam/t1", "Patient/p1", "Provenance/prov1"}));

  StatusOr<SearchResult> restricted = store_->Search(
      MustQuery("CarePlan", {{"_id", "c1"}, {"_include", "CarePlan:subject:Group"}}));
  ASSERT_TRUE(restricted.ok());
  EXPECT_TRUE(restricted->included.empty());
}

}  // namespace
}  // namespace duet::gateway
