#include "gateway/practice_api/record_upload.h"

#include <optional>

#include "fhir/search/date_range.h"
#include "gateway/audit/audit_scope.h"
#include "gateway/workflow/workflow_support.h"
#include "mappings/extensions.h"
#include "mappings/fhir_bundle_writer.h"
#include "mappings/prf_validator.h"
#include "mappings/record_converter.h"

namespace duet::gateway {

using fhir::Json;

struct RecordUpload::Item {
  std::string pointer;  // "" for a single record, "/records/N" in a batch
  const Json* record = nullptr;
  std::string record_type;
  std::string native_id;
  std::optional<StoredResource> stored;  // the main resource before the upload
  std::string outcome;                   // created, updated, unchanged, ignored_older
  std::string main_full_url;
  std::string fhir_reference;  // "Type/id/_history/n" after the upload
};

namespace {

// A FHIR instant normalized for comparison; "" when absent or unparsable.
std::string NormalizedInstant(std::string_view text) {
  if (text.empty()) return "";
  auto range = fhir::ParseDateRange(text);
  return range.ok() ? range->low : "";
}

std::string StoredUpdatedAt(const StoredResource& stored) {
  auto resource = ParseStored(stored);
  if (!resource.ok()) return "";
  const Json* value = mappings::ExtensionValue(
      mappings::FindExtension(*resource, mappings::ext::kRecordUpdatedAt), "valueInstant");
  return value != nullptr && value->is_string() ? NormalizedInstant(value->string_value()) : "";
}

int64_t VersionOfLocation(std::string_view location) {
  LiteralReference reference;
  return ParseLiteralReference(location, &reference) ? reference.version : 0;
}

Json Outcomes(const std::vector<RecordUpload::Item>& items);

// On the audit trail an upload is an update (practice_audit.h); a single record that is not
// stored yet is a create.
void NoteCreate(const std::vector<RecordUpload::Item>& items) {
  AuditScope* scope = AuditScope::Current();
  if (scope == nullptr || items.size() != 1 || scope->draft().interaction != "update") return;
  if (!items[0].stored || items[0].stored->deleted) scope->draft().interaction = "create";
}

}  // namespace

StatusOr<std::vector<RecordUpload::Item>> RecordUpload::Plan(const Json& document) const {
  std::vector<const Json*> records;
  std::vector<std::string> pointers;
  if (document.StringOr("record") == "batch") {
    const Json& list = *document.Find("records");
    for (size_t i = 0; i < list.items().size(); ++i) {
      records.push_back(&list.items()[i]);
      pointers.push_back("/records/" + std::to_string(i));
    }
  } else {
    records.push_back(&document);
    pointers.emplace_back("");
  }
  std::vector<Item> items;
  for (size_t i = 0; i < records.size(); ++i) {
    Item item;
    item.pointer = pointers[i];
    item.record = records[i];
    item.record_type = std::string(records[i]->StringOr("record"));
    item.native_id = std::string(records[i]->StringOr(mappings::NativeIdMember(item.record_type)));
    DUET_ASSIGN_OR_RETURN(item.stored, loader_.FindMain(item.record_type, item.native_id));
    std::string sent = NormalizedInstant(records[i]->StringOr("updated_at"));
    if (item.stored && !sent.empty()) {
      std::string stored = StoredUpdatedAt(*item.stored);
      if (!stored.empty() && stored > sent) {
        item.outcome = "ignored_older";
        item.fhir_reference = item.stored->type + "/" + item.stored->id + "/_history/" +
                              std::to_string(item.stored->version_id);
      }
    }
    items.push_back(std::move(item));
  }
  return items;
}

Status RecordUpload::Store(std::vector<Item>& items, const HttpRequest& outer,
                           UploadFailure* failure) {
  std::vector<Json> resources;
  for (Item& item : items) {
    if (!item.outcome.empty()) continue;
    auto converted = mappings::ToFhir(*item.record, loader_.context());
    if (!converted.ok()) {
      failure->http_status = 422;
      failure->message = "record at '" + item.pointer + "' cannot be converted";
      failure->problems.push_back({item.pointer, converted.status().message()});
      return converted.status();
    }
    item.main_full_url = mappings::ResourceFullUrl(converted->front());
    for (Json& resource : *converted) resources.push_back(std::move(resource));
  }
  if (resources.empty()) return Status::Ok();
  HttpRequest post;
  post.method = "POST";
  post.path = "/fhir";
  post.base_url = outer.base_url;
  post.remote_address = outer.remote_address;
  post.headers.Set("Content-Type", "application/fhir+json");
  Json bundle = mappings::ToTransactionBundle(std::move(resources));
  post.body = fhir::WriteJson(bundle);
  HttpResponse answer = fhir_api_.Handle(post);
  auto response = fhir::ParseJson(answer.body);
  if (answer.status != 200 || !response.ok()) {
    // A conditional reference that matches nothing is a problem of the records sent, not a
    // precondition the practice set: 422.
    failure->http_status = answer.status == 200 ? 500 : answer.status == 412 ? 422 : answer.status;
    failure->message = "the records were refused on the FHIR side; nothing was stored";
    if (response.ok()) failure->operation_outcome = std::move(*response);
    return Status(StatusCode::kUnprocessable, failure->message);
  }
  const Json* sent_entries = bundle.Find("entry");
  const Json* answered = response->Find("entry");
  if (sent_entries == nullptr || answered == nullptr ||
      sent_entries->items().size() != answered->items().size()) {
    return InternalError("the transaction response does not match its request");
  }
  for (Item& item : items) {
    if (!item.outcome.empty()) continue;
    for (size_t i = 0; i < sent_entries->items().size(); ++i) {
      if (sent_entries->items()[i].StringOr("fullUrl") != item.main_full_url) continue;
      const Json* result = answered->items()[i].Find("response");
      std::string location(result == nullptr ? "" : result->StringOr("location"));
      item.fhir_reference = location;
      if (!item.stored || item.stored->deleted) {
        item.outcome = "created";
      } else if (VersionOfLocation(location) == item.stored->version_id) {
        item.outcome = "unchanged";
      } else {
        item.outcome = "updated";
      }
    }
    if (item.outcome.empty()) item.outcome = "updated";
  }
  return Status::Ok();
}

StatusOr<Json> RecordUpload::Upload(const std::string& body, const HttpRequest& outer,
                                    UploadFailure* failure) {
  auto document = fhir::ParseJson(body);
  if (!document.ok()) {
    failure->http_status = 400;
    failure->message = "the body is not JSON: " + document.status().message();
    return document.status();
  }
  std::vector<mappings::PrfProblem> problems = mappings::PrfValidator::Shared().Validate(*document);
  if (!problems.empty()) {
    failure->http_status = 422;
    failure->message = std::to_string(problems.size()) +
                       " problem(s): the upload is not valid Practice Record Format; nothing was "
                       "stored";
    failure->problems = std::move(problems);
    return UnprocessableError(failure->message);
  }
  std::lock_guard<std::mutex> lock(upload_mutex_);
  auto items = Plan(*document);
  if (!items.ok()) {
    failure->http_status = 500;
    failure->message = items.status().message();
    return items.status();
  }
  NoteCreate(*items);
  DUET_RETURN_IF_ERROR(Store(*items, outer, failure));
  return Outcomes(*items);
}

namespace {

Json Outcomes(const std::vector<RecordUpload::Item>& items) {
  Json list = Json::MakeArray();
  for (const RecordUpload::Item& item : items) {
    Json entry = Json::MakeObject();
    entry.Set("pointer", Json::String(item.pointer));
    entry.Set("record", Json::String(item.record_type));
    entry.Set("id", Json::String(item.native_id));
    entry.Set("outcome", Json::String(item.outcome));
    entry.Set("fhir", Json::String(item.fhir_reference));
    list.Append(std::move(entry));
  }
  Json result = Json::MakeObject();
  result.Set("records", std::move(list));
  return result;
}

}  // namespace

}  // namespace duet::gateway
