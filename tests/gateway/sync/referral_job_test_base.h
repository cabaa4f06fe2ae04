// What the referral sync job tests share: the practice's gateway without sockets
// (PracticeApiTestBase) knowing Maria Lopez and Dr. Chen, its sync state, and the partner EVIM as
// a FakeFhirPartner over TLS that knows the practice's Organization, with an endpoint and client
// for it. `context()` is what the gateway lends the jobs, with a fake clock and an audit log in
// memory.
#pragma once

#include <atomic>
#include <memory>

#include "gateway/store/sqlite_sync_state_store.h"
#include "gateway/sync/sync_context.h"
#include "gateway/sync/sync_jobs.h"
#include "tests/gateway/practice_api/practice_api_test_base.h"
#include "tests/support/fake_fhir_partner.h"
#include "tests/support/fhir_test_util.h"
#include "tests/support/https_client.h"
#include "tests/support/recording_audit_log.h"

namespace duet::gateway::testing {

inline constexpr char kPracticeNpi[] = "1987654328";

// The evim endpoint at `base_url`, trusting the test CA.
inline EndpointConfig EvimEndpoint(const std::string& base_url) {
  EndpointConfig endpoint;
  endpoint.name = "evim";
  endpoint.base_url = base_url;
  endpoint.organization_npi = "1620193841";
  endpoint.tls.ca_file = test::TestCertsDir() + "/ca.pem";
  return endpoint;
}

class ReferralJobTestBase : public PracticeApiTestBase {
 protected:
  void SetUp() override {
    PracticeApiTestBase::SetUp();
    state_ = std::move(*SqliteSyncStateStore::Open(dir_ + "/duet.db"));
    partner_ = std::make_unique<test::FakeFhirPartner>();
    ASSERT_TRUE(partner_->Start().ok());
    endpoint_ = EvimEndpoint(partner_->base_url());
    client_ = std::move(*MakeEndpointClient(endpoint_));
    partner_->Store(test::ParseOrFail(R"({"resourceType":"Organization","id":"org-sunrise",
        "identifier":[{"system":"http://hl7.org/fhir/sid/us-npi","value":"1987654328"}],
        "name":"Sunrise Physical Therapy"})"));
    Upload(People());  // the practice knows Maria Lopez and Dr. Chen already
  }
  void TearDown() override {
    client_.reset();
    partner_.reset();
    state_.reset();
    PracticeApiTestBase::TearDown();
  }

  SyncContext context() {
    return SyncContext{*store_,
                       *state_,
                       *fhir_,
                       mappings::MappingContext{kIdentifierBase},
                       [this] { return now_.load(); },
                       audit_log_};
  }
  // The partner serves its referral searchset (tests/fixtures/partner/referral-searchset.json).
  fhir::Json ServeSearchset() {
    fhir::Json searchset = test::ParseOrFail(test::FixtureText("partner/referral-searchset.json"));
    partner_->ServeSearchset(searchset);
    return searchset;
  }

  std::unique_ptr<SqliteSyncStateStore> state_;
  std::unique_ptr<test::FakeFhirPartner> partner_;
  EndpointConfig endpoint_;
  std::unique_ptr<fhir::FhirClient> client_;
  std::atomic<int64_t> now_{1'800'000'000};
  test::RecordingAuditLog audit_log_;  // what the jobs record of their exchanges
};

}  // namespace duet::gateway::testing
