// `duet backup --config FILE --to PATH`: a consistent copy of the store file named by the
// configuration's store.path, made while the gateway serves or not, checked with SQLite's
// integrity check before it is given its name; an existing PATH is never overwritten
// (docs/admin-guide.md, "Back up the store").
//
// Stateless; the streams are the caller's.
#pragma once

#include <iosfwd>
#include <string>

namespace duet::gateway {

// Prints one line describing the copy to `out` and returns 0; or prints why not to `err` and
// returns 1 (unreadable configuration, no store file, PATH exists, copy failed or not intact).
int RunBackupCommand(const std::string& config_path, const std::string& to_path, std::ostream& out,
                     std::ostream& err);

}  // namespace duet::gateway
