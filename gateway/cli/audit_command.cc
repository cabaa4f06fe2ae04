#include "gateway/cli/audit_command.h"

#include <filesystem>
#include <ostream>

#include "fhir/json.h"
#include "gateway/audit/audit_query.h"
#include "gateway/config/gateway_config.h"
#include "gateway/store/sqlite_audit_log.h"

namespace duet::gateway {
namespace {

constexpr int kOk = 0;
constexpr int kFailed = 1;
constexpr int kUsage = 2;

// The command-line flag a query parameter comes from.
std::string Flag(const std::string& parameter) {
  if (parameter == "_count") return "--limit";
  return "--" + parameter;
}

}  // namespace

int RunAuditCommand(const std::string& config_path, const AuditCommandOptions& options,
                    std::ostream& out, std::ostream& err) {
  auto config = LoadGatewayConfig(config_path);
  if (!config.ok()) {
    err << "cannot read " << config_path << ": " << config.status().message() << "\n";
    return kUsage;
  }
  std::vector<AuditQueryProblem> problems;
  AuditQuery query = ParseAuditQuery(options.params, &problems);
  if (!problems.empty()) {
    for (const AuditQueryProblem& problem : problems) {
      err << Flag(problem.parameter) << ": " << problem.message << "\n";
    }
    return kUsage;
  }
  const std::string& path = config->store.path;
  if (!std::filesystem::exists(path)) {
    err << "no store at " << path << " (store.path): nothing was recorded yet\n";
    return kFailed;
  }
  auto log = SqliteAuditLog::Open(path, nullptr);
  if (!log.ok()) {
    err << "cannot open " << path << ": " << log.status().message() << "\n";
    return kFailed;
  }
  auto page = (*log)->Query(query);
  if (!page.ok()) {
    err << "cannot read the audit trail in " << path << ": " << page.status().message() << "\n";
    return kFailed;
  }
  if (options.json) {
    out << fhir::WriteJson(AuditBundle(*page, options.params, "/admin/v1/audit")) << "\n";
    return kOk;
  }
  for (const std::string& text : page->events) {
    auto event = fhir::ParseJson(text);
    if (event.ok()) out << AuditLine(*event) << "\n";
  }
  out << page->events.size() << " of " << page->total << " event(s)";
  if (page->next_cursor != 0) out << "; raise --limit or narrow the query for more";
  out << "\n";
  return kOk;
}

}  // namespace duet::gateway
