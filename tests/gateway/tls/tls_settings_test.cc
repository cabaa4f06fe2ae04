#include "gateway/tls/tls_settings.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "tests/support/https_client.h"
#include "tests/support/test_server.h"

namespace duet::gateway {
namespace {

using test::TestCertsDir;
using test::WriteFile;

// Writes a self-signed certificate valid from now+`from_days` to now+`to_days`, and its key.
void MakeSelfSigned(const std::string& cert_path, const std::string& key_path, long from_days,
                    long to_days, int rsa_bits = 2048) {
  EVP_PKEY* key = EVP_RSA_gen(static_cast<unsigned>(rsa_bits));
  ASSERT_NE(key, nullptr);
  X509* cert = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), from_days * 24 * 3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), to_days * 24 * 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509_sign(cert, key, EVP_sha256());
  FILE* cert_file = std::fopen(cert_path.c_str(), "wb");
  PEM_write_X509(cert_file, cert);
  std::fclose(cert_file);
  FILE* key_file = std::fopen(key_path.c_str(), "wb");
  PEM_write_PrivateKey(key_file, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(key_file);
  X509_free(cert);
  EVP_PKEY_free(key);
}

class TlsSettingsTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = test::MakeTempDir("duet-tls-test"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }
  static std::string Certs(const std::string& name) { return TestCertsDir() + "/" + name; }

  std::string dir_;
};

TEST_F(TlsSettingsTest, LoadsTheDevCertificates) {
  auto settings = TlsSettings::Load({Certs("server.pem"), Certs("server.key"), ""});
  ASSERT_TRUE(settings.ok()) << settings.status().ToString();
  EXPECT_TRUE((*settings)->warnings().empty());
  EXPECT_GT((*settings)->certificate_not_after(), std::chrono::system_clock::now());
  EXPECT_LT((*settings)->certificate_not_before(), std::chrono::system_clock::now());
  EXPECT_NE((*settings)->certificate_subject().find("CN=localhost"), std::string::npos);
  EXPECT_FALSE((*settings)->requires_client_certificate());
}

