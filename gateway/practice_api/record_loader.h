// RecordLoader: rebuilds a Practice Record Format record from what the store holds now, so that
// the practice sees changes made on the FHIR side (a signed certification, an accepted referral).
// It finds the record's main resource by business identifier, then gathers what the reverse
// mapping needs: the resources it references (three levels deep), the Tasks that focus on it,
// the PractitionerRoles of a practitioner, a patient's Coverages and Goals, and the
// ActivityDefinitions a program instantiates.
//
// Holds a reference to the store, which must outlive it; thread-safe (reads only).
#pragma once

#include <string_view>
#include <vector>

#include "fhir/json.h"
#include "fhir/status.h"
#include "gateway/store/resource_store.h"
#include "mappings/mapping_context.h"

namespace duet::gateway {

class RecordLoader {
 public:
  RecordLoader(ResourceStore& store, mappings::MappingContext context)
      : store_(store), context_(std::move(context)) {}

  // The record; kNotFound when the store has no such record, kUnprocessable when what it holds
  // cannot be mapped back (naming the FHIR paths).
  StatusOr<fhir::Json> Load(std::string_view record_type, std::string_view native_id) const;

  // The current main resource of the record, if there is one.
  StatusOr<std::optional<StoredResource>> FindMain(std::string_view record_type,
                                                   std::string_view native_id) const;

  // The resources the record is rebuilt from, main resource first.
  StatusOr<std::vector<fhir::Json>> Gather(const StoredResource& main) const;

  const mappings::MappingContext& context() const { return context_; }

 private:
  StatusOr<std::vector<StoredResource>> SearchAll(const std::string& type, const std::string& name,
                                                  const std::string& value) const;

  ResourceStore& store_;
  mappings::MappingContext context_;
};

}  // namespace duet::gateway
