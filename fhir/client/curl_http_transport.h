// CurlHttpTransport: HttpTransport on libcurl, for the FHIR client.
//
// Keeps a pool of libcurl easy handles, each with its connections kept alive, so that calls reuse
// open connections (at most one connection per thread calling at the same time), and shares TLS
// sessions and DNS answers between the handles. Asks for compressed
// answers (gzip, deflate, br, zstd) and decodes them; verifies the server against `ca_file` (or
// the system store) and presents a client certificate when one is given. Redirects are not
// followed. Thread-safe; owns its libcurl handles and frees them in the destructor.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "fhir/client/http_transport.h"
#include "fhir/status.h"

namespace duet::fhir {

struct CurlHttpTransportOptions {
  std::string ca_file;             // PEM bundle to trust; "" = system default
  std::string client_certificate;  // PEM file, for mutual TLS; "" = none
  std::string client_key;          // PEM file of the certificate's private key
  std::string user_agent;
  size_t max_response_bytes = size_t{256} << 20;
};

class CurlHttpTransport : public HttpTransport {
 public:
  // Checks that the named files can be read (fails fast with kInvalidArgument otherwise).
  static StatusOr<std::unique_ptr<CurlHttpTransport>> Create(CurlHttpTransportOptions options);
  ~CurlHttpTransport() override;
  CurlHttpTransport(const CurlHttpTransport&) = delete;
  CurlHttpTransport& operator=(const CurlHttpTransport&) = delete;

  HttpExchange Perform(const HttpRequest& request) override;

 private:
  struct Handles;
  CurlHttpTransport(CurlHttpTransportOptions options, std::unique_ptr<Handles> handles);

  CurlHttpTransportOptions options_;
  std::unique_ptr<Handles> handles_;
};

// A certificate time as libcurl reports it ("Nov 27 20:03:34 2027 GMT", OpenSSL's ASN1_TIME_print
// form, fractional seconds allowed) in seconds since the epoch; 0 when it is not in that form.
int64_t ParseCertificateTime(std::string_view text);

}  // namespace duet::fhir
