#include "gateway/auth/secret_file.h"

#include <fstream>
#include <sstream>

namespace duet::gateway {

StatusOr<std::string> ReadSecretFile(const std::string& path, const std::string& what) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return UnavailableError("cannot read the " + what + " file " + path);
  std::ostringstream text;
  text << file.rdbuf();
  std::string secret = text.str();
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r' ||
                             secret.back() == ' ' || secret.back() == '\t')) {
    secret.pop_back();
  }
  if (secret.empty()) return UnavailableError("the " + what + " file " + path + " is empty");
  return secret;
}

}  // namespace duet::gateway