TEST_F(TlsSettingsTest, MissingCertificateNamesFieldPathAndReason) {
  auto settings = TlsSettings::Load({"/nonexistent/x.pem", Certs("server.key"), ""});
  ASSERT_FALSE(settings.ok());
  EXPECT_EQ(settings.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(settings.status().message(),
            "tls.certificate: cannot read /nonexistent/x.pem: No such file or directory");
}

TEST_F(TlsSettingsTest, MissingKeyNamesFieldPathAndReason) {
  auto settings = TlsSettings::Load({Certs("server.pem"), "/nonexistent/k.pem", ""});
  ASSERT_FALSE(settings.ok());
  EXPECT_EQ(settings.status().message(),
            "tls.private_key: cannot read /nonexistent/k.pem: No such file or directory");
}

TEST_F(TlsSettingsTest, DirectoryInsteadOfFileIsReported) {
  auto settings = TlsSettings::Load({dir_, Certs("server.key"), ""});
  ASSERT_FALSE(settings.ok());
  EXPECT_EQ(settings.status().message(),
            "tls.certificate: cannot read " + dir_ + ": Is a directory");
}

TEST_F(TlsSettingsTest, FileWithoutPemIsReported) {
  WriteFile(Path("garbage.pem"), "this is not a certificate\n");
  auto settings = TlsSettings::Load({Path("garbage.pem"), Certs("server.key"), ""});
  ASSERT_FALSE(settings.ok());
  EXPECT_EQ(settings.status().message(),
            "tls.certificate: no PEM certificate in " + Path("garbage.pem"));
}

TEST_F(TlsSettingsTest, KeyOfAnotherCertificateIsRejected) {
  auto settings = TlsSettings::Load({Certs("server.pem"), Certs("client.key"), ""});
  ASSERT_FALSE(settings.ok());
  EXPECT_EQ(settings.status().message().rfind("tls.private_key does not match tls.certificate", 0),
            0u)
      << settings.status().message();
}

TEST_F(TlsSettingsTest, EncryptedKeyIsRejectedWithAHint) {
  auto result = test::RunProcess({"openssl", "pkey", "-in", Certs("server.key"), "-aes256",
                                  "-passout", "pass:secret", "-out", Path("encrypted.key")});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto settings = TlsSettings::Load({Certs("server.pem"), Path("encrypted.key"), ""});
  ASSERT_FALSE(settings.ok());
  EXPECT_NE(settings.status().message().find("is encrypted"), std::string::npos)
      << settings.status().message();
}

TEST_F(TlsSettingsTest, ExpiredCertificateLoadsWithAWarning) {
  MakeSelfSigned(Path("expired.pem"), Path("expired.key"), -30, -1);
  auto settings = TlsSettings::Load({Path("expired.pem"), Path("expired.key"), ""});
  ASSERT_TRUE(settings.ok()) << settings.status().ToString();
  ASSERT_EQ((*settings)->warnings().size(), 1u);
  EXPECT_NE((*settings)->warnings()[0].find("expired on"), std::string::npos)
      << (*settings)->warnings()[0];
  EXPECT_LT((*settings)->certificate_not_after(), std::chrono::system_clock::now());
}

TEST_F(TlsSettingsTest, SoonExpiringAndNotYetValidCertificatesWarn) {
  MakeSelfSigned(Path("soon.pem"), Path("soon.key"), -1, 10);
  auto soon = TlsSettings::Load({Path("soon.pem"), Path("soon.key"), ""});
  ASSERT_TRUE(soon.ok()) << soon.status().ToString();
  ASSERT_EQ((*soon)->warnings().size(), 1u);
  EXPECT_NE((*soon)->warnings()[0].find("expires on"), std::string::npos);

  MakeSelfSigned(Path("future.pem"), Path("future.key"), 2, 400);
  auto future = TlsSettings::Load({Path("future.pem"), Path("future.key"), ""});
  ASSERT_TRUE(future.ok()) << future.status().ToString();
  ASSERT_EQ((*future)->warnings().size(), 1u);
  EXPECT_NE((*future)->warnings()[0].find("not valid before"), std::string::npos);
}

TEST_F(TlsSettingsTest, KeyTooWeakForThePolicyFailsAtLoad) {
  MakeSelfSigned(Path("weak.pem"), Path("weak.key"), -1, 100, 1024);
  auto settings = TlsSettings::Load({Path("weak.pem"), Path("weak.key"), ""});
  ASSERT_FALSE(settings.ok());
  EXPECT_NE(settings.status().message().find("tls.certificate is not usable"), std::string::npos)
      << settings.status().message();
}

TEST_F(TlsSettingsTest, AppliesTheProtocolAndCipherPolicy) {
  auto settings = TlsSettings::Load({Certs("server.pem"), Certs("server.key"), ""});
  ASSERT_TRUE(settings.ok()) << settings.status().ToString();
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  ASSERT_TRUE((*settings)->ApplyTo(ctx).ok());
  EXPECT_EQ(SSL_CTX_get_min_proto_version(ctx), TLS1_2_VERSION);
  uint64_t options = SSL_CTX_get_options(ctx);
  EXPECT_TRUE(options & SSL_OP_CIPHER_SERVER_PREFERENCE);
  EXPECT_TRUE(options & SSL_OP_NO_COMPRESSION);
  EXPECT_TRUE(options & SSL_OP_NO_RENEGOTIATION);
  EXPECT_FALSE(options & SSL_OP_NO_TICKET);
  STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(ctx);
  ASSERT_GT(sk_SSL_CIPHER_num(ciphers), 0);
  for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
    const SSL_CIPHER* cipher = sk_SSL_CIPHER_value(ciphers, i);
    std::string name = SSL_CIPHER_get_name(cipher);
    EXPECT_TRUE(SSL_CIPHER_is_aead(cipher)) << name;
    int kx = SSL_CIPHER_get_kx_nid(cipher);
    EXPECT_TRUE(kx == NID_kx_ecdhe || kx == NID_kx_any) << name;  // "any" = TLS 1.3 suites
  }
  SSL_CTX_free(ctx);
}

TEST_F(TlsSettingsTest, ClientCaTurnsOnMandatoryClientCertificates) {
  auto settings = TlsSettings::Load({Certs("server.pem"), Certs("server.key"), Certs("ca.pem")});
  ASSERT_TRUE(settings.ok()) << settings.status().ToString();
  EXPECT_TRUE((*settings)->requires_client_certificate());
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  ASSERT_TRUE((*settings)->ApplyTo(ctx).ok());
  EXPECT_EQ(SSL_CTX_get_verify_mode(ctx), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT);
  EXPECT_EQ(sk_X509_NAME_num(SSL_CTX_get_client_CA_list(ctx)), 1);
  SSL_CTX_free(ctx);

  auto missing = TlsSettings::Load({Certs("server.pem"), Certs("server.key"), "/nope/ca.pem"});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(),
            "tls.client_ca: cannot read /nope/ca.pem: No such file or directory");
}

}  // namespace
}  // namespace duet::gateway
