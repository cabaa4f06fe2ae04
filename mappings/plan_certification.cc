#include "mappings/plan_certification.h"

#include <algorithm>

#include "mappings/code_tables.h"
#include "mappings/extensions.h"
#include "mappings/fhir_elements.h"
#include "mappings/mapper_support.h"
#include "mappings/medication_list_mapper.h"
#include "mappings/resource_set.h"

namespace duet::mappings {
namespace {

using fhir::Json;

constexpr std::string_view kNarrativeLabel = "<li>Physician certification: ";

Json* MutableCertificationExtension(Json& care_plan) {
  Json* extensions = care_plan.Find("extension");
  if (extensions == nullptr || !extensions->is_array()) return nullptr;
  std::string_view url = ext::kCertification;
  for (Json& extension : extensions->items()) {
    if (extension.StringOr("url") == url) return &extension;
  }
  return nullptr;
}

std::string PartValue(const Json& extension, std::string_view part, std::string_view value_key) {
  const Json* value = ExtensionValue(FindExtension(extension, part), value_key);
  return value != nullptr && value->is_string() ? value->string_value() : "";
}

// Replaces the value of the complex extension's part `part`, or appends it; "" removes it.
void SetPart(Json& extension, std::string_view part, std::string_view value_key,
             std::string_view value) {
  Json* parts = extension.Find("extension");
  if (parts == nullptr || !parts->is_array()) return;
  auto& items = parts->items();
  items.erase(std::remove_if(items.begin(), items.end(),
                             [&](const Json& item) { return item.StringOr("url") == part; }),
              items.end());
  if (!value.empty()) {
    items.push_back(MakeExtension(part, value_key, Json::String(std::string(value))));
  }
}

std::string NarrativeValue(const PlanCertification& certification) {
  std::string value = certification.status;
  if (!certification.sent_on.empty()) value += ", sent " + certification.sent_on;
  if (!certification.signed_on.empty()) value += ", signed " + certification.signed_on;
  return value;
}

void RewriteNarrative(Json& care_plan, const PlanCertification& certification) {
  Json* text = care_plan.Find("text");
  Json* div = text == nullptr ? nullptr : text->Find("div");
  if (div == nullptr || !div->is_string()) return;
  std::string html = div->string_value();
  size_t start = html.find(kNarrativeLabel);
  if (start == std::string::npos) return;
  start += kNarrativeLabel.size();
  size_t end = html.find("</li>", start);
  if (end == std::string::npos) return;
  html.replace(start, end - start, NarrativeValue(certification));
  *div = Json::String(std::move(html));
}

// The CarePlan without what a certification event or a repeated upload may change.
Json ClinicalContent(Json care_plan) {
  care_plan.Remove("meta");
  care_plan.Remove("text");
  if (Json* extensions = care_plan.Find("extension"); extensions && extensions->is_array()) {
    std::string_view certification = ext::kCertification;
    std::string_view updated_at = ext::kRecordUpdatedAt;
    auto& items = extensions->items();
    items.erase(std::remove_if(items.begin(), items.end(),
                               [&](const Json& item) {
                                 std::string_view url = item.StringOr("url");
                                 return url == certification || url == updated_at;
                               }),
                items.end());
  }
  return care_plan;
}

}  // namespace

std::optional<PlanCertification> ReadPlanCertification(const Json& care_plan) {
  const Json* extension = FindExtension(care_plan, ext::kCertification);
  if (extension == nullptr) return std::nullopt;
  PlanCertification certification;
  certification.status = PartValue(*extension, "status", "valueCode");
  certification.sent_on = PartValue(*extension, "sentOn", "valueDate");
  certification.signed_on = PartValue(*extension, "signedOn", "valueDate");
  certification.physician =
      ExtensionValue(FindExtension(*extension, "physician"), "valueReference");
  return certification;
}

bool SetPlanCertification(Json& care_plan, std::string_view status, std::string_view signed_on) {
  Json* extension = MutableCertificationExtension(care_plan);
  if (extension == nullptr) return false;
  SetPart(*extension, "status", "valueCode", status);
  SetPart(*extension, "signedOn", "valueDate", signed_on);
  std::optional<PlanCertification> updated = ReadPlanCertification(care_plan);
  if (updated) RewriteNarrative(care_plan, *updated);
  return true;
}

bool SameClinicalContent(const Json& a, const Json& b) {
  return ClinicalContent(a) == ClinicalContent(b);
}

std::string PlanId(const Json& care_plan, const MappingContext& context) {
  return IdentifierValue(care_plan, SystemFor(context, kinds::kPlanOfCare)).value_or("");
}

std::optional<Json> CertificationRequestTask(const Json& care_plan,
                                             std::string_view focus_reference,
                                             std::string_view version,
                                             const MappingContext& context) {
  std::optional<PlanCertification> certification = ReadPlanCertification(care_plan);
  std::string plan_id = PlanId(care_plan, context);
  if (!certification || certification->physician == nullptr || plan_id.empty()) {
    return std::nullopt;
  }
  const Json* start = ExtensionValue(FindExtension(care_plan, ext::kStartOfCare), "valueDate");
  const Json* authors = care_plan.Find("author");
  return Obj({
      {"resourceType", Str("Task")},
      {"identifier", Arr({MakeIdentifier(SystemFor(context, kinds::kCertification),
                                         plan_id + "/" + std::string(version))})},
      {"status", Str("requested")},
      {"intent", Str("order")},
      {"code",
       MakeConcept(MakeCoding(kTaskCodeSystem, "approve", "Activate/approve the focal resource"))},
      {"description", Str("Physician certification of plan of care " + plan_id + ", version " +
                          std::string(version))},
      {"focus", Obj({{"reference", Str(std::string(focus_reference))}})},
      {"for", care_plan.Find("subject") ? *care_plan.Find("subject") : Json()},
      {"authoredOn", certification->sent_on.empty() ? Json() : Str(certification->sent_on)},
      {"requester", authors && authors->is_object() ? *authors : Json()},
      {"owner", *certification->physician},
      {"restriction",
       start && start->is_string()
           ? Obj({{"period", Obj({{"end", Str(AddDays(start->string_value(), 30))}})}})
           : Json()},
  });
}

bool IsApproveTask(const Json& task) {
  const Json* code = task.Find("code");
  const Json* codings = code == nullptr ? nullptr : code->Find("coding");
  if (codings == nullptr || !codings->is_array()) return false;
  for (const Json& coding : codings->items()) {
    if (coding.StringOr("system") == kTaskCodeSystem && coding.StringOr("code") == "approve") {
      return true;
    }
  }
  return false;
}

}  // namespace duet::mappings
