#include "gateway/fhir_api/resource_writer.h"

#include "fhir/search/search_query.h"
#include "gateway/http/http_status.h"
#include "gateway/http/http_types.h"

namespace duet::gateway {
namespace {

Status CheckBodyId(const fhir::Json& resource, const std::string& id) {
  std::string_view body_id = resource.StringOr("id");
  if (body_id.empty()) {
    return InvalidArgumentError("the resource has no id; an update needs the id '" + id +
                                "' from the URL in the body as well");
  }
  if (body_id != id) {
    return InvalidArgumentError("the resource id '" + std::string(body_id) +
                                "' does not match the id '" + id + "' in the URL");
  }
  return Status::Ok();
}

// The resource without the members the server sets, for telling a real change from a repeat.
fhir::Json WithoutServerMeta(fhir::Json resource) {
  if (fhir::Json* meta = resource.Find("meta")) {
    meta->Remove("versionId");
    meta->Remove("lastUpdated");
    if (meta->members().empty()) resource.Remove("meta");
  }
  return resource;
}

// True when `resource` says nothing that the current version does not already say.
bool SameAsCurrent(const StoredResource& current, const fhir::Json& resource) {
  if (current.deleted) return false;
  auto stored = fhir::ParseJson(current.json);
  return stored.ok() && WithoutServerMeta(std::move(*stored)) == WithoutServerMeta(resource);
}

}  // namespace

InteractionResult InteractionResult::Success(int http_status, StoredResource resource) {
  InteractionResult result;
  result.http_status = http_status;
  result.resource = std::move(resource);
  return result;
}

InteractionResult InteractionResult::Failure(Status status) {
  InteractionResult result;
  result.http_status = HttpStatusFor(status.code());
  result.status = std::move(status);
  return result;
}

InteractionResult InteractionResult::Invalid(std::vector<fhir::ValidationIssue> issues) {
  InteractionResult result = Failure(UnprocessableError("the resource is not valid FHIR R4"));
  result.issues = std::move(issues);
  return result;
}

StatusOr<std::vector<std::string>> ResourceWriter::Match(WriteTransaction& tx,
                                                         const std::string& type,
                                                         const std::string& query,
                                                         int limit) const {
  if (query.empty()) return InvalidArgumentError("a conditional interaction needs search criteria");
  fhir::SearchParseOptions options;
  options.strict = true;
  auto parsed = fhir::ParseSearchQuery(type, ParseQueryString(query), options);
  if (!parsed.ok()) return parsed.status().WithContext("conditional criteria '" + query + "'");
  if (parsed->all_of.empty()) {
    return InvalidArgumentError("conditional criteria '" + query +
                                "' select nothing: give at least one search parameter");
  }
  parsed->count = limit;
  parsed->includes.clear();
  parsed->revincludes.clear();
  DUET_ASSIGN_OR_RETURN(SearchResult found, tx.Search(*parsed));
  std::vector<std::string> ids;
  for (const StoredResource& match : found.matches) ids.push_back(match.id);
  return ids;
}

InteractionResult ResourceWriter::Create(WriteTransaction& tx, const std::string& type,
                                         fhir::Json resource, const std::string& if_none_exist,
                                         const std::string& id) const {
  if (!if_none_exist.empty()) {
    auto matches = Match(tx, type, if_none_exist, 2);
    if (!matches.ok()) return InteractionResult::Failure(matches.status());
    if (matches->size() > 1) {
      return InteractionResult::Failure(FailedPreconditionError("If-None-Exist '" + if_none_exist +
                                                                "' matches more than one " + type));
    }
    if (matches->size() == 1) {
      auto existing = tx.Read(type, matches->front());
      if (!existing.ok()) return InteractionResult::Failure(existing.status());
      return InteractionResult::Success(200, std::move(*existing));
    }
  }
  return Store(tx, type, id, std::move(resource), nullptr, std::nullopt, /*create=*/true);
}

InteractionResult ResourceWriter::Store(WriteTransaction& tx, const std::string& type,
                                        const std::string& id, fhir::Json resource,
                                        const StoredResource* previous,
                                        std::optional<int64_t> if_match, bool create) const {
  if (previous != nullptr && if_match && *if_match != previous->version_id) {
    // A stale If-Match fails first: the rules judge a change to the version the client read.
    return InteractionResult::Failure(FailedPreconditionError(
        type + "/" + id + " is at version " + std::to_string(previous->version_id) +
        ", not the expected " + std::to_string(*if_match)));
  }
  if (rules_ != nullptr) {
    Status allowed = rules_->BeforeWrite(tx, type, previous, resource);
    if (!allowed.ok()) return InteractionResult::Failure(allowed);
  }
  if (previous != nullptr && (!if_match || *if_match == previous->version_id) &&
      SameAsCurrent(*previous, resource)) {
    // Sending the same content again changes nothing: no new version (idempotent upserts).
    return InteractionResult::Success(200, *previous);
  }
  auto written = create ? tx.Create(type, id, std::move(resource))
                        : tx.Update(type, id, std::move(resource), if_match);
  if (!written.ok()) return InteractionResult::Failure(written.status());
  if (rules_ != nullptr) {
    Status followed = rules_->AfterWrite(tx, *written, previous);
    if (!followed.ok()) return InteractionResult::Failure(followed);
  }
  return InteractionResult::Success(previous == nullptr ? 201 : 200, std::move(*written));
}

InteractionResult ResourceWriter::Update(WriteTransaction& tx, const std::string& type,
                                         const std::string& id, fhir::Json resource,
                                         std::optional<int64_t> if_match) const {
  Status id_check = CheckBodyId(resource, id);
  if (!id_check.ok()) return InteractionResult::Failure(id_check);
  auto current = tx.Read(type, id);
  bool exists = current.ok() && !current->deleted;
  if (!current.ok() && current.status().code() != StatusCode::kNotFound) {
    return InteractionResult::Failure(current.status());
  }
  if (if_match && !current.ok()) {
    return InteractionResult::Failure(FailedPreconditionError("If-Match names version " +
                                                              std::to_string(*if_match) + " but " +
                                                              type + "/" + id + " does not exist"));
  }
  const StoredResource* previous = exists ? &*current : nullptr;
  return Store(tx, type, id, std::move(resource), previous, if_match, /*create=*/false);
}

InteractionResult ResourceWriter::ConditionalUpdate(WriteTransaction& tx, const std::string& type,
                                                    const std::string& query, fhir::Json resource,
                                                    const std::string& new_id) const {
  auto matches = Match(tx, type, query, 2);
  if (!matches.ok()) return InteractionResult::Failure(matches.status());
  if (matches->size() > 1) {
    return InteractionResult::Failure(FailedPreconditionError(
        "conditional update criteria '" + query + "' match more than one " + type));
  }
  std::string_view body_id = resource.StringOr("id");
  if (matches->empty()) {
    std::string id = !body_id.empty() ? std::string(body_id) : new_id;
    if (id.empty()) {
      return Store(tx, type, "", std::move(resource), nullptr, std::nullopt, /*create=*/true);
    }
    resource.Set("id", fhir::Json::String(id));
    return Update(tx, type, id, std::move(resource), std::nullopt);
  }
  const std::string& id = matches->front();
  if (!body_id.empty() && body_id != id) {
    return InteractionResult::Failure(InvalidArgumentError(
        "the resource id '" + std::string(body_id) + "' differs from the id '" + id +
        "' of the resource matching '" + query + "'"));
  }
  resource.Set("id", fhir::Json::String(id));
  return Update(tx, type, id, std::move(resource), std::nullopt);
}

InteractionResult ResourceWriter::Delete(WriteTransaction& tx, const std::string& type,
                                         const std::string& id,
                                         std::optional<int64_t> if_match) const {
  auto deleted = tx.Delete(type, id, if_match);
  if (!deleted.ok()) return InteractionResult::Failure(deleted.status());
  return InteractionResult::Success(204, std::move(*deleted));
}

InteractionResult ResourceWriter::ConditionalDelete(WriteTransaction& tx, const std::string& type,
                                                    const std::string& query) const {
  auto matches = Match(tx, type, query, 2);
  if (!matches.ok()) return InteractionResult::Failure(matches.status());
  if (matches->size() > 1) {
    return InteractionResult::Failure(FailedPreconditionError(
        "conditional delete criteria '" + query + "' match more than one " + type));
  }
  if (matches->empty()) {
    InteractionResult none;
    none.http_status = 204;
    return none;
  }
  return Delete(tx, type, matches->front(), std::nullopt);
}

}  // namespace duet::gateway
