#include "fhir/client/retry_policy.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <ctime>
#include <iomanip>
#include <locale>
#include <sstream>
#include <string>

namespace duet::fhir {
namespace {

std::string_view TrimSpaces(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return {};
  size_t end = text.find_last_not_of(" \t");
  return text.substr(begin, end - begin + 1);
}

std::optional<std::chrono::seconds> ParseDeltaSeconds(std::string_view text) {
  if (text.empty() || text.size() > 9) return std::nullopt;
  long long seconds = 0;
  for (char c : text) {
    if (std::isdigit(static_cast<unsigned char>(c)) == 0) return std::nullopt;
    seconds = seconds * 10 + (c - '0');
  }
  return std::chrono::seconds(seconds);
}

std::optional<std::chrono::system_clock::time_point> ParseImfFixdate(std::string_view text) {
  std::istringstream in{std::string(text)};
  in.imbue(std::locale::classic());
  std::tm parts{};
  in >> std::get_time(&parts, "%a, %d %b %Y %H:%M:%S");
  std::string zone;
  in >> zone;
  if (in.fail() || zone != "GMT") return std::nullopt;
  std::time_t seconds = timegm(&parts);
  if (seconds == static_cast<std::time_t>(-1)) return std::nullopt;
  return std::chrono::system_clock::from_time_t(seconds);
}

}  // namespace

bool IsRetryableHttpStatus(int status) {
  switch (status) {
    case 408:
    case 429:
    case 500:
    case 502:
    case 503:
    case 504: return true;
    default: return false;
  }
}

std::chrono::milliseconds BackoffDelay(const RetryPolicy& policy, int retry, double unit_random) {
  auto ceiling = static_cast<double>(policy.max_backoff.count());
  auto backoff = static_cast<double>(policy.initial_backoff.count());
  for (int i = 0; i < retry && backoff < ceiling; ++i) backoff *= 2;
  backoff = std::min(backoff, ceiling);
  double jitter = std::clamp(policy.jitter, 0.0, 1.0);
  double random = std::clamp(unit_random, 0.0, 1.0);
  return std::chrono::milliseconds(std::llround(backoff * (1.0 - jitter * random)));
}

std::optional<std::chrono::milliseconds> ParseRetryAfter(
    std::string_view value, std::chrono::system_clock::time_point now) {
  std::string_view text = TrimSpaces(value);
  if (auto seconds = ParseDeltaSeconds(text)) return *seconds;
  auto date = ParseImfFixdate(text);
  if (!date) return std::nullopt;
  if (*date <= now) return std::chrono::milliseconds(0);
  return std::chrono::ceil<std::chrono::milliseconds>(*date - now);
}

}  // namespace duet::fhir
