#include "tests/mappings/random_records.h"

#include <algorithm>
#include <cstdio>
#include <utility>

namespace duet::mappings::testing {
namespace {

using fhir::Json;

Json S(const std::string& text) { return Json::String(text); }

const std::vector<std::string>& Fragments() {
  static const auto* fragments = new std::vector<std::string>{"Walk",        "to the mailbox",
                                                              "José",        "Müller-Lüdenscheid",
                                                              "Søren",       "O'Brien",
                                                              "<b>bold</b>", "a & b",
                                                              "\"quoted\"",  "東京",
                                                              "Привет",      "مرحبا",
                                                              "🙂 smile",  "2 x 10, hold 5 s",
                                                              "100%",        "line one\nline two",
                                                              "tab\tinside", "back\\slash",
                                                              "semi;colon",  "pipe|bar",
                                                              "comma, too",  "dollar $5",
                                                              "question?",   "hash #1"};
  return *fragments;
}

}  // namespace

bool RandomRecords::Coin(double probability) {
  return std::bernoulli_distribution(probability)(rng_);
}

int RandomRecords::Between(int low, int high) {
  return std::uniform_int_distribution<int>(low, high)(rng_);
}

std::string RandomRecords::Text() {
  std::string text = Pick(Fragments());
  int more = Between(0, 3);
  for (int i = 0; i < more; ++i) text += " " + Pick(Fragments());
  return text;
}

std::string RandomRecords::Id(const std::string& prefix) {
  std::string id = prefix + "-" + std::to_string(Between(1, 99999));
  if (Coin(0.2)) id += Pick(std::vector<std::string>{" x", "/7", "|2", "é", "?a=b&c", "#9"});
  return id;
}

std::string RandomRecords::Npi() {
  std::string digits = std::to_string(Between(1, 2));
  for (int i = 0; i < 8; ++i) digits += static_cast<char>('0' + Between(0, 9));
  std::string payload = "80840" + digits;
  int sum = 0;
  bool twice = true;
  for (auto it = payload.rbegin(); it != payload.rend(); ++it) {
    int digit = *it - '0';
    if (twice) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    twice = !twice;
  }
  return digits + static_cast<char>('0' + (10 - sum % 10) % 10);
}

std::string RandomRecords::Date() {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int year = Between(1930, 2030);
  int month = Between(1, 12);
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  int day = Between(1, kDays[month - 1] + (month == 2 && leap ? 1 : 0));
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d", year, month, day);
  return buffer;
}

std::pair<std::string, std::string> RandomRecords::DateRange() {
  std::string first = Date();
  std::string second = Date();
  if (second < first) std::swap(first, second);
  return {first, second};
}

std::string RandomRecords::Instant() {
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "T%02d:%02d:%02d", Between(0, 23), Between(0, 59),
                Between(0, 59));
  std::string instant = Date() + buffer;
  if (Coin(0.3)) instant += "." + std::to_string(Between(0, 999));
  instant += Pick(std::vector<std::string>{"Z", "-07:00", "+05:30", "+00:00", "-12:00"});
  return instant;
}

std::string RandomRecords::Icd10() {
  std::string code(1, static_cast<char>('A' + Between(0, 25)));
  code += static_cast<char>('0' + Between(0, 9));
  code += static_cast<char>('0' + Between(0, 9));
  if (Coin(0.8)) {
    code += '.';
    int length = Between(1, 4);
    for (int i = 0; i < length; ++i) code += static_cast<char>('0' + Between(0, 9));
  }
  return code;
}

std::string RandomRecords::Email() {
  return Pick(std::vector<std::string>{"a", "jose.muller", "x_y"}) + "@" +
         Pick(std::vector<std::string>{"example.com", "direct.clinic.example"});
}

std::string RandomRecords::Url() {
  return Pick(std::vector<std::string>{"https://", "http://"}) + "learn.example/" +
         std::to_string(Between(1, 9999)) + Pick(std::vector<std::string>{"", "?v=2", "#t=10"});
}

