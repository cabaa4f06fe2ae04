// PracticeQueries: the read-only views of the practice API that span many records:
// the intake queue of referrals (`GET /practice/v1/referrals?status=received`) and the Net
// Promoter Score summary (`GET /practice/v1/nps?from=&to=`).
//
// Holds references to the store and loader, which must outlive it; thread-safe (reads only).
#pragma once

#include <string>

#include "fhir/json.h"
#include "fhir/status.h"
#include "gateway/practice_api/record_loader.h"
#include "gateway/store/resource_store.h"

namespace duet::gateway {

class PracticeQueries {
 public:
  PracticeQueries(ResourceStore& store, const RecordLoader& loader)
      : store_(store), loader_(loader) {}

  // {"status", "direction", "count", "referrals": [PRF referral...], "problems": [...]}: the
  // referrals in that native status (and direction, "" for both), oldest order date first.
  // Referrals whose resources cannot be mapped back are listed under "problems", not dropped.
  StatusOr<fhir::Json> Referrals(const std::string& status, const std::string& direction) const;

  // {"from", "to", "responses", "promoters", "passives", "detractors", "nps"} over the NPS
  // answers given between the two dates (inclusive; either may be ""). nps = % promoters -
  // % detractors, rounded to one decimal; null when there are no answers.
  StatusOr<fhir::Json> NpsSummary(const std::string& from, const std::string& to) const;

 private:
  ResourceStore& store_;
  const RecordLoader& loader_;
};

}  // namespace duet::gateway
