// StaticBearerGate: puts an API that is not a FHIR API (the practice API for the EMR, the admin
// API for the IT admin) behind one shared bearer token, read from a file at start (config
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
  // `who` names the credential's holder ("practice", "admin": the 401 message and realm),
  // `setting` the config member that names the file.
  static StatusOr<std::shared_ptr<StaticBearerGate>> Create(
      std::shared_ptr<HttpHandler> inner, const std::string& token_file,
      const std::string& who = "practice", const std::string& setting = "auth.practice_token_file");

  // Whether `request` carries the practice's token.
  bool Admits(const HttpRequest& request) const;
  HttpResponse Handle(const HttpRequest& request) override;
  HttpResponse Failure(int status, const std::string& path,
                       const std::string& message) const override;

 private:
  StaticBearerGate(std::shared_ptr<HttpHandler> inner, std::string token, std::string who,
                   std::string setting)
      : inner_(std::move(inner)),
        token_(std::move(token)),
        who_(std::move(who)),
        setting_(std::move(setting)) {}

  std::shared_ptr<HttpHandler> inner_;
  std::string token_;
  std::string who_;
  std::string setting_;
};

}  // namespace duet::gateway