Json RandomRecords::Integer(int low, int high) { return Json::Integer(Between(low, high)); }

Json RandomRecords::Decimal() {
  return Json::Number(
      Pick(std::vector<std::string>{"0", "12", "18.4", "1.50", "-3", "115", "0.25", "99.999"}));
}

Json RandomRecords::TextList(int low, int high) {
  Json list = Json::MakeArray();
  int count = Between(low, high);
  for (int i = 0; i < count; ++i) list.Append(S(Text()));
  return list;
}

Json RandomRecords::Diagnosis(bool with_onset) {
  Json diagnosis = Json::MakeObject();
  diagnosis.Set("icd10", S(Icd10()));
  if (Coin()) diagnosis.Set("description", S(Text()));
  if (with_onset && Coin()) diagnosis.Set("onset", S(Date()));
  return diagnosis;
}

Json RandomRecords::Patient() {
  Json record = Json::MakeObject();
  record.Set("record", S("patient"));
  record.Set("mrn", S(Id("PT")));
  Json name = Json::MakeObject();
  name.Set("family", S(Text()));
  name.Set("given", TextList(0, 3));
  if (Coin(0.3)) name.Set("prefix", TextList(0, 2));
  if (Coin(0.3)) name.Set("suffix", TextList(0, 2));
  record.Set("name", std::move(name));
  record.Set("birth_date", S(Date()));
  record.Set("sex", S(Pick(std::vector<std::string>{"female", "male", "other", "unknown"})));
  if (Coin()) record.Set("phone", S(Text()));
  if (Coin()) record.Set("email", S(Email()));
  if (Coin()) {
    Json address = Json::MakeObject();
    address.Set("lines", TextList(0, 3));
    address.Set("city", S(Text()));
    address.Set("state", S(Pick(std::vector<std::string>{"AZ", "NM", "Baja California"})));
    address.Set("postal_code", S(std::to_string(Between(10000, 99999))));
    address.Set("country", S(Pick(std::vector<std::string>{"US", "MX"})));
    record.Set("address", std::move(address));
  }
  if (Coin())
    record.Set("language", S(Pick(std::vector<std::string>{"en", "es", "zh-Hant", "vi"})));
  if (Coin(0.7)) {
    Json insurance = Json::MakeArray();
    int count = Between(0, 3);
    for (int i = 0; i < count; ++i) {
      Json item = Json::MakeObject();
      item.Set("kind", S(Pick(std::vector<std::string>{"medicare", "medicaid", "commercial",
                                                       "workers_comp", "auto", "self_pay"})));
      item.Set("payer", S(Text()));
      item.Set("member_id", S(Id("M")));
      if (Coin()) item.Set("group", S(Id("G")));
      insurance.Append(std::move(item));
    }
    record.Set("insurance", std::move(insurance));
  }
  if (Coin(0.7)) {
    Json preferences = Json::MakeObject();
    preferences.Set("contact",
                    S(Pick(std::vector<std::string>{"email", "sms", "phone", "portal"})));
    preferences.Set("values", TextList(0, 3));
    preferences.Set("health_goals", TextList(0, 3));
    record.Set("preferences", std::move(preferences));
  }
  record.Set("updated_at", S(Instant()));
  return record;
}

Json RandomRecords::Provider() {
  Json record = Json::MakeObject();
  record.Set("record", S("provider"));
  record.Set("npi", S(Npi()));
  Json name = Json::MakeObject();
  name.Set("family", S(Text()));
  name.Set("given", TextList(0, 2));
  if (Coin(0.6)) name.Set("suffix", TextList(0, 2));
  record.Set("name", std::move(name));
  record.Set("role", S(Pick(std::vector<std::string>{
                         "physical_therapist", "physical_therapist_assistant",
                         "occupational_therapist", "speech_language_pathologist", "physician",
                         "nurse_practitioner", "physician_assistant", "other"})));
  if (Coin(0.7)) {
    Json organization = Json::MakeObject();
    organization.Set("name", S(Text()));
    if (Coin()) organization.Set("npi", S(Npi()));
    record.Set("organization", std::move(organization));
  }
  if (Coin()) record.Set("phone", S(Text()));
  if (Coin()) record.Set("fax", S(Text()));
  if (Coin()) record.Set("email", S(Email()));
  if (Coin()) record.Set("direct_address", S(Email()));
  record.Set("updated_at", S(Instant()));
  return record;
}

