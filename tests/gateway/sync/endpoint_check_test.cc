#include "gateway/sync/endpoint_check.h"

#include <gtest/gtest.h>

namespace duet::gateway {
namespace {

constexpr int64_t kNow = 1795737600;  // 2026-11-27T00:00:00Z

fhir::PeerCertificate Expiring(int64_t not_after) {
  return {"CN = fhir.evim.example", "CN = Evim CA", not_after};
}

TEST(EndpointCertificateTest, ExpiryIsGivenInUtcWithTheDaysLeft) {
  EndpointCertificate certificate = DescribeCertificate(Expiring(kNow + 400 * 86400 + 3661), kNow);
  EXPECT_EQ(certificate.subject, "CN = fhir.evim.example");
  EXPECT_EQ(certificate.issuer, "CN = Evim CA");
  EXPECT_EQ(certificate.expires, "2028-01-01T01:01:01Z");
  EXPECT_EQ(certificate.expires_at, kNow + 400 * 86400 + 3661);
  EXPECT_EQ(certificate.days_left, 400);
  EndpointCheck check = CertificateCheck(certificate);
  EXPECT_EQ(check.outcome, "ok");
  EXPECT_EQ(check.what, "server certificate");
  EXPECT_EQ(check.detail,
            "CN = fhir.evim.example (issued by CN = Evim CA) expires 2028-01-01T01:01:01Z, in 400 "
            "day(s)");
}

TEST(EndpointCertificateTest, WarnsWithinThirtyDaysAndFailsOnceExpired) {
  EXPECT_EQ(CertificateCheck(DescribeCertificate(Expiring(kNow + 30 * 86400), kNow)).outcome, "ok");
  EndpointCheck soon = CertificateCheck(DescribeCertificate(Expiring(kNow + 29 * 86400 + 5), kNow));
  EXPECT_EQ(soon.outcome, "warn");
  EXPECT_NE(soon.detail.find("in 29 day(s): less than 30 days left"), std::string::npos)
      << soon.detail;
  EXPECT_EQ(CertificateCheck(DescribeCertificate(Expiring(kNow + 10), kNow)).outcome, "warn");
  EndpointCertificate expired = DescribeCertificate(Expiring(kNow - 1), kNow);
  EXPECT_EQ(expired.days_left, -1);
  EndpointCheck check = CertificateCheck(expired);
  EXPECT_EQ(check.outcome, "fail");
  EXPECT_NE(check.detail.find("expires 2026-11-26T23:59:59Z: expired"), std::string::npos)
      << check.detail;
  EndpointCertificate unknown = DescribeCertificate(Expiring(0), kNow);
  EXPECT_EQ(unknown.expires, "");
  EXPECT_EQ(CertificateCheck(unknown).outcome, "warn");
}

}  // namespace
}  // namespace duet::gateway
