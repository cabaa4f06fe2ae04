// EXPERIMENT, not product code: the evidence for how the PRF → FHIR conversion can reach the 4x
// target of issue 3 (docs/performance.md, "What remains"). It converts the benchmark's plans of
// care into the transaction Bundle text member by member, with no output tree: FieldReader reads,
// the same code tables, conditional URLs, UUIDs and narrative builder, and a compact writer into
// one buffer. It knows the Bundle's own entries up front (a plan of care names its Conditions,
// Goals and CareTeam), so it needs no reference rewriting. Its Bundle differs from `duet convert`'s
// in three details it leaves out (the narrative's sent/signed dates, a Goal milestone's urn:uuid
// target, a text-only CareTeam role): the output is 14,209 bytes against 14,240.
// Prints the baseline (RapidJSON parse + write), the real conversion and this one, best of 5,
// taking turns. Pin it: taskset -c 1 build/bin/text_writer_prototype. Delete it once the mappers
// write text.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>
#include "fhir/json.h"
#include "mappings/code_tables.h"
#include "mappings/extensions.h"
#include "mappings/fhir_bundle_writer.h"
#include "mappings/fhir_elements.h"
#include "mappings/field_reader.h"
#include "mappings/mapping_context.h"
#include "mappings/name_based_uuid.h"
#include "mappings/record_converter.h"

using namespace duet;
using namespace duet::mappings;
using fhir::Json;

struct Out {
  std::string s;  // filled at the end
  std::string buf;
  char* cur;
  char* end;
  bool comma = false;
  Out() {
    buf.resize(1 << 16);
    cur = buf.data();
    end = cur + buf.size();
  }
  void Room(size_t n) {
    if (size_t(end - cur) >= n + 16) return;
    size_t used = cur - buf.data();
    buf.resize(std::max(buf.size() * 2, used + n + 16 + 256));
    cur = buf.data() + used;
    end = buf.data() + buf.size();
  }
  void P(char c) {
    Room(1);
    *cur++ = c;
  }
  void Sep() {
    if (comma) P(',');
    comma = false;
  }
  static bool AnyEsc(uint64_t w) {
    constexpr uint64_t kOnes = 0x0101010101010101ULL, kHighs = 0x8080808080808080ULL;
    auto z = [&](uint64_t v) { return ((v - kOnes) & ~v & kHighs) != 0; };
    return (((w - kOnes * 0x20) & ~w & kHighs) != 0) || z(w ^ (kOnes * '"')) ||
           z(w ^ (kOnes * '\\'));
  }
  void Esc(std::string_view v) {
    Room(2 + v.size() * 2);
    *cur++ = '"';
    const char* in = v.data();
    const char* ie = in + v.size();
    while (ie - in >= 8) {
      uint64_t w;
      memcpy(&w, in, 8);
      if (AnyEsc(w)) {
        for (int k = 0; k < 8; ++k, ++in) {
          unsigned char c = *in;
          if (c < 0x20 || c == '"' || c == '\\') {
            *cur++ = '\\';
            *cur++ = (c == '"' || c == '\\') ? char(c) : 'n';
          } else
            *cur++ = char(c);
        }
        continue;
      }
      memcpy(cur, &w, 8);
      in += 8;
      cur += 8;
    }
    for (; in < ie; ++in) {
      unsigned char c = *in;
      if (c < 0x20 || c == '"' || c == '\\') {
        *cur++ = '\\';
        *cur++ = (c == '"' || c == '\\') ? char(c) : 'n';
      } else
        *cur++ = char(c);
    }
    *cur++ = '"';
  }
  void Raw(std::string_view r) {
    Room(r.size());
    memcpy(cur, r.data(), r.size());
    cur += r.size();
  }
  void Key(std::string_view k) {
    Sep();
    Room(k.size() + 3);
    *cur++ = '"';
    memcpy(cur, k.data(), k.size());
    cur += k.size();
    *cur++ = '"';
    *cur++ = ':';
  }
  std::string Take() { return std::string(buf.data(), cur - buf.data()); }
  void O(std::string_view k) {
    Key(k);
    P('{');
  }
  void A(std::string_view k) {
    Key(k);
    P('[');
  }
  void OI() {
    Sep();
    P('{');
  }
  void E(char c) {
    P(c);
    comma = true;
  }
  void S(std::string_view k, std::string_view v) {
    Key(k);
    Esc(v);
    comma = true;
  }
  void SI(std::string_view v) {
    Sep();
    Esc(v);
    comma = true;
  }
  void N(std::string_view k, std::string_view raw) {
    Key(k);
    Raw(raw);
    comma = true;
  }
  void Ref(std::string_view k, std::string_view url) {
    O(k);
    S("reference", url);
    E('}');
  }
  void Coding(std::string_view sys, std::string_view code, std::string_view display) {
    OI();
    S("system", sys);
    S("code", code);
    if (!display.empty()) S("display", display);
    E('}');
  }
  void Concept(std::string_view k, std::string_view sys, std::string_view code,
               std::string_view display) {
    O(k);
    A("coding");
    Coding(sys, code, display);
    E(']');
    E('}');
  }
  void ConceptI(std::string_view sys, std::string_view code, std::string_view display) {
    OI();
    A("coding");
    Coding(sys, code, display);
    E(']');
    E('}');
  }
  void Meta(std::string_view profile) {
    O("meta");
    A("profile");
    SI(profile);
    E(']');
    E('}');
  }
  void Identifier(std::string_view sys, std::string_view v) {
    A("identifier");
    OI();
    S("system", sys);
    S("value", v);
    E('}');
    E(']');
  }
  void ExtS(std::string_view url, std::string_view vk, std::string_view v) {
    OI();
    S("url", url);
    S(vk, v);
    E('}');
  }
  void Quantity(std::string_view k, std::string_view value, std::string_view unit) {
    O(k);
    N("value", value);
    S("unit", unit);
    S("system", "http://unitsofmeasure.org");
    S("code", unit);
    E('}');
  }
};

