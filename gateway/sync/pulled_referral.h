// PulledReferral: a referral found at a partner's FHIR server (its ServiceRequest, the Task that
// addresses it to the practice, the patient and the requesting practitioner) and the local
// transaction that takes it in (docs/sync.md, "pull_referrals"). The transaction is what a
// partner posting the referral would send (FHIR-MAPPING.md §4): conditional creates on business
// identifiers, references between entries as urn:uuid, so it goes through the gateway's own
// FHIR API and lands in the intake queue like a posted referral, and a replay creates nothing.
//
// - Every resource keeps the partner's identifiers and gains one naming where it came from,
//   {system "urn:ietf:rfc:3986", value "<partner base>/<Type>/<id>"}; that is also its business
//   identifier when the partner gave it none.
// - The Patient and the Practitioner are created when no local one has their identifier (the
//   practice's MRN first, then NPI, then the partner's first identifier); an existing one is
//   left as it is.
// - The ServiceRequest is created, or, when `update_request` (an earlier version was taken in),
//   updated in place by its identifier.
// - The Task is created once and never overwritten: after intake the practice owns its status
//   (push_referral_status sends it back). Its owner becomes the practice by NPI.
// - A reference to anything else at the partner becomes a logical reference: by the NPI (or first
//   identifier) of a resource in `others`, else by its URL.
//
// Pure functions; any thread may call them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "fhir/json.h"
#include "fhir/status.h"
#include "mappings/mapping_context.h"

namespace duet::gateway {

inline constexpr char kUrlIdentifierSystem[] = "urn:ietf:rfc:3986";

struct PulledReferral {
  fhir::Json request;                   // ServiceRequest as the partner serves it
  fhir::Json task;                      // its Task, owned by the practice
  std::optional<fhir::Json> patient;    // ServiceRequest.subject, when the partner gave it
  std::optional<fhir::Json> requester;  // ServiceRequest.requester, when a Practitioner
  // Other resources of the partner it refers to (the performer): references to them become
  // logical references by their NPI (or first identifier) instead of their URL.
  std::vector<fhir::Json> others;
};

struct PulledReferralOptions {
  std::string partner_base;  // the endpoint's base URL, no trailing '/'
  std::string practice_npi;  // Task.owner
  mappings::MappingContext mapping;
  bool update_request = false;
};

// The transaction Bundle; entries in the order Patient, Practitioner, ServiceRequest, Task.
// kInvalidArgument naming the resource when one lacks an id.
StatusOr<fhir::Json> PulledReferralTransaction(const PulledReferral& referral,
                                               const PulledReferralOptions& options);

// "<partner base>/<Type>/<id>" for a resource served by the partner.
std::string PartnerUrl(const std::string& partner_base, const fhir::Json& resource);

// "Type/id" of a reference to a resource of the partner ("Type/id", "Type/id/_history/n" or
// absolute under `partner_base`); "" for any other reference.
std::string PartnerTarget(const std::string& partner_base, std::string_view reference);

// Whether `reference` names `resource` of the partner.
bool RefersTo(const std::string& partner_base, std::string_view reference,
              const fhir::Json& resource);

}  // namespace duet::gateway
