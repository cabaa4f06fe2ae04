// ResourceIntake: turns a request body into a resource fit to store — parsed, of the expected
// type, and valid against the R4 definitions — or says precisely why not.
//
// Holds a reference to a Validator that outlives it; immutable, so any thread may call it.
#pragma once

#include <string_view>

#include "fhir/json.h"
#include "fhir/validation/validator.h"
#include "gateway/fhir_api/interaction_result.h"
#include "gateway/http/http_types.h"

namespace duet::gateway {

class ResourceIntake {
 public:
  explicit ResourceIntake(const fhir::Validator& validator) : validator_(validator) {}

  // kUnsupportedMediaType unless the Content-Type is absent or a JSON type.
  static Status CheckContentType(const HttpRequest& request);

  // Parses `body`; kInvalidArgument naming the byte offset when it is not JSON.
  static StatusOr<fhir::Json> Parse(std::string_view body);

  // OK when `resource` is a valid `expected_type` ("" accepts any type); a failure with the
  // validation issues (422) or a type mismatch (400) otherwise. `path_prefix` is prepended to
  // issue paths ("Bundle.entry[2].resource").
  InteractionResult Check(const fhir::Json& resource, std::string_view expected_type,
                          std::string_view path_prefix = "") const;

 private:
  const fhir::Validator& validator_;
};

}  // namespace duet::gateway
