// BundleBuilder: writes searchset, history and batch/transaction-response Bundles as text,
// splicing each stored resource's JSON in as it is (no re-parse), so a search page costs little
// more than the bytes it carries. Used by one thread per response.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fhir/json.h"

namespace duet::gateway {

class BundleBuilder {
 public:
  // `type` is the Bundle.type code ("searchset", "history", "transaction-response", ...).
  explicit BundleBuilder(std::string type);

  void SetTotal(int64_t total) { total_ = total; }
  void AddLink(std::string relation, std::string url);

  // Adds an entry; `entry` holds the entry members other than resource (fullUrl, search,
  // request, response), `resource_json` the resource's JSON text or "" for none.
  void AddEntry(fhir::Json entry, std::string resource_json);

  // The Bundle as JSON text (pretty-printed on request).
  std::string Build(bool pretty) const;

 private:
  std::string type_;
  std::optional<int64_t> total_;
  std::vector<std::pair<std::string, std::string>> links_;
  std::vector<std::pair<fhir::Json, std::string>> entries_;
};

// A new random Bundle/resource id (32 hex digits).
std::string NewRandomId();

// The current time as a FHIR instant with milliseconds (UTC).
std::string NowInstant();

}  // namespace duet::gateway