std::string TypedKey(std::string_view t, std::string_view s, std::string_view v) {
  std::string k;
  k.reserve(t.size() + s.size() + v.size() + 2);
  k.append(t).append(1, '|').append(s).append(1, '|').append(v);
  return k;
}

const std::initializer_list<std::string_view> kStatuses = {"draft", "active", "on_hold",
                                                           "completed", "voided"};

void Entry(Out& o, const std::string& full_url, std::string_view type, std::string_view sys,
           std::string_view value) {
  // caller has written resource; this writes request
  (void)full_url;
  o.O("request");
  o.S("method", "PUT");
  o.S("url", ConditionalUrl(type, sys, value));
  o.E('}');
}

std::string ConvertProto(const std::string& text, const MappingContext& ctx) {
  auto record = fhir::ParseJson(text);
  Problems problems;
  FieldReader in(&*record, "", PathStyle::kJsonPointer, &problems);
  in.RejectUnknown({"record", "id", "patient_mrn", "discipline", "status", "referral_id",
                    "replaces", "therapist_npi", "start_of_care", "certification", "frequency",
                    "diagnoses", "interventions", "goals", "rehab_potential", "patient_priorities",
                    "care_team", "updated_at"});
  std::string id = in.String("id");
  std::string mrn = in.String("patient_mrn");
  std::string status = in.Enum("status", kStatuses);
  std::string disc = in.Enum("discipline", {"pt", "ot", "slp"});
  const CodeRow* discipline = DisciplineCodes().ByNative(disc);
  const CodeRow* plan_status = PlanStatusCodes().ByNative(status);
  std::string npi = in.String("therapist_npi");
  std::string soc = in.Date("start_of_care");
  FieldReader cert = in.Object("certification");
  std::vector<FieldReader> diagnoses = in.Objects("diagnoses");
  std::vector<FieldReader> goals = in.Objects("goals");
  std::string_view plan_sys = ctx.System(kinds::kPlanOfCare);
  std::string_view cond_sys = ctx.System(kinds::kCondition);
  std::string_view goal_sys = ctx.System(kinds::kGoal);
  std::string_view team_sys = ctx.System(kinds::kCareTeam);
  std::string_view mrn_sys = ctx.System(kinds::kMrn);
  std::string patient_ref = ConditionalUrl("Patient", mrn_sys, mrn);
  std::string therapist_ref = ConditionalUrl("Practitioner", kNpiSystem, npi);
  std::vector<std::string> cond_ids, goal_ids;
  for (size_t r = 0; r < diagnoses.size(); ++r)
    cond_ids.push_back(id + "/" + std::to_string(r + 1));
  for (auto& g : goals) goal_ids.push_back(id + "/" + g.String("id"));
  std::string plan_url = UuidUrn(TypedKey("CarePlan", plan_sys, id));
  std::vector<std::string> cond_urls, goal_urls;
  for (auto& c : cond_ids) cond_urls.push_back(UuidUrn(TypedKey("Condition", cond_sys, c)));
  for (auto& g : goal_ids) goal_urls.push_back(UuidUrn(TypedKey("Goal", goal_sys, g)));
  std::string team_url = UuidUrn(TypedKey("CareTeam", team_sys, id));

  thread_local Out o;
  o.cur = o.buf.data();
  o.comma = false;
  o.P('{');
  o.S("resourceType", "Bundle");
  o.S("type", "transaction");
  o.A("entry");
  // CarePlan
  o.OI();
  o.S("fullUrl", plan_url);
  o.O("resource");
  o.S("resourceType", "CarePlan");
  o.Meta(profiles::kCarePlan);
  o.A("extension");
  o.ExtS(ext::kRecordUpdatedAt, "valueInstant", in.Instant("updated_at"));
  o.ExtS(ext::kStartOfCare, "valueDate", soc);
  cert.RejectUnknown({"from", "to", "physician_npi", "status", "sent_on", "signed_on"});
  std::string phys = cert.String("physician_npi");
  std::string phys_ref = ConditionalUrl("Practitioner", kNpiSystem, phys);
  o.OI();
  o.S("url", ext::kCertification);
  o.A("extension");
  o.ExtS("status", "valueCode",
         cert.Enum("status", {"not_sent", "sent", "signed", "declined", "expired"}));
  o.OI();
  o.S("url", "physician");
  o.Ref("valueReference", phys_ref);
  o.E('}');
  if (auto sent = cert.OptionalDate("sent_on")) o.ExtS("sentOn", "valueDate", *sent);
  if (auto sg = cert.OptionalDate("signed_on")) o.ExtS("signedOn", "valueDate", *sg);
  o.E(']');
  o.E('}');
  if (auto p = in.OptionalEnum("rehab_potential", {"excellent", "good", "fair", "poor"}))
    o.ExtS(ext::kRehabPotential, "valueCode", *p);
  o.E(']');
  o.Identifier(plan_sys, id);
  if (plan_status) o.S("status", plan_status->fhir.code);
  o.S("intent", "plan");
  o.A("category");
  o.ConceptI(kCarePlanCategorySystem, "assess-plan", "Assessment and Plan of Treatment");
  o.ConceptI(kSnomedSystem, "736055001", "Rehabilitation care plan");
  if (discipline)
    o.ConceptI(discipline->fhir.system, discipline->fhir.code, discipline->fhir.display);
  o.E(']');
  o.Ref("subject", patient_ref);
  o.O("period");
  o.S("start", cert.Date("from"));
  o.S("end", cert.Date("to"));
  o.E('}');
  o.Ref("author", therapist_ref);
  o.A("contributor");
  o.OI();
  o.S("reference", phys_ref);
  o.E('}');
  o.E(']');
  auto team = in.OptionalObjects("care_team");
  if (team && !team->empty()) {
    o.A("careTeam");
    o.OI();
    o.S("reference", team_url);
    o.E('}');
    o.E(']');
  }
  o.A("addresses");
  for (auto& u : cond_urls) {
    o.OI();
    o.S("reference", u);
    o.E('}');
  }
  o.E(']');
  if (auto ref = in.OptionalString("referral_id")) {
    o.A("supportingInfo");
    o.OI();
    o.S("reference", ConditionalUrl("ServiceRequest", ctx.System(kinds::kReferral), *ref));
    o.E('}');
    o.E(']');
  }
  o.A("goal");
  for (auto& u : goal_urls) {
    o.OI();
    o.S("reference", u);
    o.E('}');
  }
  o.E(']');
  o.A("activity");
  FieldReader freq = in.Object("frequency");
  freq.RejectUnknown({"per_week", "weeks", "per_day"});
  Json per_week = freq.Integer("per_week"), weeks = freq.Integer("weeks");
  o.OI();
  o.O("detail");
  o.S("kind", "ServiceRequest");
  if (discipline)
    o.Concept("code", discipline->fhir.system, discipline->fhir.code, discipline->fhir.display);
  o.S("status", "in-progress");
  o.O("scheduledTiming");
  o.O("repeat");
  o.Quantity("boundsDuration", weeks.number_text(), "wk");
  o.N("frequency", per_week.number_text());
  o.N("period", "1");
  o.S("periodUnit", "wk");
  o.E('}');
  o.E('}');
  o.E('}');
  o.E('}');
  for (const FieldReader& iv : in.Objects("interventions")) {
    iv.RejectUnknown({"cpt", "description", "status"});
    const CodeRow* st = InterventionStatusCodes().ByNative(
        iv.Enum("status", {"planned", "active", "completed", "stopped"}));
    o.OI();
    o.O("detail");
    o.S("kind", "ServiceRequest");
    o.Concept("code", kCptSystem, iv.String("cpt"), iv.OptionalString("description").value_or(""));
    if (st) o.S("status", st->fhir.code);
    o.E('}');
    o.E('}');
  }
  o.E(']');
  if (auto pr = in.OptionalString("patient_priorities")) {
    o.A("note");
    o.OI();
    o.S("text", *pr);
    o.E('}');
    o.E(']');
  }
  {
    NarrativeBuilder nb("Plan of care " + id);
    nb.Item({"Certification period"}, {cert.Date("from"), " to ", cert.Date("to")});
    nb.Item({"Physician certification"}, {cert.String("status")});
    nb.Item("Start of care", soc);
    nb.Item({"Frequency"}, {per_week.number_text(), "x/week for ", weeks.number_text(), " weeks"});
    for (auto& d : diagnoses)
      nb.Item({"Diagnosis"},
              {d.String("icd10"), " ", d.OptionalString("description").value_or("")});
    for (auto& g : goals)
      nb.Item({"Goal ", g.String("id"), " (", g.String("term"), " term, ", g.String("status"), ")"},
              {g.String("description")});
    if (auto p = in.OptionalString("rehab_potential")) nb.Item("Rehab potential", *p);
    if (auto p = in.OptionalString("patient_priorities")) nb.Item("Patient priorities", *p);
    Json narrative = nb.Build();
    o.O("text");
    o.S("status", "generated");
    o.S("div", narrative.StringOr("div"));
    o.E('}');
  }
  o.E('}');
  Entry(o, plan_url, "CarePlan", plan_sys, id);
  o.E('}');
  // Conditions
  for (size_t r = 0; r < diagnoses.size(); ++r) {
    const FieldReader& d = diagnoses[r];
    d.RejectUnknown({"icd10", "description", "onset"});
    o.OI();
    o.S("fullUrl", cond_urls[r]);
    o.O("resource");
    o.S("resourceType", "Condition");
    o.Meta(profiles::kCondition);
    o.A("extension");
    o.OI();
    o.S("url", ext::kRank);
    o.N("valuePositiveInt", std::to_string(r + 1));
    o.E('}');
    o.E(']');
    o.Identifier(cond_sys, cond_ids[r]);
    o.Concept("clinicalStatus", kConditionClinicalSystem, "active", "Active");
    o.Concept("verificationStatus", kConditionVerificationSystem, "confirmed", "Confirmed");
    o.A("category");
    o.ConceptI(kConditionCategorySystem, "encounter-diagnosis", "Encounter Diagnosis");
    o.E(']');
    o.Concept("code", kIcd10System, d.String("icd10"),
              d.OptionalString("description").value_or(""));
    o.Ref("subject", patient_ref);
    if (auto on = d.OptionalDate("onset")) o.S("onsetDateTime", *on);
    o.E('}');
    Entry(o, cond_urls[r], "Condition", cond_sys, cond_ids[r]);
    o.E('}');
  }
  // Goals
  for (size_t i = 0; i < goals.size(); ++i) {
    const FieldReader& g = goals[i];
    g.RejectUnknown({"id", "term", "description", "measure", "baseline", "target", "target_date",
                     "status", "supports"});
    auto gs = GoalStatusToFhir(
        g.Enum("status", {"ongoing", "met", "partially_met", "not_met", "discontinued"}));
    o.OI();
    o.S("fullUrl", goal_urls[i]);
    o.O("resource");
    o.S("resourceType", "Goal");
    o.Meta(profiles::kGoal);
    o.A("extension");
    o.ExtS(ext::kGoalTerm, "valueCode", g.Enum("term", {"short", "long"}));
    if (auto b = g.OptionalObject("baseline")) {
      b->RejectUnknown({"value", "unit"});
      o.OI();
      o.S("url", ext::kGoalBaseline);
      o.Quantity("valueQuantity", b->Number("value").number_text(), b->String("unit"));
      o.E('}');
    }
    std::string gid = g.String("id");
    for (auto& other : goals)
      if (other.OptionalString("supports") == gid)
        for (auto& sgi : std::vector<std::string>{other.String("id")}) {
          o.OI();
          o.S("url", kGoalRelationshipUrl);
          o.A("extension");
          o.OI();
          o.S("url", "type");
          o.Concept("valueCodeableConcept", kGoalRelationshipTypeSystem, "milestone", "Milestone");
          o.E('}');
          o.OI();
          o.S("url", "target");
          o.Ref("valueReference", ConditionalUrl("Goal", goal_sys, id + "/" + sgi));
          o.E('}');
          o.E(']');
          o.E('}');
        }
    o.E(']');
    o.Identifier(goal_sys, goal_ids[i]);
    if (gs) o.S("lifecycleStatus", gs->lifecycle);
    if (gs && !gs->achievement.empty())
      o.Concept("achievementStatus", kGoalAchievementSystem, gs->achievement, "");
    if (disc == "pt") {
      o.A("category");
      o.ConceptI(kGoalCategorySystem, "physiotherapy", "Physiotherapy");
      o.E(']');
    }
    o.O("description");
    o.S("text", g.String("description"));
    o.E('}');
    o.Ref("subject", patient_ref);
    o.S("startDate", soc);
    auto measure = g.OptionalString("measure");
    auto target = g.OptionalObject("target");
    auto due = g.OptionalDate("target_date");
    if (measure || target || due) {
      o.A("target");
      o.OI();
      if (measure) {
        o.O("measure");
        o.S("text", *measure);
        o.E('}');
      }
      if (target) {
        target->RejectUnknown({"value", "unit"});
        o.Quantity("detailQuantity", target->Number("value").number_text(), target->String("unit"));
      }
      if (due) o.S("dueDate", *due);
      o.E('}');
      o.E(']');
    }
    o.Ref("expressedBy", therapist_ref);
    o.E('}');
    Entry(o, goal_urls[i], "Goal", goal_sys, goal_ids[i]);
    o.E('}');
  }
  if (team && !team->empty()) {
    o.OI();
    o.S("fullUrl", team_url);
    o.O("resource");
    o.S("resourceType", "CareTeam");
    o.Meta(profiles::kCareTeam);
    o.Identifier(team_sys, id);
    o.S("status", "active");
    o.S("name", "Care team of plan of care " + id);
    o.Ref("subject", patient_ref);
    o.A("participant");
    for (auto& m : *team) {
      m.RejectUnknown({"npi", "role"});
      const CodeRow* row = ProviderRoleCodes().ByNative(m.String("role"));
      o.OI();
      o.A("role");
      if (row && !row->fhir.code.empty()) {
        o.OI();
        o.A("coding");
        o.Coding(row->fhir.system, row->fhir.code, row->fhir.display);
        o.E(']');
        o.S("text", row->fhir.display);
        o.E('}');
      }
      o.E(']');
      o.Ref("member", ConditionalUrl("Practitioner", kNpiSystem, m.String("npi")));
      o.E('}');
    }
    o.E(']');
    o.E('}');
    Entry(o, team_url, "CareTeam", team_sys, id);
    o.E('}');
  }
  o.E(']');
  o.E('}');
  if (!problems.empty()) return "";
  return o.Take();
}

