// TlsSettings: the listener's TLS material and policy, loaded and checked once at start.
//
// Load() reads the certificate chain, the private key and (optionally) the CA that client
// certificates must chain to, parses them with OpenSSL and checks that the key belongs to the
// certificate. ApplyTo() then only installs the prepared objects and the policy on a fresh native
// SSL_CTX: the HTTP adapter calls it for every accepted connection, so it does no file I/O and
// no parsing. The policy is TLS 1.2 minimum, ECDHE key exchange with AEAD ciphers only, the
// server's cipher order, no compression, no renegotiation, and stateless session tickets whose
// keys are shared by every context made from the same settings (so resumption works across
// connections).
//
// Immutable after Load(); any thread may call the const methods concurrently. Shared through
// std::shared_ptr<const TlsSettings>.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "fhir/status.h"

// OpenSSL's SSL_CTX, declared here so that no OpenSSL header leaks out of gateway/tls.
struct ssl_ctx_st;

namespace duet::gateway {

struct TlsFiles {
  std::string certificate_path;  // PEM: the server certificate first, then intermediates
  std::string private_key_path;  // PEM, unencrypted
  std::string client_ca_path;    // PEM CA bundle; "" = no client certificate is requested
};

class TlsSettings {
 public:
  // Errors are kInvalidArgument and name the config field and file, e.g.
  // "tls.certificate: cannot read /x/y.pem: No such file or directory" or
  // "tls.private_key does not match tls.certificate".
  static StatusOr<std::shared_ptr<const TlsSettings>> Load(const TlsFiles& files);

  ~TlsSettings();
  TlsSettings(const TlsSettings&) = delete;
  TlsSettings& operator=(const TlsSettings&) = delete;

  // Installs certificate, key, policy and ticket keys on `context` (an SSL_CTX*).
  Status ApplyTo(ssl_ctx_st* context) const;

  // Problems that do not stop the server (an expired or soon expiring certificate), one a line,
  // meant for the start-up log.
  const std::vector<std::string>& warnings() const { return warnings_; }

  std::chrono::system_clock::time_point certificate_not_after() const { return not_after_; }
  std::chrono::system_clock::time_point certificate_not_before() const { return not_before_; }
  // RFC 2253 subject of the server certificate, e.g. "CN=localhost,O=Duet dev".
  const std::string& certificate_subject() const { return subject_; }
  bool requires_client_certificate() const;

  // The TLS 1.2 cipher list and TLS 1.3 suites that ApplyTo() installs (OpenSSL syntax).
  static const char* Tls12CipherList();
  static const char* Tls13CipherSuites();

 private:
  struct Native;
  explicit TlsSettings(std::unique_ptr<Native> native);

  std::unique_ptr<Native> native_;
  std::vector<std::string> warnings_;
  std::chrono::system_clock::time_point not_before_;
  std::chrono::system_clock::time_point not_after_;
  std::string subject_;
};

}  // namespace duet::gateway
