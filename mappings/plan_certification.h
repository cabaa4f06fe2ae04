// Physician certification of a plan of care as the gateway's workflows see it on the FHIR side:
// reading and changing the `certification` extension of a plan-of-care CarePlan (its status and
// signed date, kept consistent with the narrative), and telling whether two versions of a plan say
// the same thing clinically, which is what a physician's signature on one version covers.
//
// Free functions over fhir::Json values; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "fhir/json.h"
#include "mappings/mapping_context.h"

namespace duet::mappings {

// The PRF `certification.status` values the gateway sets from FHIR-side events.
namespace certification_status {
inline constexpr std::string_view kNotSent = "not_sent";
inline constexpr std::string_view kSent = "sent";
inline constexpr std::string_view kSigned = "signed";
inline constexpr std::string_view kDeclined = "declined";
inline constexpr std::string_view kExpired = "expired";
}  // namespace certification_status

struct PlanCertification {
  std::string status;
  std::string sent_on;                    // "" when absent
  std::string signed_on;                  // "" when absent
  const fhir::Json* physician = nullptr;  // the certifying physician's Reference, in the CarePlan
};

// The certification a plan-of-care CarePlan carries; nullopt when it has no certification
// extension (a home exercise program, or a CarePlan from elsewhere).
std::optional<PlanCertification> ReadPlanCertification(const fhir::Json& care_plan);

// Sets the certification status and signed date ("" removes it) in the extension and in the
// narrative's "Physician certification" line. False when the CarePlan has no certification.
bool SetPlanCertification(fhir::Json& care_plan, std::string_view status,
                          std::string_view signed_on);

// True when two CarePlans are equal apart from meta, narrative, the certification extension and
// the record-updated-at extension.
bool SameClinicalContent(const fhir::Json& a, const fhir::Json& b);

// The plan's native id (its plan-of-care identifier value); "" when it has none.
std::string PlanId(const fhir::Json& care_plan, const MappingContext& context);

// A Task asking the certifying physician to approve one stored version of a plan-of-care
// CarePlan: code task-code#approve, status requested, intent order, `focus` = `focus_reference`
// ("CarePlan/<id>/_history/<version>"), `for` the plan's subject, `requester` its author, `owner`
// the physician, `authoredOn` the sent date, `restriction.period.end` start of care + 30 days,
// identifier <identifier_base>/certification | "<plan id>/<version>". nullopt when the CarePlan
// has no certification or no plan id.
std::optional<fhir::Json> CertificationRequestTask(const fhir::Json& care_plan,
                                                   std::string_view focus_reference,
                                                   std::string_view version,
                                                   const MappingContext& context);

// True when the Task is a certification request (task-code#approve).
bool IsApproveTask(const fhir::Json& task);

}  // namespace duet::mappings
