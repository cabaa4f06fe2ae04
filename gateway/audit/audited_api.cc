#include "gateway/audit/audited_api.h"

#include "gateway/audit/audit_entities.h"
#include "gateway/audit/audit_event.h"
#include "gateway/audit/audited_call.h"

namespace duet::gateway {
namespace {

// A read, search or history: what must not be answered without its record.
bool Discloses(const std::string& interaction) {
  const std::string action = AuditAction(interaction);
  return action == "R" || (action == "E" && interaction != "batch" && interaction != "transaction");
}

}  // namespace

AuditedApi::AuditedApi(std::shared_ptr<HttpHandler> inner, AuditLog& log, AuditRules rules,
                       std::function<int64_t()> clock_ms)
    : inner_(std::move(inner)),
      log_(log),
      rules_(std::move(rules)),
      clock_ms_(std::move(clock_ms)) {}

HttpResponse AuditedApi::Failure(int status, const std::string& path,
                                 const std::string& message) const {
  return inner_->Failure(status, path, message);
}

HttpResponse AuditedApi::Handle(const HttpRequest& request) {
  AuditedRequest what = rules_.classify(request);
  if (what.interaction.empty()) return inner_->Handle(request);

  AuditRecord record;
  record.id = NewAuditId();
  record.recorded_ms = clock_ms_();
  record.agent = rules_.identify(request);
  record.remote_address = request.remote_address;
  record.interaction = what.interaction;
  record.resource_type = what.resource_type;
  record.resource_id = what.resource_id;
  record.http_status = what.success_status;
  HttpResponse response;
  if (RunInAuditScope(record, what.record_in_transaction,
                      [&] { response = inner_->Handle(request); })) {
    return response;
  }
  if (!record.resource_id.empty()) {
    AddAuditEntity(record, record.resource_type, record.resource_id, nullptr);
  }
  bool success = AuditOutcomeFor(response.status) == 0;
  const std::string action = AuditAction(what.interaction);
  if (success && rules_.add_returned && (action == "R" || action == "E")) {
    rules_.add_returned(record, request, response);
  }
  Status status = RecordOutcome(log_, record, response.status);
  // A refusal disclosed nothing, and a write has happened either way: only a read is withheld.
  if (status.ok() || !success || !Discloses(what.interaction)) return response;
  return inner_->Failure(500, request.path,
                         "the access could not be recorded in the audit trail; nothing was "
                         "disclosed; try again");
}

}  // namespace duet::gateway
