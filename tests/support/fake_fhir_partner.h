// FakeFhirPartner: a partner's FHIR server for the referral sync tests (unit and integration), over
// TLS on a ScriptedHttpsServer. It holds resources with UUID versionIds (as Medplum does) and
// answers what the jobs ask: /metadata, read with an ETag, update with If-Match (412 when stale),
// Task search by identifier, and the referral ServiceRequest search, one match with what comes with
// it per page, linked by `next`. Tests change the partner's resources between runs (a partner
// user moving a Task) and can queue one-off answers.
//
// Thread-safe: the server answers on its own threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "fhir/json.h"
#include "fhir/status.h"
#include "tests/support/scripted_https_server.h"

namespace duet::test {

class FakeFhirPartner {
 public:
  FakeFhirPartner();
  ~FakeFhirPartner();

  // Starts the server; not OK when it cannot listen.
  Status Start();

  std::string base_url() const;  // "https://127.0.0.1:PORT/fhir"

  // Stores `resource` (it has an id) as a new version; returns its versionId.
  std::string Store(fhir::Json resource);
  fhir::Json Resource(const std::string& type, const std::string& id) const;
  // The referral search answers `searchset`'s matches, each with the entries after it, one a
  // page; every resource of it is stored as it is (versionIds kept).
  void ServeSearchset(const fhir::Json& searchset);
  // Answers the next request with `answer` instead, once (in order when called again).
  void AnswerNext(ScriptedResponse answer);
  void ListLastUpdated(bool listed);
  // The next request for search page `page` (0 = the first) is answered after `delay`.
  void HoldPageOnce(size_t page, std::chrono::milliseconds delay);

  std::vector<ScriptedRequest> requests() const;
  std::vector<ScriptedRequest> requests(const std::string& method) const;

 private:
  ScriptedResponse Answer(const ScriptedRequest& request);
  ScriptedResponse Read(const std::string& key) const;
  ScriptedResponse Update(const std::string& key, const ScriptedRequest& request);
  ScriptedResponse SearchTasks(const std::string& query) const;
  ScriptedResponse SearchPage(size_t page) const;
  std::string StoreLocked(fhir::Json resource);

  mutable std::mutex mutex_;
  std::map<std::string, fhir::Json> resources_;  // by "Type/id"
  std::vector<std::vector<fhir::Json>> pages_;   // entries of each search page
  std::vector<ScriptedResponse> next_answers_;
  bool list_last_updated_ = true;
  size_t held_page_ = SIZE_MAX;
  std::chrono::milliseconds hold_{0};
  int versions_ = 0;
  std::unique_ptr<ScriptedHttpsServer> server_;
};

}  // namespace duet::test
