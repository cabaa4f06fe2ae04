// PRF → FHIR conversion throughput, next to what RapidJSON alone takes to parse and write the
// same bytes, in one run. Input: 10,000 plans of care made from
// tests/fixtures/prf/plan_of_care.json with distinct ids. Prints records/s, MB/s and the ratio
// conversion time / parse-and-write time.
//
//   prf_conversion_bench [--records 10000] [--rounds 5] [--fixtures DIR]
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
#include "mappings/fhir_bundle_writer.h"
#include "mappings/prf_validator.h"
#include "mappings/record_converter.h"

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

// Best wall time of `rounds` passes of `work` over every record, in seconds.
double BestOf(int rounds, const std::vector<std::string>& records,
              const std::function<size_t(const std::string&)>& work, size_t* checksum) {
  double best = 1e9;
  for (int round = 0; round < rounds; ++round) {
    size_t sum = 0;
    auto start = Clock::now();
    for (const std::string& record : records) sum += work(record);
    best = std::min(best, std::chrono::duration<double>(Clock::now() - start).count());
    *checksum += sum;
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

size_t Convert(const std::string& text, const duet::mappings::MappingContext& context,
               bool validate) {
  auto record = duet::fhir::ParseJson(text);
  if (!record.ok()) return 0;
  if (validate && !duet::mappings::PrfValidator::Shared().Validate(*record).empty()) return 0;
  auto resources = duet::mappings::ToFhir(*record, context);
  if (!resources.ok()) return 0;
  return duet::fhir::WriteJson(duet::mappings::ToTransactionBundle(std::move(*resources))).size();
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
  std::string fixtures = DUET_FIXTURES_DIR;
  app.add_option("--records", count, "Plans of care to convert")->check(CLI::PositiveNumber);
  app.add_option("--rounds", rounds, "Passes; the best is reported")->check(CLI::PositiveNumber);
  app.add_option("--fixtures", fixtures, "tests/fixtures directory");
  CLI11_PARSE(app, argc, argv);

  std::ifstream in(fixtures + "/prf/plan_of_care.json", std::ios::binary);
  std::stringstream fixture;
  fixture << in.rdbuf();
  std::vector<std::string> records = MakeRecords(fixture.str(), count);
  size_t bytes = 0;
  for (const auto& record : records) bytes += record.size();
  duet::mappings::MappingContext context{"https://saguaro-rehab.example/sid"};
  if (Convert(records.front(), context, true) == 0) {
    std::cerr << "prf_conversion_bench: the generated record does not convert\n";
    return 1;
  }

  size_t checksum = 0;
  double parse_write = BestOf(rounds, records, RapidJsonParseAndWrite, &checksum);
  double convert = BestOf(
      rounds, records, [&](const std::string& text) { return Convert(text, context, false); },
      &checksum);
  double validate_convert = BestOf(
      rounds, records, [&](const std::string& text) { return Convert(text, context, true); },
      &checksum);

  std::printf("PRF to FHIR conversion: %d plans of care, %.1f MB of PRF, best of %d rounds\n",
              count, bytes / 1e6, rounds);
  Report("RapidJSON parse + write (baseline)", parse_write, records.size(), bytes);
  Report("parse + ToFhir + transaction Bundle + write", convert, records.size(), bytes);
  Report("same, with PRF schema and rule validation", validate_convert, records.size(), bytes);
  std::printf("conversion / baseline: %.2fx (target <= 4x); with validation: %.2fx\n",
              convert / parse_write, validate_convert / parse_write);
  std::printf("(checksum %zu)\n", checksum);
  return 0;
}
