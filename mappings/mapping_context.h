// MappingContext: the configuration every PRF ⇄ FHIR conversion needs, the practice's identifier
// base, with the business identifier systems made from it once rather than at every identifier
// and reference a conversion writes. A value, copied into or borrowed by the converters; immutable
// after construction, so safe to share between threads.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace duet::mappings {

class MappingContext {
 public:
  // `identifier_base` is practice.identifier_base, e.g. "https://sunrise-pt.example/sid".
  explicit MappingContext(std::string identifier_base = "");

  const std::string& identifier_base() const { return identifier_base_; }
  // "<identifier_base>/<kind>" (IdentifierSystem in record_kinds.h) for `kind`, one of the kinds
  // of code_tables.h; valid as long as this context. Any other kind is a programming error, and
  // fatal.
  std::string_view System(std::string_view kind) const;

 private:
  std::string identifier_base_;
  std::vector<std::pair<std::string_view, std::string>> systems_;  // kind → system
};

}  // namespace duet::mappings
