#include "tests/support/fault_proxy.h"

#include <utility>

#include "fhir/client/http_headers.h"

namespace duet::test {
namespace {

// Request headers a FHIR client's meaning depends on; hop-by-hop and encoding headers stay.
constexpr const char* kForwardedRequestHeaders[] = {
    "Content-Type",      "Accept", "If-Match",     "If-None-Exist", "If-None-Match",
    "If-Modified-Since", "Prefer", "Authorization"};
constexpr const char* kRelayedResponseHeaders[] = {"Content-Type", "ETag", "Location",
                                                   "Last-Modified", "Retry-After"};

ScriptedHttpsServerOptions MutualTls() {
  ScriptedHttpsServerOptions options;
  options.require_client_certificate = true;
  return options;
}

}  // namespace

FaultProxy::FaultProxy(std::string upstream_base, HttpsClientOptions upstream_tls,
                       FaultChooser chooser, std::chrono::milliseconds slow_delay)
    : upstream_base_(std::move(upstream_base)),
      upstream_tls_(std::move(upstream_tls)),
      chooser_(std::move(chooser)),
      slow_delay_(slow_delay),
      server_([this](const ScriptedRequest& request) { return Handle(request); }, MutualTls()) {}

int FaultProxy::requests() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return number_;
}

ScriptedResponse FaultProxy::Handle(const ScriptedRequest& request) {
  Fault fault;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    fault = chooser_(++number_, request);
  }
  ++counts_[static_cast<size_t>(fault)];
  switch (fault) {
    case Fault::kUnavailable:
      return ScriptedResponse::Fhir(
          503,
          R"({"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"transient",)"
          R"("diagnostics":"injected by the fault proxy"}]})",
          {{"Retry-After", "1"}});
    case Fault::kDropBefore: return ScriptedResponse::Drop();
    case Fault::kDropAfter: {
      Forward(request);
      return ScriptedResponse::Drop();
    }
    case Fault::kSlow: {
      ScriptedResponse response = Forward(request);
      response.delay = slow_delay_;
      return response;
    }
    case Fault::kNone: break;
  }
  return Forward(request);
}

ScriptedResponse FaultProxy::Forward(const ScriptedRequest& request) const {
  HeaderList headers;
  for (const auto& [name, value] : request.headers) {
    for (const char* wanted : kForwardedRequestHeaders) {
      if (fhir::EqualsIgnoreCase(name, wanted)) headers.emplace_back(name, value);
    }
  }
  HttpsClient upstream(upstream_base_, upstream_tls_);  // one per call: handlers run in parallel
  HttpsResponse answer = upstream.Send(request.method, request.target, request.body, headers);
  if (!answer.ok()) return ScriptedResponse::Drop();  // as the partner's failure would look
  ScriptedResponse response;
  response.status = static_cast<int>(answer.status);
  response.body = std::move(answer.body);
  for (const auto& [name, value] : answer.headers) {
    for (const char* wanted : kRelayedResponseHeaders) {
      if (fhir::EqualsIgnoreCase(name, wanted)) response.headers.emplace_back(name, value);
    }
  }
  return response;
}

}  // namespace duet::test
