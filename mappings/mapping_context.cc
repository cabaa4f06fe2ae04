#include "mappings/mapping_context.h"

#include <cstdio>
#include <cstdlib>

#include "mappings/code_tables.h"
#include "mappings/record_kinds.h"

namespace duet::mappings {

MappingContext::MappingContext(std::string identifier_base)
    : identifier_base_(std::move(identifier_base)) {
  systems_.reserve(kinds::kAll.size());
  for (std::string_view kind : kinds::kAll) {
    systems_.emplace_back(kind, IdentifierSystem(identifier_base_, kind));
  }
}

std::string_view MappingContext::System(std::string_view kind) const {
  for (const auto& [known, system] : systems_) {
    if (known == kind) return system;
  }
  std::fprintf(stderr, "duet: no identifier kind \"%.*s\" in mappings/code_tables.h\n",
               static_cast<int>(kind.size()), kind.data());
  std::abort();
}

}  // namespace duet::mappings
