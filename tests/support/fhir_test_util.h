// Small helpers shared by the tests that talk FHIR JSON to a server: the request header for a
// FHIR body, a parse that reports a failure as a test failure, a Bundle's resources. Header-only;
// test code only.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "fhir/json.h"
#include "tests/support/https_client.h"

namespace duet::test {

inline const HeaderList kFhirJson = {{"Content-Type", "application/fhir+json"}};

// Parses `text`; a parse error fails the current test and gives a null Json.
inline fhir::Json ParseOrFail(const std::string& text) {
  auto parsed = fhir::ParseJson(text);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString() << ": " << text.substr(0, 300);
  return parsed.ok() ? *parsed : fhir::Json();
}

// The resources of a Bundle's entries, in order (none when it has no entries).
inline std::vector<fhir::Json> EntryResources(const fhir::Json& bundle) {
  std::vector<fhir::Json> resources;
  if (const fhir::Json* entries = bundle.Find("entry"); entries && entries->is_array()) {
    for (const fhir::Json& entry : entries->items()) {
      const fhir::Json* resource = entry.Find("resource");
      EXPECT_NE(resource, nullptr) << fhir::WriteJson(entry).substr(0, 300);
      if (resource != nullptr) resources.push_back(*resource);
    }
  }
  return resources;
}

#ifdef DUET_FIXTURES_DIR
// The text of tests/fixtures/<relative>.
inline std::string FixtureText(const std::string& relative) {
  std::ifstream in(std::string(DUET_FIXTURES_DIR) + "/" + relative, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// A PRF fixture, tests/fixtures/prf/<name>, parsed.
inline fhir::Json PrfFixture(const std::string& name) {
  return ParseOrFail(FixtureText("prf/" + name));
}
#endif

}  // namespace duet::test
