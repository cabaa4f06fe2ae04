#include "gateway/auth/partner_visible_store.h"

#include <gtest/gtest.h>

#include "fhir/json.h"
#include "fhir/search/search_query.h"
#include "gateway/auth/partner_scope.h"
#include "tests/gateway/auth/two_partners_fixture.h"

namespace duet::gateway {
namespace {

// The store of two partners' patients, seen by East Valley (Maria's physician's practice).
class PartnerVisibleStoreTest : public testing::TwoPartnersFixture {
 protected:
  void SetUp() override {
    TwoPartnersFixture::SetUp();
    maria_ = maria_id_;
    slp_ = slp_id_;
    visible_ = std::make_unique<PartnerVisibleStore>(*store_);
    auto access = PatientAccess::ForOrganization(*store_, kEvimNpi);
    ASSERT_TRUE(access.ok()) << access.status().ToString();
    access_ = *access;
  }
  fhir::SearchQuery Query(const std::string& type,
                          std::vector<std::pair<std::string, std::string>> params) {
    auto query = fhir::ParseSearchQuery(type, params);
    EXPECT_TRUE(query.ok()) << query.status().ToString();
    return query.ok() ? *query : fhir::SearchQuery{};
  }

  std::unique_ptr<PartnerVisibleStore> visible_;
  std::shared_ptr<PatientAccess> access_;
  std::string maria_, slp_;
};

TEST_F(PartnerVisibleStoreTest, OutsideAScopeEverythingPassesThrough) {
  EXPECT_TRUE(visible_->Read("Patient", slp_).ok());
  auto all = visible_->Search(Query("Patient", {}));
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->matches.size(), 2u);
}

TEST_F(PartnerVisibleStoreTest, InAScopeWhatIsNotSharedIsMissingEverywhere) {
  PartnerScope scope(access_.get());
  EXPECT_TRUE(visible_->Read("Patient", maria_).ok());
  auto hidden = visible_->Read("Patient", slp_);
  EXPECT_EQ(hidden.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(hidden.status().message(), "Patient/" + slp_ + " does not exist");
  EXPECT_EQ(visible_->ReadVersion("Patient", slp_, 1).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(visible_->History({"Patient", slp_, "", 50, ""}).status().code(),
            StatusCode::kNotFound);

  auto found = visible_->Search(Query("Patient", {}));
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->matches.size(), 1u);
  EXPECT_EQ(found->matches[0].id, maria_);
  EXPECT_EQ(found->total, 1);
  auto counted = visible_->Search(Query("CarePlan", {{"_summary", "count"}}));
  ASSERT_TRUE(counted.ok());
  EXPECT_EQ(counted->total, 1) << "only Maria's plan is counted";
  auto paged = visible_->Search(Query("CarePlan", {{"_count", "1"}}));
  ASSERT_TRUE(paged.ok());
  if (!paged->next_cursor.empty()) {
    EXPECT_FALSE(paged->total) << "later pages are not filtered";
  }

  auto tx = visible_->BeginWrite();
  ASSERT_TRUE(tx.ok());
  EXPECT_EQ((*tx)->Read("Patient", slp_).status().code(), StatusCode::kNotFound);
  EXPECT_EQ((*tx)->Delete("Patient", slp_, std::nullopt).status().code(), StatusCode::kNotFound);
  auto conditional = (*tx)->Search(Query("Patient", {{"_id", slp_}}));
  ASSERT_TRUE(conditional.ok());
  EXPECT_TRUE(conditional->matches.empty()) << "a conditional write matches nothing hidden";
  ASSERT_TRUE((*tx)->Commit().ok());
  EXPECT_FALSE(store_->Read("Patient", slp_)->deleted);
}

fhir::Json GoalFor(const std::string& patient_reference) {
  auto goal = fhir::ParseJson(R"({"resourceType":"Goal","lifecycleStatus":"proposed",
      "description":{"text":"walk to the mailbox"},"subject":{"reference":")" +
                              patient_reference + R"("}})");
  EXPECT_TRUE(goal.ok());
  return goal.ok() ? *goal : fhir::Json();
}

TEST_F(PartnerVisibleStoreTest, AWriteMayNameOnlyPatientsThePartnerMaySee) {
  PartnerScope scope(access_.get());
  auto tx = visible_->BeginWrite();
  ASSERT_TRUE(tx.ok());
  auto theirs = (*tx)->Create("Goal", "g-theirs", GoalFor("Patient/" + slp_));
  EXPECT_EQ(theirs.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(theirs.status().message(), "Patient/" + slp_ + " does not exist");
  auto own = (*tx)->Create("Goal", "g-own", GoalFor("Patient/" + maria_));
  ASSERT_TRUE(own.ok()) << own.status().ToString();
  auto moved = (*tx)->Update("Goal", "g-own", GoalFor("Patient/" + slp_), std::nullopt);
  EXPECT_EQ(moved.status().code(), StatusCode::kNotFound) << "nor move a resource to them";
  EXPECT_TRUE((*tx)->Create("Goal", "g-nobody", GoalFor("Patient/not-stored")).ok())
      << "a patient that does not exist is nobody's to hide";

  // A patient the transaction itself creates is the partner's to name.
  auto patient = fhir::ParseJson(R"({"resourceType":"Patient","name":[{"family":"Nuevo"}]})");
  ASSERT_TRUE(patient.ok());
  ASSERT_TRUE((*tx)->Create("Patient", "p-new", *patient).ok());
  auto for_new = (*tx)->Create("Goal", "g-new", GoalFor("Patient/p-new"));
  EXPECT_TRUE(for_new.ok()) << for_new.status().ToString();
  ASSERT_TRUE((*tx)->Commit().ok());
  EXPECT_EQ(store_->Read("Goal", "g-theirs").status().code(), StatusCode::kNotFound);
}

TEST_F(PartnerVisibleStoreTest, OutsideAScopeWritesNameAnyPatient) {
  auto tx = visible_->BeginWrite();
  ASSERT_TRUE(tx.ok());
  EXPECT_TRUE((*tx)->Create("Goal", "g-slp", GoalFor("Patient/" + slp_)).ok());
  EXPECT_TRUE((*tx)->Commit().ok());
}

}  // namespace
}  // namespace duet::gateway
