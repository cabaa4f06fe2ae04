// PRF → FHIR conversion throughput, next to what RapidJSON alone takes to parse and write the
// same bytes, in one run. The conversion is what `duet convert to-fhir` does: parse the record,
// write its resources into a TransactionBundleWriter (WriteFhir) and finish the Bundle, compact.
// Input: 10,000 plans of care made from tests/fixtures/prf/plan_of_care.json with distinct ids.
// Prints records/s, MB/s and the ratio conversion time / parse-and-write time.
//
//   prf_conversion_bench [--records 10000] [--rounds 5] [--fixtures DIR] [--phases]
//   prf_conversion_bench --conversion-only   # just the conversion, for perf record
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "fhir/json.h"
#include "mappings/prf_validator.h"
#include "mappings/record_converter.h"
#include "mappings/transaction_bundle_writer.h"

namespace {

using Clock = std::chrono::steady_clock;

std::vector<std::string> MakeRecords(const std::string& fixture, int count) {
  std::vector<std::string> records;
  records.reserve(count);
  for (int i = 0; i < count; ++i) {
    std::string text = fixture;
    for (size_t at = text.find("POC-8812-1"); at != std::string::npos;
         at = text.find("POC-8812-1", at)) {
      std::string id = "POC-" + std::to_string(100000 + i);
      text.replace(at, 10, id);
      at += id.size();
    }
    records.push_back(std::move(text));
  }
  return records;
}

using Work = std::function<size_t(const std::string&)>;

// Best wall time, in seconds, of `rounds` passes of each work over every record. The works take
// turns within each round, so that a slower spell of a shared machine falls on all of them
// rather than on whichever ran then.
std::vector<double> BestOfInTurns(int rounds, const std::vector<std::string>& records,
                                  const std::vector<Work>& works, size_t* checksum) {
  std::vector<double> best(works.size(), 1e9);
  for (int round = 0; round < rounds; ++round) {
    for (size_t work = 0; work < works.size(); ++work) {
      size_t sum = 0;
      auto start = Clock::now();
      for (const std::string& record : records) sum += works[work](record);
      double seconds = std::chrono::duration<double>(Clock::now() - start).count();
      best[work] = std::min(best[work], seconds);
      *checksum += sum;
    }
  }
  return best;
}

size_t RapidJsonParseAndWrite(const std::string& text) {
  rapidjson::Document document;
  document.Parse(text.c_str(), text.size());
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  document.Accept(writer);
  return buffer.GetSize();
}

// What the bytes of the conversion cost RapidJSON alone: parsing each record and writing the
// Bundle its conversion gives (parsed beforehand, untimed), best of `rounds` passes. The
// conversion is measured against the baseline; this says how much of the target the bytes take.
double ParseRecordWriteBundle(int rounds, const std::vector<std::string>& records,
                              const std::vector<std::string>& bundles, size_t* checksum) {
  double best = 1e9;
  for (int round = 0; round < rounds; ++round) {
    double spent = 0;
    for (size_t i = 0; i < records.size(); ++i) {
      rapidjson::Document bundle;
      bundle.Parse(bundles[i].c_str(), bundles[i].size());
      auto start = Clock::now();
      rapidjson::Document record;
      record.Parse(records[i].c_str(), records[i].size());
      rapidjson::StringBuffer buffer;
      rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
      bundle.Accept(writer);
      spent += std::chrono::duration<double>(Clock::now() - start).count();
      *checksum += buffer.GetSize() + record.MemberCount();
    }
    best = std::min(best, spent);
  }
  return best;
}

// The transaction Bundle `duet convert to-fhir` gives for `text`, written compact; "" when the
// record does not convert.
std::string Convert(const std::string& text, const duet::mappings::MappingContext& context,
                    bool validate) {
  auto record = duet::fhir::ParseJson(text);
  if (!record.ok()) return "";
  if (validate && !duet::mappings::PrfValidator::Shared().Validate(*record).empty()) return "";
  duet::mappings::TransactionBundleWriter bundle;
  if (!duet::mappings::WriteFhir(*record, context, bundle).ok()) return "";
  return bundle.Finish(false);
}

// Time of each step of the conversion, summed over every record of one pass (best of `rounds`),
// as a share of the baseline: where the conversion's time goes.
void ReportPhases(int rounds, const std::vector<std::string>& records,
                  const duet::mappings::MappingContext& context, double baseline) {
  enum { kParse, kWrite, kFinish, kFree, kPhases };
  const char* names[kPhases] = {"parse PRF into fhir::Json", "write the resources (WriteFhir)",
                                "finish the Bundle", "free the record's tree"};
  double best[kPhases] = {1e9, 1e9, 1e9, 1e9};
  for (int round = 0; round < rounds; ++round) {
    double spent[kPhases] = {};
    for (const std::string& text : records) {
      auto t0 = Clock::now();
      auto record = duet::fhir::ParseJson(text);
      auto t1 = Clock::now();
      duet::mappings::TransactionBundleWriter bundle;
      (void)duet::mappings::WriteFhir(*record, context, bundle);
      auto t2 = Clock::now();
      std::string written = bundle.Finish(false);
      auto t3 = Clock::now();
      record = duet::fhir::Json();
      written = std::string();
      auto t4 = Clock::now();
      const Clock::time_point marks[] = {t0, t1, t2, t3, t4};
      for (int phase = 0; phase < kPhases; ++phase) {
        spent[phase] += std::chrono::duration<double>(marks[phase + 1] - marks[phase]).count();
      }
    }
    for (int phase = 0; phase < kPhases; ++phase) best[phase] = std::min(best[phase], spent[phase]);
  }
  std::printf("where the conversion's time goes (best pass of each step, / baseline):\n");
  for (int phase = 0; phase < kPhases; ++phase) {
    std::printf("  %-30s %8.3f s %6.2fx\n", names[phase], best[phase], best[phase] / baseline);
  }
}

void Report(const char* name, double seconds, size_t records, size_t bytes) {
  std::printf("%-44s %10.0f records/s %8.1f MB/s %9.3f s\n", name, records / seconds,
              bytes / seconds / 1e6, seconds);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"PRF to FHIR conversion benchmark"};
  int count = 10000;
  int rounds = 5;
  bool phases = false;
  std::string fixtures = DUET_FIXTURES_DIR;
  app.add_option("--records", count, "Plans of care to convert")->check(CLI::PositiveNumber);
  app.add_option("--rounds", rounds, "Passes; the best is reported")->check(CLI::PositiveNumber);
  app.add_flag("--phases", phases, "Also time each step of the conversion apart");
  app.add_option("--fixtures", fixtures, "tests/fixtures directory");
  bool conversion_only = false;
  app.add_flag("--conversion-only", conversion_only,
               "Run only the conversion, `rounds` passes, and print its best time (to profile it)");
  CLI11_PARSE(app, argc, argv);

