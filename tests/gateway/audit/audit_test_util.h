// What the audit tests share: an AuditLog that refuses to record, and a reader of the AuditEvents
// a log recorded since it last looked.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fhir/json.h"
#include "gateway/audit/audit_log.h"
#include "tests/gateway/store/store_test_util.h"

namespace duet::gateway::testing {

// An AuditLog that cannot record (its disk is full, say) but answers queries from the real one.
class FailingAuditLog : public AuditLog {
 public:
  explicit FailingAuditLog(AuditLog& real) : real_(real) {}
  Status Record(const AuditRecord&) override { return UnavailableError("disk full"); }
  StatusOr<AuditPage> Query(const AuditQuery& query) override { return real_.Query(query); }

 private:
  AuditLog& real_;
};

// The AuditEvents of `log` as they come. Holds a reference to the log, which must outlive it.
class AuditEventReader {
 public:
  explicit AuditEventReader(AuditLog& log) : log_(log) {}

  // The AuditEvents recorded since the last call, oldest first.
  std::vector<fhir::Json> NewEvents() {
    auto page = log_.Query({});
    EXPECT_TRUE(page.ok());
    std::vector<fhir::Json> events;
    if (!page.ok()) return events;
    for (auto it = page->events.rbegin(); it != page->events.rend(); ++it) {
      events.push_back(MustParseJson(*it));
    }
    std::vector<fhir::Json> fresh(events.begin() + static_cast<long>(seen_), events.end());
    seen_ = events.size();
    return fresh;
  }

  static std::string Subtype(const fhir::Json& event) {
    return std::string(event.Find("subtype")->items()[0].StringOr("code"));
  }
  // The entities' references that start with `prefix` ("" for all), in order.
  static std::vector<std::string> Entities(const fhir::Json& event,
                                           const std::string& prefix = "") {
    std::vector<std::string> references;
    if (const fhir::Json* entities = event.Find("entity")) {
      for (const fhir::Json& entity : entities->items()) {
        std::string reference(entity.Find("what")->StringOr("reference"));
        if (reference.rfind(prefix, 0) == 0) references.push_back(reference);
      }
    }
    return references;
  }

 private:
  AuditLog& log_;
  size_t seen_ = 0;
};

}  // namespace duet::gateway::testing
