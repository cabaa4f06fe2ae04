#include "gateway/store/sqlite_audit_rows.h"

namespace duet::gateway {

// audit_event: one row per AuditEvent (seq gives the order of commit), the record's fields only:
// the AuditEvent JSON is built from them when read (BuildAuditEvent), which keeps a row to a few
// hundred bytes and the write path cheap. patients and resources are "\n"-separated lists.
// audit_patient: the patients of each event, for searches by patient. Only the oldest rows are
// ever deleted (the retention period), so seq (the rowid) keeps growing; id (random) has no
// index, which keeps inserts to appends. client_id holds the agent's kind when it has no client id
// of its own ("development", "practice", "unauthenticated"); a sync job's is its name.
const char kAuditSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS audit_event (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL,
  recorded_ms INTEGER NOT NULL,
  agent_kind TEXT NOT NULL,
  client_id TEXT NOT NULL,
  organization_npi TEXT NOT NULL,
  interaction TEXT NOT NULL,
  resource_type TEXT NOT NULL,
  resource_id TEXT NOT NULL,
  http_status INTEGER NOT NULL,
  outcome INTEGER NOT NULL,
  remote_address TEXT NOT NULL,
  patients TEXT NOT NULL,
  resources TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_event_recorded ON audit_event (recorded_ms);
CREATE INDEX IF NOT EXISTS audit_event_client ON audit_event (client_id, seq);
CREATE TABLE IF NOT EXISTS audit_patient (
  patient_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (patient_id, seq)
) WITHOUT ROWID;
)sql";

const char kAuditColumns[] =
    "id, recorded_ms, agent_kind, client_id, organization_npi, interaction, resource_type, "
    "resource_id, http_status, outcome, remote_address, patients, resources";

namespace {

std::string JoinLines(const std::vector<std::string>& items) {
  std::string text;
  for (const std::string& item : items) {
    if (!text.empty()) text += '\n';
    text += item;
  }
  return text;
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> items;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    items.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return items;
}

}  // namespace

AuditRecord AuditRecordFromRow(const SqliteRows& rows, int first) {
  AuditRecord record;
  record.id = rows.Text(first);
  record.recorded_ms = rows.Int64(first + 1);
  record.agent.kind = rows.Text(first + 2);
  if (record.agent.kind == "client" || record.agent.kind == "sync") {
    record.agent.client_id = rows.Text(first + 3);
  }
  record.agent.organization_npi = rows.Text(first + 4);
  record.interaction = rows.Text(first + 5);
  record.resource_type = rows.Text(first + 6);
  record.resource_id = rows.Text(first + 7);
  record.http_status = static_cast<int>(rows.Int64(first + 8));
  record.outcome = static_cast<int>(rows.Int64(first + 9));
  record.remote_address = rows.Text(first + 10);
  record.patients = SplitLines(rows.Text(first + 11));
  record.resources = SplitLines(rows.Text(first + 12));
  return record;
}

Status InsertAuditRecord(SqliteConnection& db, const AuditRecord& record) {
  const AuditAgent& agent = record.agent;
  std::string client = AuditClientName(agent);
  DUET_RETURN_IF_ERROR(db.Run(
      {"INSERT INTO audit_event (id, recorded_ms, agent_kind, client_id, organization_npi, "
       "interaction, resource_type, resource_id, http_status, outcome, remote_address, patients, "
       "resources) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
       {record.id, record.recorded_ms, agent.kind, client, agent.organization_npi,
        record.interaction, record.resource_type, record.resource_id, int64_t{record.http_status},
        int64_t{record.outcome}, record.remote_address, JoinLines(record.patients),
        JoinLines(record.resources)}}));
  const int64_t seq = db.last_insert_rowid();
  for (const std::string& patient : record.patients) {
    DUET_RETURN_IF_ERROR(db.Run(
        {"INSERT OR IGNORE INTO audit_patient (patient_id, seq) VALUES (?, ?)", {patient, seq}}));
  }
  return Status::Ok();
}

StatusOr<int64_t> DeleteAuditRecordsBefore(SqliteConnection& db, int64_t before_ms, int64_t limit) {
  struct Pruned {
    int64_t seq;
    std::vector<std::string> patients;
  };
  std::vector<Pruned> batch;
  {
    DUET_ASSIGN_OR_RETURN(SqliteRows rows,
                          db.Query({"SELECT seq, patients FROM audit_event WHERE recorded_ms < ? "
                                    "ORDER BY recorded_ms LIMIT ?",
                                    {before_ms, limit}}));
    DUET_ASSIGN_OR_RETURN(batch, CollectRows<Pruned>(rows, [](const SqliteRows& row) {
                            return Pruned{row.Int64(0), SplitLines(row.Text(1))};
                          }));
  }
  // By primary key, row by row: audit_patient is keyed (patient_id, seq) and has no index on seq.
  for (const Pruned& pruned : batch) {
    for (const std::string& patient : pruned.patients) {
      DUET_RETURN_IF_ERROR(db.Run(
          {"DELETE FROM audit_patient WHERE patient_id = ? AND seq = ?", {patient, pruned.seq}}));
    }
    DUET_RETURN_IF_ERROR(db.Run({"DELETE FROM audit_event WHERE seq = ?", {pruned.seq}}));
  }
  return static_cast<int64_t>(batch.size());
}

}  // namespace duet::gateway
