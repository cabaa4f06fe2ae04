#include "gateway/store/sqlite_audit_rows.h"

#include "fhir/json.h"
#include "gateway/audit/audit_event.h"

namespace duet::gateway {

// audit_event: one row per AuditEvent (seq gives the order of commit); audit_patient: the
// patients of each, for searches by patient. client_id holds the agent's kind when it is not a
// SMART client ("development", "practice", "unauthenticated").
const char kAuditSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS audit_event (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  recorded_ms INTEGER NOT NULL,
  client_id TEXT NOT NULL,
  organization_npi TEXT NOT NULL,
  interaction TEXT NOT NULL,
  resource_type TEXT NOT NULL,
  resource_id TEXT NOT NULL,
  outcome INTEGER NOT NULL,
  remote_address TEXT NOT NULL,
  json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_event_recorded ON audit_event (recorded_ms);
CREATE INDEX IF NOT EXISTS audit_event_client ON audit_event (client_id, seq);
CREATE TABLE IF NOT EXISTS audit_patient (
  patient_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (patient_id, seq)
) WITHOUT ROWID;
)sql";

Status InsertAuditRecord(SqliteConnection& db, const AuditRecord& record) {
  const AuditAgent& agent = record.agent;
  std::string client = agent.kind == "client" ? agent.client_id : agent.kind;
  DUET_RETURN_IF_ERROR(
      db.Run({"INSERT INTO audit_event (id, recorded_ms, client_id, organization_npi, interaction, "
              "resource_type, resource_id, outcome, remote_address, json) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              {record.id, record.recorded_ms, client, agent.organization_npi, record.interaction,
               record.resource_type, record.resource_id, int64_t{record.outcome},
               record.remote_address, fhir::WriteJson(BuildAuditEvent(record))}}));
  for (const std::string& patient : record.patients) {
    DUET_RETURN_IF_ERROR(
        db.Run({"INSERT OR IGNORE INTO audit_patient (patient_id, seq) "
                "SELECT ?, seq FROM audit_event WHERE id = ?",
                {patient, record.id}}));
  }
  return Status::Ok();
}

}  // namespace duet::gateway
