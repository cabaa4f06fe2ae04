// The direct side of tests/bench/run_push.sh: posts transaction Bundles (one compact JSON document
// a line, as capture_push_bundles writes them) to a FHIR base one after another over one
// kept-alive libcurl connection, with the headers the gateway's FhirClient sends, and prints how
// long the partner took to take them all in.
//
//   post_bundles --bundles out/bundles.ndjson --base https://127.0.0.1:18444/fhir
//       --ca ca.pem --cert client.pem --key client.key
//
// Prints "posted=N seconds=S"; exits 1 at the first answer that is not 200.
#include <curl/curl.h>
#include <CLI/CLI.hpp>

#include <chrono>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

namespace {

size_t Append(char* data, size_t size, size_t count, void* sink) {
  static_cast<std::string*>(sink)->append(data, size * count);
  return size * count;
}

// One easy handle for every request, so libcurl keeps its connection (and TLS session) alive.
class Poster {
 public:
  Poster(const std::string& base, const std::string& ca, const std::string& cert,
         const std::string& key)
      : curl_(curl_easy_init()) {
    headers_ = curl_slist_append(headers_, "Accept: application/fhir+json");
    headers_ = curl_slist_append(headers_, "Content-Type: application/fhir+json; charset=utf-8");
    curl_easy_setopt(curl_, CURLOPT_URL, base.c_str());
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(curl_, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(curl_, CURLOPT_CAINFO, ca.c_str());
    if (!cert.empty()) {
      curl_easy_setopt(curl_, CURLOPT_SSLCERT, cert.c_str());
      curl_easy_setopt(curl_, CURLOPT_SSLKEY, key.c_str());
    }
    curl_easy_setopt(curl_, CURLOPT_USERAGENT, "duet-bench-direct");
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers_);
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, Append);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &answer_);
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT, 60L);
  }
  ~Poster() {
    curl_slist_free_all(headers_);
    curl_easy_cleanup(curl_);
  }
  Poster(const Poster&) = delete;
  Poster& operator=(const Poster&) = delete;

  // The HTTP status of the answer (0 when none came); the answer's body in answer().
  long Post(const std::string& body) {
    answer_.clear();
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    if (curl_easy_perform(curl_) != CURLE_OK) return 0;
    long status = 0;
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status);
    return status;
  }
  const std::string& answer() const { return answer_; }

 private:
  CURL* curl_;
  curl_slist* headers_ = nullptr;
  std::string answer_;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Post transaction Bundles to a FHIR server serially over one connection"};
  std::string bundles_path, base, ca, cert, key;
  app.add_option("--bundles", bundles_path, "One Bundle a line")->required();
  app.add_option("--base", base, "FHIR base URL")->required();
  app.add_option("--ca", ca, "CA bundle (PEM)")->required();
  app.add_option("--cert", cert, "Client certificate (PEM), for mutual TLS");
  app.add_option("--key", key, "Client key (PEM)");
  CLI11_PARSE(app, argc, argv);

  std::vector<std::string> bundles;
  std::ifstream in(bundles_path, std::ios::binary);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) bundles.push_back(std::move(line));
  }
  if (bundles.empty()) {
    std::cerr << "post_bundles: no Bundles in " << bundles_path << "\n";
    return 1;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  int result = 0;
  {
    Poster poster(base, ca, cert, key);
    auto started = std::chrono::steady_clock::now();
    for (size_t i = 0; i < bundles.size(); ++i) {
      long status = poster.Post(bundles[i]);
      if (status != 200) {
        std::cerr << "post_bundles: Bundle " << i << " answered " << status << ": "
                  << poster.answer().substr(0, 500) << "\n";
        result = 1;
        break;
      }
    }
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (result == 0) std::cout << "posted=" << bundles.size() << " seconds=" << seconds << "\n";
  }
  curl_global_cleanup();
  return result;
}
