#include "mappings/name_based_uuid.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

namespace duet::mappings {
namespace {

TEST(NameBasedUuidTest, IsRfc4122VersionFiveInTheUrlNamespace) {
  // Python: uuid.uuid5(uuid.NAMESPACE_URL, name).
  EXPECT_EQ(DeterministicUuid("https://www.python.org"), "30709ed8-a35e-547c-8ef0-c6bf5e229681");
  EXPECT_EQ(DeterministicUuid("Patient|https://sunrise-pt.example/sid/mrn|PT-004512"),
            "d9c60924-ecec-5957-90b7-a7bdfb8c0054");
  EXPECT_EQ(DeterministicUuid(""), "1b4db7eb-4057-5ddf-91e0-36dec72071f5");
}

TEST(NameBasedUuidTest, UrnIsTheUuidWithItsPrefix) {
  EXPECT_EQ(UuidUrn("https://www.python.org"), "urn:uuid:30709ed8-a35e-547c-8ef0-c6bf5e229681");
  std::string name(100, 'n');
  EXPECT_EQ(UuidUrn(name), "urn:uuid:" + DeterministicUuid(name));
}

TEST(NameBasedUuidTest, NamesAcrossSha1BlockBoundariesMatchPython) {
  // Python: uuid.uuid5(uuid.NAMESPACE_URL, "a" * n) for lengths around the 64-byte blocks (the
  // namespace's 16 bytes come first) and a long name.
  EXPECT_EQ(DeterministicUuid(std::string(39, 'a')), "615eac0e-03db-567b-8580-916c1aca1cc2");
  EXPECT_EQ(DeterministicUuid(std::string(40, 'a')), "c5c985c8-6875-5a42-b6e3-2872703afed4");
  EXPECT_EQ(DeterministicUuid(std::string(48, 'a')), "aa33c522-9edc-58a5-b5af-e2a12995886e");
  EXPECT_EQ(DeterministicUuid(std::string(1000, 'a')), "7f46a8f9-f8ba-5a67-983a-ffc2101475df");
}

TEST(NameBasedUuidTest, ThreadsDeriveTheSameUuids) {
  std::string expected = DeterministicUuid("CarePlan|https://sunrise-pt.example/sid/plan|POC-1");
  std::vector<std::thread> threads;
  std::vector<std::set<std::string>> seen(4);
  for (size_t t = 0; t < seen.size(); ++t) {
    threads.emplace_back([&seen, t] {
      for (int i = 0; i < 2000; ++i) {
        seen[t].insert(DeterministicUuid("CarePlan|https://sunrise-pt.example/sid/plan|POC-1"));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const auto& uuids : seen) EXPECT_EQ(uuids, std::set<std::string>{expected});
}

}  // namespace
}  // namespace duet::mappings
