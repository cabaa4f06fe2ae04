// `duet audit --config FILE [--patient ID] [--client ID] [--since DATE] [--until DATE]
// [--interaction CODE] [--outcome N] [--limit N] [--json]`: the audit trail read straight from
// the store file (docs/admin-guide.md), with the same query code as GET /admin/v1/audit: one
// human-readable line per AuditEvent, newest first, or with --json the searchset Bundle. Only
// reads (safe while `duet serve` runs). Stateless; the streams are the caller's. Exit 0 on
// success, 1 when the store cannot be read, 2 on usage or configuration errors.
#pragma once

#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

namespace duet::gateway {

struct AuditCommandOptions {
  // The query as GET /admin/v1/audit parameters (patient, client, since, until, interaction,
  // outcome, _count), in the order given.
  std::vector<std::pair<std::string, std::string>> params;
  bool json = false;
};

int RunAuditCommand(const std::string& config_path, const AuditCommandOptions& options,
                    std::ostream& out, std::ostream& err);

}  // namespace duet::gateway
