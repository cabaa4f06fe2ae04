// The audit tables of the store's SQLite file, the one statement sequence that inserts a record
// and the one that reads it back, shared by the resource store's write transaction
// (WriteTransaction::AppendAudit) and SqliteAuditLog. Private to gateway/store. Functions of a
// connection the caller owns.
#pragma once

#include "fhir/status.h"
#include "gateway/audit/audit_record.h"
#include "gateway/store/sqlite_connection.h"

namespace duet::gateway {

// CREATE TABLE IF NOT EXISTS for audit_event and audit_patient (run at store open).
extern const char kAuditSchema[];

// Inserts the record; the caller's transaction decides its fate.
Status InsertAuditRecord(SqliteConnection& db, const AuditRecord& record);

// Deletes the oldest records recorded before `before_ms` (at most `limit`), with their patient
// index rows; how many. The caller's transaction decides their fate.
StatusOr<int64_t> DeleteAuditRecordsBefore(SqliteConnection& db, int64_t before_ms, int64_t limit);

// The columns to select from audit_event for AuditRecordFromRow, in its order.
extern const char kAuditColumns[];
// The record of a row whose kAuditColumns start at column `first`.
AuditRecord AuditRecordFromRow(const SqliteRows& rows, int first);

}  // namespace duet::gateway