Json RandomRecords::Referral() {
  Json record = Json::MakeObject();
  record.Set("record", S("referral"));
  record.Set("id", S(Id("REF")));
  record.Set("direction", S(Pick(std::vector<std::string>{"inbound", "outbound"})));
  record.Set("status",
             S(Pick(std::vector<std::string>{"received", "accepted", "declined", "scheduled",
                                             "in_progress", "completed", "cancelled"})));
  if (Coin(0.3)) record.Set("status_reason", S(Text()));
  record.Set("patient_mrn", S(Id("PT")));
  record.Set("referring_npi", S(Npi()));
  if (Coin()) record.Set("referred_to_npi", S(Npi()));
  record.Set("discipline", S(Pick(std::vector<std::string>{"pt", "ot", "slp"})));
  record.Set("order_text", S(Text()));
  Json diagnoses = Json::MakeArray();
  int count = Between(1, 4);
  for (int i = 0; i < count; ++i) diagnoses.Append(Diagnosis(false));
  record.Set("diagnoses", std::move(diagnoses));
  record.Set("priority", S(Pick(std::vector<std::string>{"routine", "urgent", "asap", "stat"})));
  record.Set("ordered_on", S(Date()));
  if (Coin()) record.Set("visits_ordered", Integer(1, 40));
  if (Coin()) {
    Json frequency = Json::MakeObject();
    frequency.Set("per_week", Integer(1, 5));
    frequency.Set("weeks", Integer(1, 16));
    record.Set("frequency", std::move(frequency));
  }
  if (Coin(0.4)) {
    Json authorization = Json::MakeObject();
    authorization.Set("number", S(Id("AUTH")));
    authorization.Set("visits", Integer(1, 30));
    auto [start, end] = DateRange();
    authorization.Set("start", S(start));
    authorization.Set("end", S(end));
    record.Set("authorization", std::move(authorization));
  }
  if (Coin()) record.Set("notes", S(Text()));
  record.Set("updated_at", S(Instant()));
  return record;
}

