// The gateway's own FHIR extensions (documented in docs/mapping.md) and helpers to add and read
// extensions on any element. All URLs share one base, kExtensionBase + <name>.
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

inline constexpr std::string_view kExtensionBase = "https://duet.example/fhir/StructureDefinition/";

// Extension names (the URL is kExtensionBase + name).
namespace ext {
inline constexpr std::string_view kRecordUpdatedAt = "record-updated-at";
inline constexpr std::string_view kEmptyArray = "prf-empty-array";
inline constexpr std::string_view kRank = "rank";
inline constexpr std::string_view kContactPreference = "contact-preference";
inline constexpr std::string_view kPatientValue = "patient-value";
inline constexpr std::string_view kReferralDirection = "referral-direction";
inline constexpr std::string_view kAuthorization = "authorization";
inline constexpr std::string_view kStartOfCare = "start-of-care";
inline constexpr std::string_view kRehabPotential = "rehab-potential";
inline constexpr std::string_view kCertification = "certification";
inline constexpr std::string_view kSessionsPerDay = "sessions-per-day";
inline constexpr std::string_view kGoalTerm = "goal-term";
inline constexpr std::string_view kGoalBaseline = "goal-baseline";
inline constexpr std::string_view kPartiallyMet = "partially-met";
inline constexpr std::string_view kExerciseDose = "exercise-dose";
inline constexpr std::string_view kMedicationSource = "medication-source";
inline constexpr std::string_view kFillSummary = "fill-summary";
inline constexpr std::string_view kPrescriber = "prescriber";
inline constexpr std::string_view kFillSource = "fill-source";
inline constexpr std::string_view kNpsTherapist = "nps-therapist";
}  // namespace ext

// Extensions defined by HL7 that the mapping uses.
inline constexpr std::string_view kGoalRelationshipUrl =
    "http://hl7.org/fhir/StructureDefinition/goal-relationship";
inline constexpr std::string_view kUsCoreDirectUrl =
    "http://hl7.org/fhir/us/core/StructureDefinition/us-core-direct";
inline constexpr std::string_view kMinValueUrl = "http://hl7.org/fhir/StructureDefinition/minValue";
inline constexpr std::string_view kMaxValueUrl = "http://hl7.org/fhir/StructureDefinition/maxValue";
inline constexpr std::string_view kItemControlUrl =
    "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl";

// kExtensionBase + name.
std::string ExtensionUrl(std::string_view name);

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
