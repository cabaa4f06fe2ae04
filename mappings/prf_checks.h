// The PRF v1 rules that the JSON Schemas cannot express (docs/practice-record-format.md and
// mappings/schema/README.md), checked on one record that is not a batch:
//
// - every NPI (a member named "npi" or ending in "_npi", at any depth) passes the check digit;
// - every date and instant is a real calendar date (no 2025-02-30);
// - dates are in order: plan_of_care certification.from <= certification.to,
//   start_of_care <= certification.from, certification.sent_on <= signed_on; referral
//   authorization.start <= authorization.end; medication first_fill <= last_fill;
// - plan_of_care: goal ids are unique within the plan; `supports` is only on a short-term goal and
//   names a long-term goal of the same plan; `replaces` is not the plan's own id;
// - plan_of_care certification status agrees with its dates: "signed" has signed_on, "sent" has
//   sent_on, "not_sent" has neither, and signed_on appears only with "signed" or "expired".
//
// A medication without rxnorm carrying a code needs no check here: the schema allows no code
// member other than rxnorm. Each rule looks only at members of the right JSON kind and shape, so
// it adds nothing to a problem the schema already reports.
//
// Pure functions; safe to call from any thread.
#pragma once

#include <string_view>
#include <vector>

#include "fhir/json.h"
#include "fhir/status.h"
#include "mappings/prf_problem.h"

namespace duet::mappings {

// Appends every broken rule of `record` to `problems`, pointers prefixed with `pointer_prefix`.
void CheckPrfRules(const fhir::Json& record, std::string_view pointer_prefix,
                   std::vector<PrfProblem>* problems);

// Whether a referral may move from status `from` to status `to`. Statuses move only forward along
// received -> accepted -> scheduled -> in_progress -> completed (skipping ahead is allowed: the
// EMR sends snapshots, so an intermediate status may never be seen); received may also move to
// declined; any status before completed may move to cancelled; completed, declined and cancelled
// are final. The same status again is allowed (a repeated snapshot).
// Errors: kInvalidArgument for a status that is not a PRF referral status; kFailedPrecondition
// naming both statuses when the move is not allowed.
Status CheckReferralTransition(std::string_view from, std::string_view to);

}  // namespace duet::mappings