Json RandomRecords::PlanOfCare() {
  Json record = Json::MakeObject();
  record.Set("record", S("plan_of_care"));
  record.Set("id", S(Id("POC")));
  record.Set("patient_mrn", S(Id("PT")));
  record.Set("discipline", S(Pick(std::vector<std::string>{"pt", "ot", "slp"})));
  record.Set(
      "status",
      S(Pick(std::vector<std::string>{"draft", "active", "on_hold", "completed", "voided"})));
  if (Coin()) record.Set("referral_id", S(Id("REF")));
  if (Coin(0.3)) record.Set("replaces", S(Id("POC")));
  record.Set("therapist_npi", S(Npi()));
  record.Set("start_of_care", S(Date()));
  Json certification = Json::MakeObject();
  auto [from, to] = DateRange();
  certification.Set("from", S(from));
  certification.Set("to", S(to));
  certification.Set("physician_npi", S(Npi()));
  certification.Set(
      "status",
      S(Pick(std::vector<std::string>{"not_sent", "sent", "signed", "declined", "expired"})));
  if (Coin()) certification.Set("sent_on", S(Date()));
  if (Coin()) certification.Set("signed_on", S(Date()));
  record.Set("certification", std::move(certification));
  Json frequency = Json::MakeObject();
  frequency.Set("per_week", Integer(1, 7));
  frequency.Set("weeks", Integer(1, 26));
  if (Coin(0.3)) frequency.Set("per_day", Integer(1, 3));
  record.Set("frequency", std::move(frequency));
  Json diagnoses = Json::MakeArray();
  int count = Between(1, 4);
  for (int i = 0; i < count; ++i) diagnoses.Append(Diagnosis(true));
  record.Set("diagnoses", std::move(diagnoses));
  Json interventions = Json::MakeArray();
  count = Between(0, 5);
  for (int i = 0; i < count; ++i) {
    Json intervention = Json::MakeObject();
    intervention.Set("cpt", S(std::to_string(Between(90000, 99999))));
    if (Coin()) intervention.Set("description", S(Text()));
    intervention.Set(
        "status", S(Pick(std::vector<std::string>{"planned", "active", "completed", "stopped"})));
    interventions.Append(std::move(intervention));
  }
  record.Set("interventions", std::move(interventions));
  Json goals = Json::MakeArray();
  count = Between(0, 5);
  std::vector<std::string> ids;
  for (int i = 0; i < count; ++i) ids.push_back((Coin() ? "STG" : "LTG") + std::to_string(i + 1));
  for (const std::string& id : ids) {
    Json goal = Json::MakeObject();
    goal.Set("id", S(id));
    goal.Set("term", S(id.rfind("STG", 0) == 0 ? "short" : "long"));
    goal.Set("description", S(Text()));
    if (Coin()) goal.Set("measure", S(Text()));
    std::string unit =
        Pick(std::vector<std::string>{"deg", "s", "[lb_av]", "kg", "/min", "{score}", "%"});
    if (Coin()) {
      Json baseline = Json::MakeObject();
      baseline.Set("value", Decimal());
      baseline.Set("unit", S(unit));
      goal.Set("baseline", std::move(baseline));
    }
    if (Coin()) {
      Json target = Json::MakeObject();
      target.Set("value", Decimal());
      target.Set("unit", S(unit));
      goal.Set("target", std::move(target));
    }
    if (Coin()) goal.Set("target_date", S(Date()));
    goal.Set("status", S(Pick(std::vector<std::string>{"ongoing", "met", "partially_met", "not_met",
                                                       "discontinued"})));
    if (Coin(0.4)) goal.Set("supports", S(Pick(ids)));
    goals.Append(std::move(goal));
  }
  record.Set("goals", std::move(goals));
  if (Coin()) {
    record.Set("rehab_potential",
               S(Pick(std::vector<std::string>{"excellent", "good", "fair", "poor"})));
  }
  if (Coin()) record.Set("patient_priorities", S(Text()));
  if (Coin(0.7)) {
    Json team = Json::MakeArray();
    count = Between(0, 3);
    for (int i = 0; i < count; ++i) {
      Json member = Json::MakeObject();
      member.Set("npi", S(Npi()));
      member.Set("role",
                 S(Pick(std::vector<std::string>{"physical_therapist", "occupational_therapist",
                                                 "speech_language_pathologist", "physician",
                                                 "other", "nurse_practitioner"})));
      team.Append(std::move(member));
    }
    record.Set("care_team", std::move(team));
  }
  record.Set("updated_at", S(Instant()));
  return record;
}

Json RandomRecords::HomeExerciseProgram() {
  Json record = Json::MakeObject();
  record.Set("record", S("home_exercise_program"));
  record.Set("id", S(Id("HEP")));
  record.Set("patient_mrn", S(Id("PT")));
  record.Set("plan_of_care_id", S(Id("POC")));
  record.Set("assigned_by_npi", S(Npi()));
  record.Set("start_date", S(Date()));
  record.Set("status", S(Pick(std::vector<std::string>{"active", "completed", "stopped"})));
  Json exercises = Json::MakeArray();
  int count = Between(1, 4);
  for (int i = 0; i < count; ++i) {
    Json exercise = Json::MakeObject();
    exercise.Set("id", S("EX-" + std::to_string(i + 1) + (Coin(0.2) ? " b/c" : "")));
    exercise.Set("name", S(Text()));
    exercise.Set("instructions", S(Text()));
    if (Coin()) exercise.Set("sets", Integer(1, 5));
    if (Coin()) exercise.Set("reps", Integer(1, 30));
    if (Coin()) exercise.Set("hold_seconds", Integer(1, 60));
    if (Coin(0.3)) {
      Json load = Json::MakeObject();
      load.Set("value", Json::Number(Pick(std::vector<std::string>{"2", "2.5", "0.75", "10"})));
      load.Set("unit", S(Pick(std::vector<std::string>{"[lb_av]", "kg"})));
      exercise.Set("load", std::move(load));
    }
    exercise.Set("times_per_day", Integer(1, 4));
    if (Coin()) {
      exercise.Set("days", S("every_day"));
    } else {
      std::vector<std::string> week = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
      std::shuffle(week.begin(), week.end(), rng_);
      Json days = Json::MakeArray();
      int day_count = Between(1, 7);
      for (int d = 0; d < day_count; ++d) days.Append(S(week[static_cast<size_t>(d)]));
      exercise.Set("days", std::move(days));
    }
    if (Coin()) exercise.Set("video_url", S(Url()));
    exercises.Append(std::move(exercise));
  }
  record.Set("exercises", std::move(exercises));
  record.Set("updated_at", S(Instant()));
  return record;
}

