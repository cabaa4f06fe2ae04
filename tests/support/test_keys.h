// Fresh signing keys for SMART tests, made with OpenSSL at run time (no key is committed):
// EC P-384 for ES384 and RSA 2048 for RS384, as PKCS#8 PEM text. Thread-safe.
#pragma once

#include <string>

namespace duet::test {

std::string NewEcP384KeyPem();
std::string NewRsaKeyPem();

}  // namespace duet::test
