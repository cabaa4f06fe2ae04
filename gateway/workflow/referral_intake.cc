#include "gateway/workflow/referral_intake.h"

#include <random>
#include <string>

#include "gateway/workflow/workflow_support.h"
#include "mappings/code_tables.h"
#include "mappings/extensions.h"
#include "mappings/fhir_elements.h"
#include "mappings/mapper_support.h"
#include "mappings/name_based_uuid.h"
#include "mappings/resource_set.h"

namespace duet::gateway {
namespace {

using fhir::Json;

std::string RandomName() {
  std::random_device device;
  return std::to_string(device()) + "-" + std::to_string(device()) + "-" + NowInstantUtc();
}

std::string InboundReferralId(const Json& request) {
  auto sender = mappings::BusinessIdentifier(request);
  std::string name = sender ? sender->first + "|" + sender->second : RandomName();
  std::string uuid = mappings::DeterministicUuid("inbound-referral|" + name);
  std::string hex;
  for (char c : uuid) {
    if (c != '-') hex += c;
    if (hex.size() == 12) break;
  }
  return "IN-" + hex;
}

void AddIdentifier(Json& request, const Json& identifier) {
  Json* identifiers = request.Find("identifier");
  if (identifiers == nullptr || !identifiers->is_array()) {
    identifiers = &request.Set("identifier", Json::MakeArray());
  }
  identifiers->Append(identifier);
}

const Json* OwnIdentifier(const Json& request, std::string_view system) {
  const Json* identifiers = request.Find("identifier");
  if (identifiers == nullptr || !identifiers->is_array()) return nullptr;
  for (const Json& identifier : identifiers->items()) {
    if (identifier.StringOr("system") == system) return &identifier;
  }
  return nullptr;
}

// Copies the extension with `url` from `from` to `to` when `to` lacks it.
void KeepExtension(const Json& from, Json& to, std::string_view url) {
  const Json* extension = mappings::FindExtension(from, url);
  if (extension != nullptr && mappings::FindExtension(to, url) == nullptr) {
    mappings::AddExtension(to, *extension);
  }
}

// Category SNOMED CT 3457005 "Patient referral" (FHIR-MAPPING.md §2.2).
bool IsPatientReferral(const Json& request) {
  const Json* categories = request.Find("category");
  if (categories == nullptr || !categories->is_array()) return false;
  for (const Json& category : categories->items()) {
    const Json* codings = category.Find("coding");
    if (codings == nullptr || !codings->is_array()) continue;
    for (const Json& coding : codings->items()) {
      if (coding.StringOr("system") == mappings::kSnomedSystem &&
          coding.StringOr("code") == "3457005") {
        return true;
      }
    }
  }
  return false;
}

}  // namespace

void ReferralIntake::BeforeServiceRequestWrite(const StoredResource* current, Json& next) const {
  std::string_view system = mappings::SystemFor(context_, mappings::kinds::kReferral);
  if (!IsPatientReferral(next)) return;  // another kind of order: not the practice's business
  if (OwnIdentifier(next, system) != nullptr) return;  // the practice's own referral
  std::string_view direction_url = mappings::ext::kReferralDirection;
  std::string_view updated_url = mappings::ext::kRecordUpdatedAt;
  if (current != nullptr && !current->deleted) {
    auto stored = ParseStored(*current);
    if (stored.ok()) {
      if (const Json* own = OwnIdentifier(*stored, system)) {
        AddIdentifier(next, *own);
        KeepExtension(*stored, next, direction_url);
        KeepExtension(*stored, next, updated_url);
        return;
      }
    }
  }
  AddIdentifier(next, mappings::MakeIdentifier(system, InboundReferralId(next)));
  if (mappings::FindExtension(next, direction_url) == nullptr) {
    mappings::AddExtension(
        next, mappings::MakeExtension(direction_url, "valueCode", Json::String("inbound")));
  }
  if (mappings::FindExtension(next, updated_url) == nullptr) {
    mappings::AddExtension(next, mappings::UpdatedAtExtension(NowInstantUtc()));
  }
}

Status ReferralIntake::BeforeTaskWrite(WriteTransaction& tx, const StoredResource* current,
                                       Json& next) const {
  std::string_view system = mappings::SystemFor(context_, mappings::kinds::kReferral);
  if (current != nullptr && !current->deleted) {
    DUET_ASSIGN_OR_RETURN(Json stored, ParseStored(*current));
    if (const Json* identifiers = stored.Find("identifier");
        identifiers && identifiers->is_array()) {
      for (const Json& identifier : identifiers->items()) {
        if (OwnIdentifier(next, identifier.StringOr("system")) == nullptr) {
          AddIdentifier(next, identifier);
        }
      }
    }
  }
  if (OwnIdentifier(next, system) != nullptr) return Status::Ok();
  const Json* focus = next.Find("focus");
  LiteralReference reference;
  if (focus == nullptr || !ParseLiteralReference(focus->StringOr("reference"), &reference) ||
      reference.type != "ServiceRequest") {
    return Status::Ok();
  }
  auto request = tx.Read("ServiceRequest", reference.id);
  if (!request.ok() || request->deleted) return Status::Ok();
  DUET_ASSIGN_OR_RETURN(Json service_request, ParseStored(*request));
  if (const Json* own = OwnIdentifier(service_request, system)) AddIdentifier(next, *own);
  return Status::Ok();
}

}  // namespace duet::gateway
