// Online backup of the SQLite store file (`duet backup`, docs/admin-guide.md).
//
// BackUpSqliteStore copies the whole database (resources, history, search index, sync state,
// replay cache) with SQLite's VACUUM INTO in one read transaction, so the copy is one consistent
// snapshot even while `duet serve` keeps writing (in WAL mode writers do not wait for that
// reader), and compact: the pages the store freed are not carried into it. The copy is written
// to a private temporary file beside the target, switched to a self-contained rollback-journal
// database, checked with `PRAGMA integrity_check`, synced, and only then linked to the target
// name, which never overwrites an existing file. The copy is created with mode 0600: it holds
// patient data.
//
// CheckSqliteStoreFile verifies a database file the same way (integrity, schema version,
// resource count) without changing it, e.g. a backup before it is restored.
//
// Stateless functions; any thread may call them.
#pragma once

#include <cstdint>
#include <string>

#include "fhir/status.h"

namespace duet::gateway {

// What a store file holds, as checked.
struct StoreFileFacts {
  int64_t schema_version = 0;
  int64_t current_resources = 0;  // resources whose current version is not deleted
  int64_t history_versions = 0;   // every stored version of every resource
  int64_t bytes = 0;              // size of the file
};

// Copies the store at `store_path` to the new file `copy_path`. kNotFound when there is no store
// file (or the target's directory is missing), kAlreadyExists when `copy_path` exists,
// kFailedPrecondition when the file is not a Duet store, kUnavailable when the store stays locked,
// kInternal when the copy fails its integrity check (nothing is left at `copy_path` then).
StatusOr<StoreFileFacts> BackUpSqliteStore(const std::string& store_path,
                                           const std::string& copy_path);

// Opens `path` (which must exist) and checks it: kInternal with SQLite's findings when
// `PRAGMA integrity_check` is not "ok", kFailedPrecondition when it is not a Duet store.
StatusOr<StoreFileFacts> CheckSqliteStoreFile(const std::string& path);

}  // namespace duet::gateway
