// StaticBearerGate: puts an API that is not a FHIR API (the practice API for the EMR, the admin
// API) behind one shared bearer token, read from a file at start (config
// auth.practice_token_file, auth.admin_token_file). Requests
// without `Authorization: Bearer <that token>` get 401 in the wrapped API's own error format.
// The comparison takes the same time wherever the tokens differ.
//
// Holds the inner handler (shared). Handle() is called concurrently; no mutable state.
#pragma once

#include <memory>
#include <string>

#include "fhir/status.h"
#include "gateway/http/http_types.h"

namespace duet::gateway {

class StaticBearerGate : public HttpHandler {
 public:
  // kInvalidArgument when the file is unreadable or holds fewer than 32 characters.
  // `config_field` names the file's configuration field in the 401 message ("practice token
  // (auth.practice_token_file)").
  static StatusOr<std::shared_ptr<StaticBearerGate>> Create(
      std::shared_ptr<HttpHandler> inner, const std::string& token_file,
      const std::string& credential = "practice's bearer token (auth.practice_token_file)",
      const std::string& realm = "duet-practice");

  HttpResponse Handle(const HttpRequest& request) override;
  HttpResponse Failure(int status, const std::string& path,
                       const std::string& message) const override;

 private:
  StaticBearerGate(std::shared_ptr<HttpHandler> inner, std::string token, std::string credential,
                   std::string realm)
      : inner_(std::move(inner)),
        token_(std::move(token)),
        credential_(std::move(credential)),
        realm_(std::move(realm)) {}

  std::shared_ptr<HttpHandler> inner_;
  std::string token_;
  std::string credential_;
  std::string realm_;
};

}  // namespace duet::gateway
