// The gateway's own FHIR extensions (documented in docs/mapping.md) and helpers to add and read
// extensions on any element. All URLs share one base,
// https://duet.example/fhir/StructureDefinition/<name>.
//
// Free functions over fhir::Json values; no shared state, thread-safe.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/json.h"
#include "mappings/fhir_elements.h"

namespace duet::mappings {

// The URLs of the gateway's extensions, constants because they are written into every resource a
// record converts to.
#define DUET_EXTENSION_URL(name) "https://duet.example/fhir/StructureDefinition/" name
namespace ext {
inline constexpr std::string_view kRecordUpdatedAt = DUET_EXTENSION_URL("record-updated-at");
inline constexpr std::string_view kEmptyArray = DUET_EXTENSION_URL("prf-empty-array");
inline constexpr std::string_view kRank = DUET_EXTENSION_URL("rank");
inline constexpr std::string_view kContactPreference = DUET_EXTENSION_URL("contact-preference");
inline constexpr std::string_view kPatientValue = DUET_EXTENSION_URL("patient-value");
inline constexpr std::string_view kReferralDirection = DUET_EXTENSION_URL("referral-direction");
inline constexpr std::string_view kAuthorization = DUET_EXTENSION_URL("authorization");
inline constexpr std::string_view kStartOfCare = DUET_EXTENSION_URL("start-of-care");
inline constexpr std::string_view kRehabPotential = DUET_EXTENSION_URL("rehab-potential");
inline constexpr std::string_view kCertification = DUET_EXTENSION_URL("certification");
inline constexpr std::string_view kSessionsPerDay = DUET_EXTENSION_URL("sessions-per-day");
inline constexpr std::string_view kGoalTerm = DUET_EXTENSION_URL("goal-term");
inline constexpr std::string_view kGoalBaseline = DUET_EXTENSION_URL("goal-baseline");
inline constexpr std::string_view kPartiallyMet = DUET_EXTENSION_URL("partially-met");
inline constexpr std::string_view kExerciseDose = DUET_EXTENSION_URL("exercise-dose");
inline constexpr std::string_view kMedicationSource = DUET_EXTENSION_URL("medication-source");
inline constexpr std::string_view kFillSummary = DUET_EXTENSION_URL("fill-summary");
inline constexpr std::string_view kPrescriber = DUET_EXTENSION_URL("prescriber");
inline constexpr std::string_view kFillSource = DUET_EXTENSION_URL("fill-source");
inline constexpr std::string_view kNpsTherapist = DUET_EXTENSION_URL("nps-therapist");
}  // namespace ext
#undef DUET_EXTENSION_URL

// Extensions defined by HL7 that the mapping uses.
inline constexpr std::string_view kGoalRelationshipUrl =
    "http://hl7.org/fhir/StructureDefinition/goal-relationship";
inline constexpr std::string_view kUsCoreDirectUrl =
    "http://hl7.org/fhir/us/core/StructureDefinition/us-core-direct";
inline constexpr std::string_view kMinValueUrl = "http://hl7.org/fhir/StructureDefinition/minValue";
inline constexpr std::string_view kMaxValueUrl = "http://hl7.org/fhir/StructureDefinition/maxValue";
inline constexpr std::string_view kItemControlUrl =
    "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl";

// {"url": url, "<value_key>": value}, e.g. MakeExtension(url, "valueDate", Json::String(...));
// a null value is left out, as Obj leaves out null members.
fhir::Json MakeExtension(std::string_view url, std::string_view value_key, fhir::Json value);
// A complex extension: {"url": url, "extension": [parts...]}.
fhir::Json MakeComplexExtension(std::string_view url, std::vector<fhir::Json> parts);
// The same from a braced list, whose parts are moved rather than copied.
fhir::Json MakeComplexExtension(std::string_view url, std::initializer_list<ArrItem> parts);

// Appends `extension` to element.extension (created when absent). `element` must be an object.
void AddExtension(fhir::Json& element, fhir::Json extension);

// The first extension of `element` with this URL, or nullptr.
const fhir::Json* FindExtension(const fhir::Json& element, std::string_view url);
// Every extension of `element` with this URL, in order.
std::vector<const fhir::Json*> FindExtensions(const fhir::Json& element, std::string_view url);
// The value[x] member of an extension whose key is `value_key`, or nullptr.
const fhir::Json* ExtensionValue(const fhir::Json* extension, std::string_view value_key);

}  // namespace duet::mappings
