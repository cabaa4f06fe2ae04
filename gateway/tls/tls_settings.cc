#include "gateway/tls/tls_settings.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace duet::gateway {
namespace {

constexpr int kExpiryWarningDays = 30;
constexpr int kClientChainDepth = 4;

// Mozilla "intermediate" TLS 1.2 list: ECDHE key exchange and AEAD ciphers only.
constexpr char kTls12Ciphers[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr char kTls13Suites[] =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
constexpr char kGroups[] = "X25519:P-256:P-384";

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct StoreFree {
  void operator()(X509_STORE* s) const { X509_STORE_free(s); }
};
struct NameStackFree {
  void operator()(STACK_OF(X509_NAME) * s) const { sk_X509_NAME_pop_free(s, X509_NAME_free); }
};
struct SslCtxFree {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

// The most recent OpenSSL error of this thread as text, clearing the queue.
std::string TakeOpenSslError() {
  unsigned long code = ERR_peek_last_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  std::array<char, 256> buffer{};
  ERR_error_string_n(code, buffer.data(), buffer.size());
  return buffer.data();
}

StatusOr<std::string> ReadFileText(const std::string& field, const std::string& path) {
  if (path.empty()) return InvalidArgumentError(field + ": no file given");
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    return InvalidArgumentError(field + ": cannot read " + path + ": " + std::strerror(errno));
  }
  std::string text;
  std::array<char, 8192> buffer{};
  size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), file)) > 0) text.append(buffer.data(), n);
  bool failed = std::ferror(file) != 0;
  int error = errno;
  std::fclose(file);
  if (failed) {
    return InvalidArgumentError(field + ": cannot read " + path + ": " + std::strerror(error));
  }
  return text;
}

