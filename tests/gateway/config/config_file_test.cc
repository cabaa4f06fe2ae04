// Rewriting the configuration file (`duet endpoints add` and friends): the file keeps its mode,
// owner and group, so a gateway that reads it through its group still can after root edits it.
#include "gateway/config/config_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

namespace duet::gateway {
namespace {

namespace fs = std::filesystem;

class ConfigFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device random;
    dir_ = fs::temp_directory_path() / ("duet-config-file-" + std::to_string(random()));
    fs::create_directories(dir_);
    path_ = (dir_ / "duet.json").string();
    const std::string certs = DUET_TEST_CERTS_DIR;
    std::ofstream(path_) << R"({"listen": {"host": "127.0.0.1", "port": 8443},
      "tls": {"certificate": ")"
                         << certs << R"(/server.pem", "private_key": ")" << certs
                         << R"(/server.key"},
      "store": {"path": "duet.db"}, "practice": {"identifier_base": "https://x.example/sid"},
      "auth": {"mode": "development"}})";
  }
  void TearDown() override { fs::remove_all(dir_); }

  struct stat Stat() const {
    struct stat info {};
    EXPECT_EQ(::stat(path_.c_str(), &info), 0);
    return info;
  }

  fs::path dir_;
  std::string path_;
};

TEST_F(ConfigFileTest, RewritingKeepsTheModeOwnerAndGroup) {
  ASSERT_EQ(::chmod(path_.c_str(), 0640), 0);
  // As root (an admin with sudo), give the file to another group, as /etc/duet/duet.json is
  // root:duet; otherwise the file stays the caller's own.
  const bool root = ::geteuid() == 0;
  const gid_t group = root ? 4242 : ::getegid();
  if (root) {
    ASSERT_EQ(::chown(path_.c_str(), 0, group), 0);
  }

  StatusOr<fhir::Json> config = ReadConfigJson(path_);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  fhir::Json log = fhir::Json::MakeObject();
  log.Set("level", fhir::Json::String("warn"));
  config->Set("log", log);
  Status written = WriteConfigJson(path_, *config);
  ASSERT_TRUE(written.ok()) << written.ToString();

  struct stat info = Stat();
  EXPECT_EQ(info.st_mode & 07777, 0640u);
  EXPECT_EQ(info.st_gid, group);
  EXPECT_EQ(info.st_uid, root ? 0u : ::geteuid());
  StatusOr<fhir::Json> reread = ReadConfigJson(path_);
  ASSERT_TRUE(reread.ok());
  EXPECT_NE(reread->Find("log"), nullptr);
  EXPECT_FALSE(fs::exists(path_ + ".tmp"));
}

}  // namespace
}  // namespace duet::gateway
