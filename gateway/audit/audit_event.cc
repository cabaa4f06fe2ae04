#include "gateway/audit/audit_event.h"

#include "fhir/search/date_range.h"

namespace duet::gateway {
namespace {

using fhir::Json;

Json Coding(const char* system, const std::string& code, const std::string& display = "") {
  Json coding = Json::MakeObject();
  coding.Set("system", Json::String(system));
  coding.Set("code", Json::String(code));
  if (!display.empty()) coding.Set("display", Json::String(display));
  return coding;
}

Json Concept(Json coding) {
  Json concept_json = Json::MakeObject();
  Json codings = Json::MakeArray();
  codings.Append(std::move(coding));
  concept_json.Set("coding", std::move(codings));
  return concept_json;
}

Json Entity(const std::string& reference, bool patient) {
  constexpr char kEntityType[] = "http://terminology.hl7.org/CodeSystem/audit-entity-type";
  constexpr char kRole[] = "http://terminology.hl7.org/CodeSystem/object-role";
  Json entity = Json::MakeObject();
  Json what = Json::MakeObject();
  what.Set("reference", Json::String(reference));
  entity.Set("what", std::move(what));
  entity.Set("type", patient ? Coding(kEntityType, "1", "Person")
                             : Coding(kEntityType, "2", "System Object"));
  entity.Set("role",
             patient ? Coding(kRole, "1", "Patient") : Coding(kRole, "4", "Domain Resource"));
  return entity;
}

Json ParticipationType(const char* code, const char* display) {
  return Concept(
      Coding("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", code, display));
}

// The agent's network address: an IP address, or a URL (a sync job's partner endpoint).
Json Network(const std::string& address) {
  Json network = Json::MakeObject();
  network.Set("address", Json::String(address));
  network.Set("type", Json::String(address.find("://") == std::string::npos ? "2" : "5"));
  return network;
}

Json Who(const AuditAgent& agent, const std::string& display) {
  Json who = Json::MakeObject();
  if (!agent.organization_npi.empty()) {
    Json identifier = Json::MakeObject();
    identifier.Set("system", Json::String("http://hl7.org/fhir/sid/us-npi"));
    identifier.Set("value", Json::String(agent.organization_npi));
    who.Set("identifier", std::move(identifier));
  }
  who.Set("display", Json::String(display));
  return who;
}

Json Agent(const AuditRecord& record) {
  const AuditAgent& agent = record.agent;
  std::string name = AuditClientName(agent);
  std::string display = name;
  if (agent.kind == "client") display = "client " + name;
  if (agent.kind == "sync") display = "sync job " + name;
  Json json = Json::MakeObject();
  json.Set("type", ParticipationType("AUT", "author (originator)"));
  json.Set("who", Who(agent, display));
  json.Set("altId", Json::String(name));
  json.Set("name", Json::String(name));
  json.Set("requestor", Json::Bool(true));
  if (!record.remote_address.empty() && agent.kind != "sync") {
    json.Set("network", Network(record.remote_address));
  }
  return json;
}

// The partner a sync job exchanged with: the recipient of what was pushed, the informant of
// what was pulled.
Json PartnerAgent(const AuditRecord& record) {
  const std::string action = AuditAction(record.interaction);
  bool pulled = action == "R" || record.interaction.rfind("search", 0) == 0;
  Json json = Json::MakeObject();
  json.Set("type", pulled ? ParticipationType("INF", "informant")
                          : ParticipationType("IRCP", "information recipient"));
  json.Set("who", Who(record.agent, "partner endpoint " + record.remote_address));
  json.Set("requestor", Json::Bool(false));
  if (!record.remote_address.empty()) json.Set("network", Network(record.remote_address));
  return json;
}

std::string OutcomeDescription(const AuditRecord& record) {
  if (record.http_status == 0) return "no answer: the partner could not be reached";
  std::string text = "HTTP " + std::to_string(record.http_status);
  if (record.outcome == 0) return text;
  switch (record.http_status) {
    case 401: return text + ": no valid bearer token";
    case 403: return text + ": the token's scopes do not allow this";
    case 404: return text + ": not found or not visible to this client";
    default: return text;
  }
}

}  // namespace

std::string AuditAction(const std::string& interaction) {
  if (interaction == "create") return "C";
  if (interaction == "read" || interaction == "vread") return "R";
  if (interaction == "update" || interaction == "patch") return "U";
  if (interaction == "delete") return "D";
  return "E";  // searches, histories, batches and transactions
}

Json BuildAuditEvent(const AuditRecord& record) {
  Json event = Json::MakeObject();
  event.Set("resourceType", Json::String("AuditEvent"));
  event.Set("id", Json::String(record.id));
  event.Set("type", Coding("http://terminology.hl7.org/CodeSystem/audit-event-type", "rest",
                           "Restful Operation"));
  Json subtype = Json::MakeArray();
  subtype.Append(Coding("http://hl7.org/fhir/restful-interaction", record.interaction));
  event.Set("subtype", std::move(subtype));
  event.Set("action", Json::String(AuditAction(record.interaction)));
  event.Set("recorded", Json::String(fhir::FormatInstantMillis(record.recorded_ms)));
  event.Set("outcome", Json::String(std::to_string(record.outcome)));
  event.Set("outcomeDesc", Json::String(OutcomeDescription(record)));
  Json agents = Json::MakeArray();
  agents.Append(Agent(record));
  if (record.agent.kind == "sync") agents.Append(PartnerAgent(record));
  event.Set("agent", std::move(agents));
  Json source = Json::MakeObject();
  source.Set("site", Json::String("duet"));
  Json observer = Json::MakeObject();
  observer.Set("display", Json::String("Duet FHIR gateway"));
  source.Set("observer", std::move(observer));
  Json source_types = Json::MakeArray();
  source_types.Append(Coding("http://terminology.hl7.org/CodeSystem/security-source-type", "4",
                             "Application Server"));
  source.Set("type", std::move(source_types));
  event.Set("source", std::move(source));
  Json entities = Json::MakeArray();
  for (const std::string& patient : record.patients) {
    entities.Append(Entity("Patient/" + patient, true));
  }
  for (const std::string& resource : record.resources) {
    if (resource.rfind("Patient/", 0) == 0) continue;  // already there as the patient
    entities.Append(Entity(resource, false));
  }
  if (!entities.items().empty()) event.Set("entity", std::move(entities));
  return event;
}

}  // namespace duet::gateway
