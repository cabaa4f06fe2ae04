#include "gateway/cli/endpoints_command.h"

#include <ostream>

#include "gateway/admin_api/config_editor.h"
#include "gateway/config/gateway_config.h"
#include "gateway/sync/endpoint_auth.h"
#include "gateway/sync/endpoint_check.h"

namespace duet::gateway {
namespace {

constexpr int kOk = 0;
constexpr int kFailed = 1;
constexpr int kUsage = 2;
constexpr char kReloadHint[] =
    "a running gateway uses it after a reload (systemctl reload duet, or SIGHUP)";

int Refused(std::ostream& err, const std::string& what, const Status& status) {
  err << what << status.message() << "\n";
  return kUsage;
}

}  // namespace

int RunEndpointsListCommand(const std::string& config_path, std::ostream& out, std::ostream& err) {
  auto config = LoadGatewayConfig(config_path);
  if (!config.ok()) {
    err << config.status().message() << "\n";
    return kUsage;
  }
  if (config->endpoints.empty()) out << "no endpoints are configured\n";
  for (const EndpointConfig& endpoint : config->endpoints)
    out << DescribeEndpoint(endpoint) << "\n";
  return kOk;
}

int RunEndpointsAddCommand(const std::string& config_path, const EndpointConfig& endpoint,
                           std::ostream& out, std::ostream& err) {
  ConfigEditor editor(config_path);
  auto added = editor.Add(ConfigCollection::Endpoints(), EndpointToJson(endpoint));
  if (!added.ok())
    return Refused(err, "not added; the configuration would be invalid:\n", added.status());
  out << "added " << endpoint.name << " to " << config_path << "; " << kReloadHint << "\n";
  return kOk;
}

int RunEndpointsRemoveCommand(const std::string& config_path, const std::string& name,
                              std::ostream& out, std::ostream& err) {
  ConfigEditor editor(config_path);
  auto removed = editor.Remove(ConfigCollection::Endpoints(), name);
  if (!removed.ok()) return Refused(err, "not removed: ", removed.status());
  out << "removed " << name << " from " << config_path << "; " << kReloadHint << "\n";
  return kOk;
}

int RunEndpointsTestCommand(const std::string& config_path, const std::string& name,
                            std::ostream& out, std::ostream& err) {
  auto config = LoadGatewayConfig(config_path);
  if (!config.ok()) {
    err << config.status().message() << "\n";
    return kUsage;
  }
  const EndpointConfig* endpoint = nullptr;
  for (const EndpointConfig& candidate : config->endpoints) {
    if (candidate.name == name) endpoint = &candidate;
  }
  if (endpoint == nullptr) {
    err << "no endpoint is named \"" << name << "\"\n";
    return kUsage;
  }
  out << "endpoint " << DescribeEndpoint(*endpoint) << "\n";
  EndpointCheckReport report = CheckEndpoint(*endpoint, SystemClockSeconds());
  for (const EndpointCheck& check : report.checks) {
    std::string outcome = check.outcome == "fail" ? "FAIL" : check.outcome;
    outcome.resize(5, ' ');
    out << outcome << check.what << (check.detail.empty() ? "" : ": " + check.detail) << "\n";
  }
  return report.ok() ? kOk : kFailed;
}

}  // namespace duet::gateway
