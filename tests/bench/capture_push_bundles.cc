// Writes the transaction Bundles that `push_care_plans` sends to a partner, one compact JSON
// document a line, for the direct side of tests/bench/run_push.sh: the same plans of care (those
// shared with the partner, oldest change first, as the job queues them), each built by the job's
// own code (gateway/sync/outbound_bundle.h) into the same bytes the job posts.
//
//   capture_push_bundles --store out/gateway.db --partner-npi 1620193841
//       --identifier-base https://sunrise-pt.example/sid --out out/bundles.ndjson
//
// Reads the store only. Partners that limit transaction size (chunked pushes, whose later
// Bundles depend on the partner's answers) are not covered.
#include <CLI/CLI.hpp>

#include <fstream>
#include <iostream>
#include <string>

#include "fhir/json.h"
#include "gateway/store/sqlite_resource_store.h"
#include "gateway/sync/outbound_bundle.h"
#include "gateway/sync/partner_sharing.h"
#include "gateway/workflow/workflow_support.h"
#include "mappings/code_tables.h"
#include "mappings/mapper_support.h"
#include "mappings/resource_set.h"

namespace {

using duet::fhir::Json;
namespace gw = duet::gateway;

duet::StatusOr<int> Capture(const std::string& store_path, const std::string& partner_npi,
                            const std::string& identifier_base, std::ostream& out) {
  DUET_ASSIGN_OR_RETURN(auto store, gw::SqliteResourceStore::Open(store_path));
  DUET_ASSIGN_OR_RETURN(gw::PartnerSharing sharing,
                        gw::PartnerSharing::ForOrganization(*store, partner_npi));
  std::string system(duet::mappings::SystemFor(duet::mappings::MappingContext{identifier_base},
                                               duet::mappings::kinds::kPlanOfCare));
  DUET_ASSIGN_OR_RETURN(auto plans,
                        gw::SearchAllInStore(*store, "CarePlan", {{"_sort", "_lastUpdated"}}));
  int written = 0;
  for (const gw::StoredResource& stored : plans) {
    DUET_ASSIGN_OR_RETURN(Json plan, gw::ParseStored(stored));
    if (!duet::mappings::IdentifierValue(plan, system)) continue;
    DUET_ASSIGN_OR_RETURN(bool shared, sharing.SharesPlan(*store, plan));
    if (!shared) continue;
    DUET_ASSIGN_OR_RETURN(std::vector<Json> resources, gw::GatherOutbound(*store, stored));
    for (std::vector<Json>& chunk : gw::OutboundChunks(std::move(resources), 0)) {
      out << duet::fhir::WriteJson(gw::OutboundTransaction(std::move(chunk))) << "\n";
    }
    ++written;
  }
  return written;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Write the Bundles push_care_plans sends to a partner, one a line"};
  std::string store_path;
  std::string partner_npi;
  std::string identifier_base;
  std::string out_path;
  app.add_option("--store", store_path, "The gateway's SQLite store")->required();
  app.add_option("--partner-npi", partner_npi, "The partner organization's NPI")->required();
  app.add_option("--identifier-base", identifier_base, "practice.identifier_base")->required();
  app.add_option("--out", out_path, "File to write")->required();
  CLI11_PARSE(app, argc, argv);

  std::ofstream out(out_path, std::ios::binary);
  auto written = Capture(store_path, partner_npi, identifier_base, out);
  out.close();
  if (!written.ok() || !out) {
    std::cerr << "capture_push_bundles: "
              << (written.ok() ? "cannot write " + out_path : written.status().ToString()) << "\n";
    return 1;
  }
  std::cout << "plans=" << *written << "\n";
  return 0;
}
