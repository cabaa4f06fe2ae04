// `duet sync run|status|retry`: the sync jobs from the command line (docs/admin-guide.md).
//   run [JOB...] [--endpoint NAME]  runs configured jobs now (all when none is named), one
//                                   progress line each; a job kind with --endpoint runs that kind
//                                   ad hoc against the endpoint, without a schedule
//   status                          last and next run, counts, errors and dead letters per job
//   retry [JOB]                     makes dead letters (of one job, or all) pending again
// Each reads the configuration file and opens the store it names; `run` may be used while the
// gateway serves, since the jobs only read the practice's resources and their own sync state.
//
// Stateless; the streams are the caller's.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace duet::gateway {

// Exit codes: 0 success, 1 a job failed (or a dead letter exists, for status), 2 usage or
// configuration error.
int RunSyncRunCommand(const std::string& config_path, const std::vector<std::string>& jobs,
                      const std::string& endpoint, std::ostream& out, std::ostream& err);
int RunSyncStatusCommand(const std::string& config_path, std::ostream& out, std::ostream& err);
int RunSyncRetryCommand(const std::string& config_path, const std::string& job, std::ostream& out,
                        std::ostream& err);

}  // namespace duet::gateway