std::unique_ptr<BIO, BioFree> MemoryBio(const std::string& text) {
  return std::unique_ptr<BIO, BioFree>(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

// Every certificate in a PEM text, in order.
StatusOr<std::vector<X509Ptr>> ParseCertificates(const std::string& field, const std::string& path,
                                                 const std::string& pem) {
  auto bio = MemoryBio(pem);
  std::vector<X509Ptr> certificates;
  while (X509* certificate = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    certificates.emplace_back(certificate);
  }
  unsigned long last = ERR_peek_last_error();
  bool clean_end = ERR_GET_LIB(last) == ERR_LIB_PEM && ERR_GET_REASON(last) == PEM_R_NO_START_LINE;
  if (last != 0 && !clean_end) {
    return InvalidArgumentError(field + ": cannot parse " + path + ": " + TakeOpenSslError());
  }
  ERR_clear_error();
  if (certificates.empty()) {
    return InvalidArgumentError(field + ": no PEM certificate in " + path);
  }
  return certificates;
}

int RefusePassphrase(char*, int, int, void*) { return -1; }

StatusOr<std::unique_ptr<EVP_PKEY, PkeyFree>> ParsePrivateKey(const std::string& path,
                                                              const std::string& pem) {
  const std::string field = "tls.private_key";
  if (pem.find("ENCRYPTED") != std::string::npos) {
    return InvalidArgumentError(field + ": " + path +
                                " is encrypted; give the key without a passphrase "
                                "(protect it with file permissions)");
  }
  auto bio = MemoryBio(pem);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, RefusePassphrase, nullptr);
  if (key == nullptr) {
    return InvalidArgumentError(field + ": no PEM private key in " + path + ": " +
                                TakeOpenSslError());
  }
  return std::unique_ptr<EVP_PKEY, PkeyFree>(key);
}

std::chrono::system_clock::time_point ToTimePoint(const ASN1_TIME* time) {
  std::tm tm{};
  if (ASN1_TIME_to_tm(time, &tm) != 1) return {};
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

std::string FormatUtc(std::chrono::system_clock::time_point point) {
  std::time_t t = std::chrono::system_clock::to_time_t(point);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::array<char, 32> buffer{};
  std::strftime(buffer.data(), buffer.size(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer.data();
}

std::string SubjectText(X509* certificate) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), X509_get_subject_name(certificate), 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

std::vector<std::string> ValidityWarnings(const std::string& path,
                                          std::chrono::system_clock::time_point not_before,
                                          std::chrono::system_clock::time_point not_after) {
  std::vector<std::string> warnings;
  auto now = std::chrono::system_clock::now();
  if (not_after <= now) {
    warnings.push_back("tls.certificate: " + path + " expired on " + FormatUtc(not_after) +
                       "; clients will refuse the connection");
  } else if (not_after - now < std::chrono::hours(24 * kExpiryWarningDays)) {
    warnings.push_back("tls.certificate: " + path + " expires on " + FormatUtc(not_after));
  }
  if (not_before > now) {
    warnings.push_back("tls.certificate: " + path + " is not valid before " +
                       FormatUtc(not_before));
  }
  return warnings;
}

}  // namespace

struct TlsSettings::Native {
  std::vector<X509Ptr> chain;  // the server certificate first
  std::unique_ptr<EVP_PKEY, PkeyFree> key;
  std::unique_ptr<X509_STORE, StoreFree> client_ca_store;  // null without mTLS
  std::unique_ptr<STACK_OF(X509_NAME), NameStackFree> client_ca_names;
  std::array<unsigned char, 80> ticket_keys{};  // name (16), HMAC secret (32), AES key (32)
};

TlsSettings::TlsSettings(std::unique_ptr<Native> native) : native_(std::move(native)) {}
TlsSettings::~TlsSettings() = default;

const char* TlsSettings::Tls12CipherList() { return kTls12Ciphers; }
const char* TlsSettings::Tls13CipherSuites() { return kTls13Suites; }

bool TlsSettings::requires_client_certificate() const {
  return native_->client_ca_store != nullptr;
}

StatusOr<std::shared_ptr<const TlsSettings>> TlsSettings::Load(const TlsFiles& files) {
  auto native = std::make_unique<Native>();

  DUET_ASSIGN_OR_RETURN(std::string certificate_pem,
                        ReadFileText("tls.certificate", files.certificate_path));
  DUET_ASSIGN_OR_RETURN(std::string key_pem,
                        ReadFileText("tls.private_key", files.private_key_path));
  DUET_ASSIGN_OR_RETURN(
      native->chain, ParseCertificates("tls.certificate", files.certificate_path, certificate_pem));
  DUET_ASSIGN_OR_RETURN(native->key, ParsePrivateKey(files.private_key_path, key_pem));
  if (X509_check_private_key(native->chain.front().get(), native->key.get()) != 1) {
    ERR_clear_error();
    return InvalidArgumentError("tls.private_key does not match tls.certificate (" +
                                files.private_key_path + " is not the key of " +
                                files.certificate_path + ")");
  }

  if (!files.client_ca_path.empty()) {
    DUET_ASSIGN_OR_RETURN(std::string ca_pem, ReadFileText("tls.client_ca", files.client_ca_path));
    DUET_ASSIGN_OR_RETURN(auto authorities,
                          ParseCertificates("tls.client_ca", files.client_ca_path, ca_pem));
    native->client_ca_store.reset(X509_STORE_new());
    native->client_ca_names.reset(sk_X509_NAME_new_null());
    for (const auto& authority : authorities) {
      X509_STORE_add_cert(native->client_ca_store.get(), authority.get());
      sk_X509_NAME_push(native->client_ca_names.get(),
                        X509_NAME_dup(X509_get_subject_name(authority.get())));
    }
  }

  if (RAND_bytes(native->ticket_keys.data(), static_cast<int>(native->ticket_keys.size())) != 1) {
    return InternalError("tls: cannot generate session ticket keys: " + TakeOpenSslError());
  }

  X509* leaf = native->chain.front().get();
  std::shared_ptr<TlsSettings> settings(new TlsSettings(std::move(native)));
  settings->not_before_ = ToTimePoint(X509_get0_notBefore(leaf));
  settings->not_after_ = ToTimePoint(X509_get0_notAfter(leaf));
  settings->subject_ = SubjectText(leaf);
  settings->warnings_ =
      ValidityWarnings(files.certificate_path, settings->not_before_, settings->not_after_);

  // Apply once to a scratch context so that problems (a key too weak for the policy, a broken
  // chain) stop the start instead of failing every handshake.
  std::unique_ptr<SSL_CTX, SslCtxFree> probe(SSL_CTX_new(TLS_server_method()));
  if (probe == nullptr)
    return InternalError("tls: cannot create an SSL_CTX: " + TakeOpenSslError());
  DUET_RETURN_IF_ERROR(settings->ApplyTo(probe.get()));
  return std::shared_ptr<const TlsSettings>(std::move(settings));
}

Status TlsSettings::ApplyTo(ssl_ctx_st* context) const {
  SSL_CTX* ctx = context;
  auto fail = [](const std::string& what) {
    return InvalidArgumentError("tls: " + what + ": " + TakeOpenSslError());
  };
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) return fail("minimum version");
  SSL_CTX_set_security_level(ctx, 2);
  SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION |
                               SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_SSLv3 | SSL_OP_NO_TLSv1 |
                               SSL_OP_NO_TLSv1_1);
  SSL_CTX_clear_options(ctx, SSL_OP_NO_TICKET);
  if (SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1) return fail("TLS 1.2 ciphers");
  if (SSL_CTX_set_ciphersuites(ctx, kTls13Suites) != 1) return fail("TLS 1.3 cipher suites");
  if (SSL_CTX_set1_groups_list(ctx, kGroups) != 1) return fail("key exchange groups");

  if (SSL_CTX_use_certificate(ctx, native_->chain.front().get()) != 1) {
    return fail("tls.certificate is not usable");
  }
  SSL_CTX_clear_chain_certs(ctx);
  for (size_t i = 1; i < native_->chain.size(); ++i) {
    if (SSL_CTX_add1_chain_cert(ctx, native_->chain[i].get()) != 1) {
      return fail("tls.certificate chain");
    }
  }
  if (SSL_CTX_use_PrivateKey(ctx, native_->key.get()) != 1) {
    return fail("tls.private_key is not usable");
  }
  if (SSL_CTX_check_private_key(ctx) != 1) return fail("tls.private_key check");

  auto* keys = const_cast<unsigned char*>(native_->ticket_keys.data());
  if (SSL_CTX_set_tlsext_ticket_keys(ctx, keys, static_cast<long>(native_->ticket_keys.size())) !=
      1) {
    return fail("session ticket keys");
  }

  if (native_->client_ca_store != nullptr) {
    SSL_CTX_set1_cert_store(ctx, native_->client_ca_store.get());
    SSL_CTX_set_client_CA_list(ctx, SSL_dup_CA_list(native_->client_ca_names.get()));
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    SSL_CTX_set_verify_depth(ctx, kClientChainDepth);
    // Without a session id context OpenSSL refuses, with an "internal error" alert, every
    // resumed session (ticket or id) of a verified client: reconnecting partners would fail.
    static constexpr unsigned char kSessionContext[] = "duet-mutual-tls";
    if (SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof kSessionContext - 1) != 1) {
      return fail("session id context");
    }
  }
  return Status::Ok();
}

}  // namespace duet::gateway
