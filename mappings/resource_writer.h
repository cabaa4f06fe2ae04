// ResourceWriter: where the mappers put the FHIR resources of records, one at a time, either as
// JSON text written member by member (the plan of care mapper: no tree is built) or as trees
// (the other mappers). Two implementations: TransactionBundleWriter (transaction_bundle_writer.h),
// the Bundle text `duet convert to-fhir` prints, and ResourceCollector (below), the trees ToFhir
// returns.
//
// A text resource is written between BeginResource and EndResource; it carries exactly one
// identifier, the business identifier named to BeginResource, which the mapper writes itself
// (WriteIdentifier of fhir_text_elements.h). After a mapping error the writer's content is
// unspecified: discard it.
//
// One writer per conversion, on one thread.
#pragma once

#include <string_view>
#include <vector>

#include "fhir/json.h"
#include "fhir/json_text_writer.h"
#include "fhir/status.h"

namespace duet::mappings {

class ResourceWriter {
 public:
  virtual ~ResourceWriter() = default;

  // Starts a resource of `type` whose business identifier is (system, value): the returned
  // writer is inside the resource's object, after its resourceType, until EndResource.
  virtual fhir::JsonTextWriter& BeginResource(std::string_view type, std::string_view system,
                                              std::string_view value) = 0;
  virtual void EndResource() = 0;
  // A resource made as a tree.
  virtual void AddResource(fhir::Json resource) = 0;
};

// Collects the resources as trees: a text resource is parsed when it ends.
class ResourceCollector : public ResourceWriter {
 public:
  fhir::JsonTextWriter& BeginResource(std::string_view type, std::string_view system,
                                      std::string_view value) override;
  void EndResource() override;
  void AddResource(fhir::Json resource) override;

  // The resources in the order written, or the first failure to read back a written resource
  // (a defect of its mapper).
  StatusOr<std::vector<fhir::Json>> Take();

 private:
  fhir::JsonTextWriter text_;
  std::vector<fhir::Json> resources_;
  Status status_;
};

}  // namespace duet::mappings
