#include "mappings/prf_validator.h"

#include <cstdlib>
#include <iostream>
#include <utility>

#include "mappings/prf_checks.h"
#include "mappings/prf_schemas.h"

namespace duet::mappings {
namespace {

constexpr const char* kBatchRecordsSchemaPointer = "/properties/records/items";

std::string KindWithArticle(fhir::Json::Kind kind) {
  switch (kind) {
    case fhir::Json::Kind::kNull: return "null";
    case fhir::Json::Kind::kArray:
    case fhir::Json::Kind::kObject: return std::string("an ") + fhir::JsonKindName(kind);
    default: return std::string("a ") + fhir::JsonKindName(kind);
  }
}

std::string RecordTypeList(bool include_batch) {
  std::string list;
  for (std::string_view type : PrfRecordTypes()) {
    if (type == "batch" && !include_batch) continue;
    if (!list.empty()) list += '|';
    list += type;
  }
  return list;
}

}  // namespace

bool IsPrfRecord(const fhir::Json& document) {
  const fhir::Json* record = document.Find("record");
  return record != nullptr && record->is_string();
}

PrfValidator::PrfValidator(
    std::map<std::string, std::unique_ptr<PrfSchemaChecker>, std::less<>> schemas)
    : schemas_(std::move(schemas)) {}

StatusOr<std::unique_ptr<PrfValidator>> PrfValidator::Create() {
  std::map<std::string, std::unique_ptr<PrfSchemaChecker>, std::less<>> schemas;
  for (std::string_view type : PrfRecordTypes()) {
    std::vector<std::string> opaque;
    if (type == "batch") opaque.emplace_back(kBatchRecordsSchemaPointer);
    StatusOr<std::unique_ptr<PrfSchemaChecker>> checker =
        PrfSchemaChecker::Compile(PrfSchemaText(type), std::move(opaque));
    if (!checker.ok()) {
      return checker.status().WithContext("PRF schema " + std::string(type) + ".schema.json");
    }
    schemas.emplace(std::string(type), std::move(checker).value());
  }
  return std::unique_ptr<PrfValidator>(new PrfValidator(std::move(schemas)));
}

const PrfValidator& PrfValidator::Shared() {
  static const PrfValidator* const shared = [] {
    StatusOr<std::unique_ptr<PrfValidator>> validator = Create();
    if (!validator.ok()) {
      std::cerr << "duet: the embedded PRF schemas do not compile: "
                << validator.status().ToString() << '\n';
      std::abort();
    }
    return std::move(validator).value().release();
  }();
  return *shared;
}

std::vector<PrfProblem> PrfValidator::Validate(const fhir::Json& document) const {
  std::vector<PrfProblem> problems;
  ValidateRecord(document, "", /*inside_batch=*/false, &problems);
  return problems;
}

std::vector<PrfProblem> PrfValidator::ValidateText(std::string_view text) const {
  StatusOr<fhir::Json> document = fhir::ParseJson(text);
  if (!document.ok()) return {{"", document.status().message()}};
  return Validate(*document);
}

void PrfValidator::ValidateRecord(const fhir::Json& record, const std::string& pointer,
                                  bool inside_batch, std::vector<PrfProblem>* problems) const {
  if (!record.is_object()) {
    problems->push_back(
        {pointer, "a PRF record must be a JSON object, not " + KindWithArticle(record.kind())});
    return;
  }
  std::string type_pointer = AppendPointer(pointer, "record");
  const fhir::Json* type = record.Find("record");
  if (type == nullptr) {
    problems->push_back(
        {type_pointer, "required member \"record\" is missing (it names the record type)"});
    return;
  }
  if (!type->is_string()) {
    problems->push_back({type_pointer, "must be a string naming the record type, not " +
                                           KindWithArticle(type->kind())});
    return;
  }
  const std::string& type_name = type->string_value();
  if (type_name == "batch" && inside_batch) {
    problems->push_back({type_pointer, "a batch cannot contain another batch"});
    return;
  }
  auto schema = schemas_.find(type_name);
  if (schema == schemas_.end()) {
    problems->push_back({type_pointer, "unknown record type \"" + type_name +
                                           "\"; expected one of " + RecordTypeList(!inside_batch)});
    return;
  }
  schema->second->Validate(record, pointer, problems);
  if (type_name == "batch") {
    const fhir::Json* records = record.Find("records");
    if (records == nullptr || !records->is_array()) return;
    std::string records_pointer = AppendPointer(pointer, "records");
    for (size_t i = 0; i < records->items().size(); ++i) {
      ValidateRecord(records->items()[i], AppendPointer(records_pointer, i), true, problems);
    }
    return;
  }
  CheckPrfRules(record, pointer, problems);
}

}  // namespace duet::mappings
