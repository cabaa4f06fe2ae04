// MappingContext: the configuration every PRF ⇄ FHIR conversion needs. A plain value, copied into
// or borrowed by the converters; safe to share between threads.
#pragma once

#include <string>

namespace duet::mappings {

struct MappingContext {
  // practice.identifier_base, e.g. "https://sunrise-pt.example/sid". Business identifier systems
  // are "<identifier_base>/<kind>" (IdentifierSystem in record_kinds.h).
  std::string identifier_base;
};

}  // namespace duet::mappings