  std::ifstream in(fixtures + "/prf/plan_of_care.json", std::ios::binary);
  std::stringstream fixture;
  fixture << in.rdbuf();
  std::vector<std::string> records = MakeRecords(fixture.str(), count);
  size_t bytes = 0;
  for (const auto& record : records) bytes += record.size();
  duet::mappings::MappingContext context{"https://saguaro-rehab.example/sid"};
  if (Convert(records.front(), context, true).empty()) {
    std::cerr << "prf_conversion_bench: the generated record does not convert\n";
    return 1;
  }

  size_t checksum = 0;
  if (conversion_only) {
    double seconds = BestOfInTurns(rounds, records, {[&](const std::string& text) {
                                     return Convert(text, context, false).size();
                                   }},
                                   &checksum)[0];
    Report("parse + WriteFhir + finish the Bundle", seconds, records.size(), bytes);
    std::printf("(checksum %zu)\n", checksum);
    return 0;
  }
  std::vector<double> best =
      BestOfInTurns(rounds, records,
                    {RapidJsonParseAndWrite,
                     [&](const std::string& text) { return Convert(text, context, false).size(); },
                     [&](const std::string& text) { return Convert(text, context, true).size(); }},
                    &checksum);
  double parse_write = best[0];
  double convert = best[1];
  double validate_convert = best[2];

  std::printf("PRF to FHIR conversion: %d plans of care, %.1f MB of PRF, best of %d rounds\n",
              count, bytes / 1e6, rounds);
  Report("RapidJSON parse + write (baseline)", parse_write, records.size(), bytes);
  Report("parse + WriteFhir + finish the Bundle", convert, records.size(), bytes);
  Report("same, with PRF schema and rule validation", validate_convert, records.size(), bytes);
  std::printf("conversion / baseline: %.2fx (target <= 4x); with validation: %.2fx\n",
              convert / parse_write, validate_convert / parse_write);
  std::vector<std::string> bundles;
  bundles.reserve(records.size());
  for (const std::string& record : records) bundles.push_back(Convert(record, context, false));
  double floor = ParseRecordWriteBundle(rounds, records, bundles, &checksum);
  std::printf(
      "RapidJSON parsing the PRF and writing the Bundle alone: %.3f s, %.2fx the baseline\n", floor,
      floor / parse_write);
  if (phases) ReportPhases(rounds, records, context, parse_write);
  std::printf("(checksum %zu)\n", checksum);
  return 0;
}
