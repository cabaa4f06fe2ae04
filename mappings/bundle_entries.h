// What the two ways of making a transaction Bundle (ToTransactionBundle's tree and
// TransactionBundleWriter's text) share about its entries: the "Type|system|value" key of an
// identifier, which entry and fullUrl each key stands for, the identifiers of a resource tree,
// and which entry a conditional reference names.
//
// Functions are pure and thread-safe; an EntryReferences is used on one thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "fhir/json.h"

namespace duet::mappings {

// "Type|system|value": the key of an identifier of a resource of that type.
std::string TypedKey(std::string_view type, std::string_view system, std::string_view value);

// Where the key of an identifier points in a Bundle.
struct KeyTarget {
  std::string full_url;  // of the first entry whose resource carries that identifier
  size_t primary_entry;  // the entry whose business identifier it is, or kNoEntry
};
inline constexpr size_t kNoEntry = static_cast<size_t>(-1);
using FullUrls = std::unordered_map<std::string, KeyTarget>;

// The member whose string values are references, and what marks a conditional one.
inline constexpr std::string_view kReferenceMember = "reference";
inline constexpr std::string_view kConditionalMarker = "?identifier=";

// Calls visit(identifier) for each Identifier of the resource (Identifier or Identifier[]).
template <typename Visit>
void ForEachIdentifier(const fhir::Json& resource, Visit visit) {
  const fhir::Json* all = resource.Find("identifier");
  if (all == nullptr) return;
  if (all->is_object()) visit(*all);
  if (!all->is_array()) return;
  for (const fhir::Json& item : all->items()) {
    if (item.is_object()) visit(item);
  }
}

// BusinessIdentifier (resource_set.h) without copying its parts: they point into `resource`.
std::optional<std::pair<std::string_view, std::string_view>> BusinessIdentifierIn(
    const fhir::Json& resource);

// The fullUrl of the entry a conditional reference names, when it names one of the Bundle.
// Writes into scratch strings it keeps from one reference to the next; one thread at a time.
class EntryReferences {
 public:
  // `full_urls` must outlive this.
  explicit EntryReferences(const FullUrls& full_urls);

  std::optional<std::string_view> Rewrite(std::string_view reference);

 private:
  const FullUrls& full_urls_;
  std::vector<std::string_view> types_;  // of the keys of full_urls_
  std::string decoded_;                  // scratch
  std::string key_;                      // scratch
};

}  // namespace duet::mappings
