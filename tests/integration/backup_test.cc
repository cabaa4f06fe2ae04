// `duet backup` as an admin runs it: against the store of a gateway that is serving and being
// written to, and its refusals (an existing target, a store that does not exist yet).
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

#include "fhir/json.h"
#include "gateway/store/sqlite_resource_store.h"
#include "tests/support/https_client.h"
#include "tests/support/test_server.h"

namespace duet::test {
namespace {

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(BackupTest, CopiesTheStoreOfAServingGatewayWhileItWrites) {
  TestServer server;
  Status started = server.Start();
  ASSERT_TRUE(started.ok()) << started.ToString();
  const std::string backups = MakeTempDir("duet-backup-test");

  // Patients created (201) before the backup started must all be in the copy.
  std::mutex mutex;
  std::vector<std::string> created;
  std::atomic<bool> stop{false};
  std::atomic<int> failures{0};
  std::thread writer([&] {
    HttpsClient client = server.Client();
    for (int i = 0; !stop.load(); ++i) {
      HttpsResponse response = client.Post(
          "/fhir/Patient",
          R"({"resourceType":"Patient","name":[{"family":"Backup-)" + std::to_string(i) + R"("}]})",
          {{"Content-Type", "application/fhir+json"}});
      auto body = fhir::ParseJson(response.body);
      if (response.status != 201 || !body.ok()) {
        ++failures;
        continue;
      }
      std::lock_guard<std::mutex> lock(mutex);
      created.emplace_back(body->StringOr("id"));
    }
  });
  auto created_count = [&] {
    std::lock_guard<std::mutex> lock(mutex);
    return created.size();
  };
  while (created_count() < 30 && failures.load() == 0) std::this_thread::yield();
  std::vector<std::string> before;
  {
    std::lock_guard<std::mutex> lock(mutex);
    before = created;
  }

  const std::string copy = backups + "/duet-backup.db";
  ProcessResult backup = RunDuet({"backup", "--config", server.config_path(), "--to", copy});
  const size_t created_during = created_count();
  stop = true;
  writer.join();
  EXPECT_EQ(failures.load(), 0);
  ASSERT_EQ(backup.exit_code, 0) << backup.out << backup.err;
  EXPECT_TRUE(Contains(backup.out, "integrity check ok")) << backup.out;
  EXPECT_TRUE(Contains(backup.out, "to " + copy)) << backup.out;
  EXPECT_GT(created_during, before.size()) << "the gateway kept writing during the backup";

  // A second run with the same name refuses and leaves the first copy as it was.
  const auto size = std::filesystem::file_size(copy);
  ProcessResult again = RunDuet({"backup", "--config", server.config_path(), "--to", copy});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_TRUE(Contains(again.err, copy + " exists; a backup never overwrites a file")) << again.err;
  EXPECT_EQ(std::filesystem::file_size(copy), size);

  // The copy opens as a store of its own and holds every patient created before it began.
  EXPECT_EQ(server.Stop(), 0) << server.log();
  gateway::SqliteResourceStore::Options options;
  options.read_cache_bytes = 0;
  auto store = gateway::SqliteResourceStore::Open(copy, options);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  for (const std::string& id : before) {
    auto patient = (*store)->Read("Patient", id);
    EXPECT_TRUE(patient.ok()) << id << ": " << patient.status().ToString();
  }
  store->reset();
  std::filesystem::remove_all(backups);
}

TEST(BackupTest, SaysSoWhenTheStoreDoesNotExist) {
  TestServer server;  // configured, never started: no store file yet
  const std::string copy = server.config_dir() + "/copy.db";
  ProcessResult backup = RunDuet({"backup", "--config", server.config_path(), "--to", copy});
  EXPECT_EQ(backup.exit_code, 1);
  EXPECT_EQ(backup.err, "backup failed: no store file at " + server.store_path() + "\n");
  EXPECT_FALSE(std::filesystem::exists(copy));
  EXPECT_FALSE(std::filesystem::exists(server.store_path()));
}

TEST(BackupTest, UsageErrorsExitWithTwo) {
  EXPECT_EQ(RunDuet({"backup", "--to", "/tmp/x.db"}).exit_code, 2);
  EXPECT_EQ(RunDuet({"backup", "--config", "duet.json"}).exit_code, 2);
}

}  // namespace
}  // namespace duet::test
