#include "gateway/admin_api/config_editor.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace duet::gateway {
namespace {

using fhir::Json;

constexpr char kConfig[] = R"({
  "listen": {"host": "127.0.0.1", "port": 8443},
  "tls": {"certificate": "server.pem", "private_key": "server.key"},
  "store": {"path": "duet.db"},
  "practice": {"identifier_base": "https://practice.example.org/id"},
  "auth": {"mode": "development"},
  "endpoints": [{"name": "evim", "base_url": "https://ehr.evim.example/fhir",
                 "organization_npi": "1620193841"}],
  "jobs": [{"name": "push-evim", "kind": "push_care_plans", "endpoint": "evim", "every": "1d"}]
})";

Json Parsed(const std::string& text) {
  auto json = fhir::ParseJson(text);
  EXPECT_TRUE(json.ok()) << text;
  return json.ok() ? *json : Json();
}

std::string Endpoint(const std::string& name,
                     const std::string& base_url = "https://x.example/fhir") {
  return R"({"name": ")" + name + R"(", "base_url": ")" + base_url +
         R"(", "organization_npi": "1234567893"})";
}

class ConfigEditorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("duet-config-editor-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "duet.json").string();
    std::ofstream(path_) << kConfig;
    chmod(path_.c_str(), 0640);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string FileText() const {
    std::ifstream file(path_);
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
  }

  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(ConfigEditorTest, AddsAnItemAndKeepsTheFilesPermissions) {
  ConfigEditor editor(path_);
  auto config = editor.Add(ConfigCollection::Endpoints(), Parsed(Endpoint("ortho")));
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  ASSERT_EQ(config->endpoints.size(), 2u);
  EXPECT_EQ(config->endpoints[1].name, "ortho");
  EXPECT_EQ(editor.Load()->endpoints.size(), 2u);
  struct stat info {};
  ASSERT_EQ(stat(path_.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0640);
}

TEST_F(ConfigEditorTest, RefusesAnInvalidItemNamingEachProblemWithItsPointer) {
  ConfigEditor editor(path_);
  std::string before = FileText();
  auto refused = editor.Add(ConfigCollection::Endpoints(),
                            Parsed(R"({"name": "bad", "base_url": "http://plain.example",
                                       "organization_npi": "12", "colour": "blue"})"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  std::vector<std::string> pointers;
  for (const ConfigProblem& problem : SplitConfigProblems(refused.status())) {
    pointers.push_back(problem.pointer);
  }
  for (const char* expected :
       {"/endpoints/1/base_url", "/endpoints/1/organization_npi", "/endpoints/1/colour"}) {
    EXPECT_NE(std::find(pointers.begin(), pointers.end(), expected), pointers.end())
        << expected << " in " << refused.status().message();
  }
  EXPECT_EQ(FileText(), before);

  // What an API caller sent is the item: its problems point into it.
  Json config = *editor.LoadJson();
  std::string item = ConfigCollection::Endpoints().ItemPointer(config, "bad");
  EXPECT_EQ(item, "/endpoints/1");
  EXPECT_EQ(ConfigCollection::Endpoints().ItemPointer(config, "evim"), "/endpoints/0");
  Status relative =
      RelativeToItem(InvalidArgumentError("/endpoints/1/base_url: must be https\n"
                                          "/endpoints/1: give a name\n/jobs/0/endpoint: unknown"),
                     item);
  std::vector<std::string> relative_pointers;
  for (const ConfigProblem& problem : SplitConfigProblems(relative)) {
    relative_pointers.push_back(problem.pointer);
  }
  EXPECT_EQ(relative_pointers, (std::vector<std::string>{"/base_url", "", "/jobs/0/endpoint"}));
}

TEST_F(ConfigEditorTest, KeysAreUniqueAndCannotBeRenamedByReplace) {
  ConfigEditor editor(path_);
  auto duplicate = editor.Add(ConfigCollection::Endpoints(), Parsed(Endpoint("evim")));
  EXPECT_EQ(duplicate.status().code(), StatusCode::kAlreadyExists);
  auto renamed = editor.Replace(ConfigCollection::Endpoints(), "evim", Parsed(Endpoint("other")));
  EXPECT_EQ(renamed.status().code(), StatusCode::kInvalidArgument);
  auto missing =
      editor.Replace(ConfigCollection::Endpoints(), "nobody", Parsed(Endpoint("nobody")));
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  auto replaced = editor.Replace(ConfigCollection::Endpoints(), "evim",
                                 Parsed(R"({"base_url": "https://new.example/fhir",
                                            "organization_npi": "1620193841"})"));
  ASSERT_TRUE(replaced.ok()) << replaced.status().ToString();
  EXPECT_EQ(replaced->endpoints[0].base_url, "https://new.example/fhir");
}

TEST_F(ConfigEditorTest, AnEndpointAJobUsesIsNotRemoved) {
  ConfigEditor editor(path_);
  auto in_use = editor.Remove(ConfigCollection::Endpoints(), "evim");
  EXPECT_EQ(in_use.status().code(), StatusCode::kConflict);
  EXPECT_NE(in_use.status().message().find("job push-evim uses endpoint evim"), std::string::npos);
  ASSERT_TRUE(editor.Remove(ConfigCollection::Jobs(), "push-evim").ok());
  auto removed = editor.Remove(ConfigCollection::Endpoints(), "evim");
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_TRUE(removed->endpoints.empty());
  EXPECT_EQ(editor.Remove(ConfigCollection::Endpoints(), "evim").status().code(),
            StatusCode::kNotFound);
}

TEST_F(ConfigEditorTest, ClientsLiveUnderAuth) {
  ConfigEditor editor(path_);
  auto added = editor.Add(ConfigCollection::Clients(),
                          Parsed(R"({"client_id": "evim-ehr", "organization_npi": "1620193841",
                                     "scopes": ["system/CarePlan.rs"],
                                     "jwks": {"keys": []}})"));
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  ASSERT_EQ(added->auth.clients.size(), 1u);
  EXPECT_EQ(added->auth.clients[0].organization_npi, "1620193841");
  EXPECT_NE(FileText().find("\"clients\""), std::string::npos);
  auto removed = editor.Remove(ConfigCollection::Clients(), "evim-ehr");
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_TRUE(removed->auth.clients.empty());
  EXPECT_EQ(ConfigCollection::Clients().Pointer(), "/auth/clients");
}

TEST_F(ConfigEditorTest, ConcurrentChangesAreAllKept) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([this, t] {
      ConfigEditor editor(path_);  // one editor each: the file lock serializes them
      for (int i = 0; i < 5; ++i) {
        auto added =
            editor.Add(ConfigCollection::Endpoints(),
                       Parsed(Endpoint("e" + std::to_string(t) + "-" + std::to_string(i))));
        EXPECT_TRUE(added.ok()) << added.status().ToString();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(ConfigEditor(path_).Load()->endpoints.size(), 21u);
}

}  // namespace
}  // namespace duet::gateway
