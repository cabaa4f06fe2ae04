// Checking a partner endpoint before (or while) jobs use it: `duet endpoints test` and the admin
// API's "test connection". Fetches the partner's CapabilityStatement over the endpoint's TLS
// settings, makes one authorized search, and reports what the sync jobs rely on that the server
// does not list, and the partner's server certificate (subject, expiry, a warning within 30 days of
// it). Free functions; CheckEndpoint blocks for at most about twice the endpoint's timeout.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fhir/client/http_transport.h"
#include "gateway/config/sync_config.h"

namespace duet::gateway {

struct EndpointCheck {
  std::string outcome;  // "ok", "warn" or "fail"
  std::string what;     // "TLS/metadata", "auth (bearer)", "transaction Bundles", ...
  std::string detail;   // what was seen; never a secret
};

// The partner's TLS server certificate as the check saw it.
struct EndpointCertificate {
  std::string subject;  // "CN = partner.example", as the TLS library prints it
  std::string issuer;
  int64_t expires_at = 0;  // notAfter, seconds since the epoch
  std::string expires;     // notAfter as ISO 8601 UTC: "2027-11-27T20:03:34Z"
  int64_t days_left = 0;   // whole days from the check to expiry (negative once expired)
};

// A certificate expiring within this many days makes the check warn.
inline constexpr int64_t kCertificateWarningDays = 30;

struct EndpointCheckReport {
  std::vector<EndpointCheck> checks;
  // Set when the TLS handshake succeeded and the certificate could be read.
  std::optional<EndpointCertificate> certificate;
  // No check failed ("warn" is fine).
  bool ok() const;
};

// `now`: seconds since the epoch, to count the certificate's days left from.
EndpointCheckReport CheckEndpoint(const EndpointConfig& endpoint, int64_t now);

// The certificate's fields as of `now`, and its check: ok, "warn" within
// kCertificateWarningDays of its expiry, "fail" once expired or when its expiry is unknown.
EndpointCertificate DescribeCertificate(const fhir::PeerCertificate& peer, int64_t now);
EndpointCheck CertificateCheck(const EndpointCertificate& certificate);

// "name  https://...  partner NPI ...  mutual TLS  auth bearer (token in /path)  timeout 30s":
// file paths, never secrets.
std::string DescribeEndpoint(const EndpointConfig& endpoint);

}  // namespace duet::gateway
