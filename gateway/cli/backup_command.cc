#include "gateway/cli/backup_command.h"

#include <ostream>

#include "gateway/config/gateway_config.h"
#include "gateway/store/sqlite_backup.h"

namespace duet::gateway {
namespace {

constexpr int kOk = 0;
constexpr int kFailed = 1;

}  // namespace

int RunBackupCommand(const std::string& config_path, const std::string& to_path, std::ostream& out,
                     std::ostream& err) {
  StatusOr<GatewayConfig> config = LoadGatewayConfig(config_path);
  if (!config.ok()) {
    err << "cannot read " << config_path << ": " << config.status().message() << "\n";
    return kFailed;
  }
  StatusOr<StoreFileFacts> facts = BackUpSqliteStore(config->store.path, to_path);
  if (!facts.ok()) {
    err << "backup failed: " << facts.status().message() << "\n";
    return kFailed;
  }
  out << "backed up " << config->store.path << " to " << to_path << ": schema version "
      << facts->schema_version << ", " << facts->current_resources << " resources ("
      << facts->history_versions << " versions), " << facts->bytes
      << " bytes, integrity check ok\n";
  return kOk;
}

}  // namespace duet::gateway
