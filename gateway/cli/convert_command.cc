#include "gateway/cli/convert_command.h"

#include <utility>
#include <vector>

#include "fhir/json.h"
#include "gateway/cli/cli_input.h"
#include "mappings/prf_validator.h"
#include "mappings/record_converter.h"
#include "mappings/transaction_bundle_writer.h"

namespace duet::gateway {
namespace {

int PrintFailure(const Status& status, std::ostream& out) {
  out << "error: " << status.message() << "\n";
  return kConvertInvalid;
}

int ToFhir(const fhir::Json& document, const mappings::MappingContext& context, std::ostream& out) {
  if (!mappings::IsPrfRecord(document)) {
    out << "error /record: not a Practice Record Format record (no \"record\" member)\n";
    return kConvertInvalid;
  }
  std::vector<mappings::PrfProblem> problems = mappings::PrfValidator::Shared().Validate(document);
  if (!problems.empty()) {
    for (const auto& problem : problems) {
      out << "error " << problem.pointer << ": " << problem.message << "\n";
    }
    return kConvertInvalid;
  }
  mappings::TransactionBundleWriter bundle;
  Status written = mappings::WriteFhir(document, context, bundle);
  if (!written.ok()) return PrintFailure(written, out);
  bundle.Finish(true, out);
  out << "\n";
  return kConvertOk;
}

// The resources of a FHIR document: the resource itself, or the entries of a Bundle.
std::vector<fhir::Json> ResourcesOf(const fhir::Json& document) {
  std::vector<fhir::Json> resources;
  if (document.StringOr("resourceType") != "Bundle") {
    resources.push_back(document);
    return resources;
  }
  if (const fhir::Json* entries = document.Find("entry"); entries && entries->is_array()) {
    for (const fhir::Json& entry : entries->items()) {
      if (const fhir::Json* resource = entry.Find("resource")) resources.push_back(*resource);
    }
  }
  return resources;
}

int ToPractice(const fhir::Json& document, const mappings::MappingContext& context,
               std::ostream& out) {
  if (document.StringOr("resourceType").empty()) {
    out << "error: not a FHIR resource or Bundle (no \"resourceType\" member)\n";
    return kConvertInvalid;
  }
  auto records = mappings::ToPracticeRecords(ResourcesOf(document), context);
  if (!records.ok()) return PrintFailure(records.status(), out);
  fhir::JsonWriteOptions indented;
  indented.pretty = true;
  fhir::WriteJson(*records, indented, out);
  out << "\n";
  return kConvertOk;
}

}  // namespace

int RunConvertCommand(ConvertDirection direction, const std::string& path_or_dash,
                      const std::string& identifier_base, std::istream& stdin_stream,
                      std::ostream& out, std::ostream& err) {
  std::string text;
  if (!ReadCommandInput(path_or_dash, stdin_stream, &text, err)) return kConvertUsageError;
  auto document = fhir::ParseJson(text);
  if (!document.ok()) return PrintFailure(document.status(), out);
  mappings::MappingContext context{identifier_base};
  return direction == ConvertDirection::kToFhir ? ToFhir(*document, context, out)
                                                : ToPractice(*document, context, out);
}

}  // namespace duet::gateway