size_t RJ(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str(), text.size());
  rapidjson::StringBuffer b;
  rapidjson::Writer<rapidjson::StringBuffer> w(b);
  d.Accept(w);
  return b.GetSize();
}
std::string Real(const std::string& text, const MappingContext& ctx) {
  auto r = fhir::ParseJson(text);
  auto res = ToFhir(*r, ctx);
  return WriteTransactionBundle(std::move(*res), false);
}

int main() {
  std::ifstream in(DUET_FIXTURES_DIR "/prf/plan_of_care.json");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string fixture = ss.str();
  std::vector<std::string> recs;
  for (int i = 0; i < 10000; ++i) {
    std::string t = fixture;
    for (size_t at = t.find("POC-8812-1"); at != std::string::npos; at = t.find("POC-8812-1", at)) {
      std::string id = "POC-" + std::to_string(100000 + i);
      t.replace(at, 10, id);
      at += id.size();
    }
    recs.push_back(t);
  }
  MappingContext ctx("https://saguaro-rehab.example/sid");
  std::string p = ConvertProto(recs[0], ctx), r = Real(recs[0], ctx);
  std::cout << "proto " << p.size() << " bytes, real " << r.size() << " bytes\n";
  auto pj = fhir::ParseJson(p);
  std::cout << "prototype output parses: " << (pj.ok() ? "yes" : "no") << "\n";
  double best[3] = {1e9, 1e9, 1e9};
  size_t sum = 0;
  for (int round = 0; round < 5; ++round) {
    for (int w = 0; w < 3; ++w) {
      auto t0 = std::chrono::steady_clock::now();
      for (auto& t : recs)
        sum += w == 0 ? RJ(t) : w == 1 ? Real(t, ctx).size() : ConvertProto(t, ctx).size();
      double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (s < best[w]) best[w] = s;
    }
  }
  std::printf("baseline %.3f s, real %.3f s (%.2fx), proto %.3f s (%.2fx)  (%zu)\n", best[0],
              best[1], best[1] / best[0], best[2], best[2] / best[0], sum);
}