Json RandomRecords::MedicationList() {
  Json record = Json::MakeObject();
  record.Set("record", S("medication_list"));
  record.Set("patient_mrn", S(Id("PT")));
  record.Set("as_of", S(Instant()));
  Json medications = Json::MakeArray();
  int count = Between(0, 4);
  for (int i = 0; i < count; ++i) {
    Json medication = Json::MakeObject();
    if (Coin()) medication.Set("rxnorm", S(std::to_string(Between(1000, 999999))));
    medication.Set("name", S(Text()));
    if (Coin()) medication.Set("dose_text", S(Text()));
    medication.Set("status",
                   S(Pick(std::vector<std::string>{"active", "completed", "stopped", "unknown"})));
    medication.Set("source",
                   S(Pick(std::vector<std::string>{"patient_reported", "medication_history"})));
    if (Coin()) medication.Set("prescriber_npi", S(Npi()));
    auto [first_fill, last_fill] = DateRange();
    if (Coin()) medication.Set("first_fill", S(first_fill));
    if (Coin()) medication.Set("last_fill", S(last_fill));
    if (Coin()) medication.Set("days_supply", Integer(1, 90));
    if (Coin()) {
      Json fills = Json::MakeArray();
      int fill_count = Between(0, 3);
      for (int f = 0; f < fill_count; ++f) {
        Json fill = Json::MakeObject();
        fill.Set("date", S(Date()));
        fill.Set("quantity", Json::Number(Pick(std::vector<std::string>{"30", "0.5", "90.0"})));
        fill.Set("days_supply", Integer(1, 90));
        if (Coin()) fill.Set("pharmacy", S(Text()));
        fill.Set("source_name", S(Text()));
        fills.Append(std::move(fill));
      }
      medication.Set("fills", std::move(fills));
    }
    medications.Append(std::move(medication));
  }
  record.Set("medications", std::move(medications));
  return record;
}

Json RandomRecords::NpsResponse() {
  Json record = Json::MakeObject();
  record.Set("record", S("nps_response"));
  record.Set("id", S(Id("NPS")));
  record.Set("patient_mrn", S(Id("PT")));
  record.Set("score", Integer(0, 10));
  if (Coin()) record.Set("comment", S(Text()));
  record.Set("answered_at", S(Instant()));
  if (Coin()) record.Set("therapist_npi", S(Npi()));
  record.Set("touchpoint", S(Pick(std::vector<std::string>{"visit", "discharge"})));
  return record;
}

Json RandomRecords::Education() {
  Json record = Json::MakeObject();
  record.Set("record", S("education"));
  record.Set("id", S(Id("EDU")));
  record.Set("patient_mrn", S(Id("PT")));
  record.Set("title", S(Text()));
  record.Set("url", S(Url()));
  record.Set("sent_at", S(Instant()));
  record.Set("sent_by_npi", S(Npi()));
  if (Coin()) record.Set("related_icd10", S(Icd10()));
  if (Coin()) record.Set("plan_of_care_id", S(Id("POC")));
  return record;
}

}  // namespace duet::mappings::testing
