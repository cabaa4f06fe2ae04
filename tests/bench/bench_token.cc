// Keys and client assertions for the auth benchmark (run_auth.sh): the bench plays a partner EHR
// registered as a SMART client, so it needs a key pair, its JWKS, and fresh signed assertions to
// trade at POST /auth/token for real access tokens.
//
//   bench_token keys --dir DIR                 writes DIR/client.pem and DIR/client.jwks.json
//   bench_token assertion --key DIR/client.pem --client-id ID --aud https://HOST/auth/token
//                                              prints a fresh ES384 assertion (kid "bench-1")
#include <CLI/CLI.hpp>

#include <chrono>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <string>

#include "fhir/json.h"
#include "gateway/auth/jwk.h"
#include "gateway/auth/jws.h"
#include "tests/support/test_keys.h"

namespace {

using duet::fhir::Json;
constexpr char kKeyId[] = "bench-1";

int WriteKeys(const std::string& dir) {
  std::string pem = duet::test::NewEcP384KeyPem();
  auto jwk = duet::gateway::PublicJwkFromPem(pem, kKeyId);
  if (!jwk.ok()) {
    std::cerr << "bench_token: " << jwk.status().ToString() << "\n";
    return 1;
  }
  Json keys = Json::MakeArray();
  keys.Append(std::move(*jwk));
  Json jwks = Json::MakeObject();
  jwks.Set("keys", std::move(keys));
  std::ofstream(dir + "/client.pem") << pem;
  std::ofstream(dir + "/client.jwks.json") << duet::fhir::WriteJson(jwks);
  return 0;
}

int PrintAssertion(const std::string& key_file, const std::string& client_id,
                   const std::string& audience) {
  std::ifstream in(key_file);
  std::stringstream pem;
  pem << in.rdbuf();
  long long now = std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  std::random_device random;
  Json claims = Json::MakeObject();
  claims.Set("iss", Json::String(client_id));
  claims.Set("sub", Json::String(client_id));
  claims.Set("aud", Json::String(audience));
  claims.Set("exp", Json::Integer(now + 240));
  claims.Set("jti", Json::String("bench-" + std::to_string(now) + "-" + std::to_string(random())));
  auto jwt = duet::gateway::SignJwt("ES384", kKeyId, claims, pem.str());
  if (!jwt.ok()) {
    std::cerr << "bench_token: " << jwt.status().ToString() << "\n";
    return 1;
  }
  std::cout << *jwt << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Keys and client assertions for the auth benchmark"};
  app.require_subcommand(1);
  std::string dir, key_file, client_id, audience;
  CLI::App* keys = app.add_subcommand("keys", "Write a key pair and its JWKS");
  keys->add_option("--dir", dir, "Directory to write client.pem and client.jwks.json")->required();
  CLI::App* assertion = app.add_subcommand("assertion", "Print a fresh signed assertion");
  assertion->add_option("--key", key_file, "PEM private key")->required();
  assertion->add_option("--client-id", client_id, "Registered client id")->required();
  assertion->add_option("--aud", audience, "The token endpoint URL")->required();
  CLI11_PARSE(app, argc, argv);
  if (keys->parsed()) return WriteKeys(dir);
  return PrintAssertion(key_file, client_id, audience);
}
