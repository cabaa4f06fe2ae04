// The admin console's static files (console/, built by Vite), compiled into the program by
// cmake/ConsoleAssets.cmake so that the installed binary needs no files and no Node at run time.
// The data is static and immutable; any thread may read it.
#pragma once

#include <string_view>
#include <vector>

namespace duet::gateway {

struct ConsoleAsset {
  std::string_view path;  // relative to the console root: "index.html", "assets/index-3f2a.js"
  std::string_view data;
};

// Every file of the built console (generated source: build/gateway/console/console_assets.cc).
std::vector<ConsoleAsset> EmbeddedConsoleAssets();

}  // namespace duet::gateway
