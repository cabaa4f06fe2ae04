// The composition root: parses the command line and runs one command.
#include <CLI/CLI.hpp>

#include <iostream>
#include <string>

#include "gateway/cli/validate_command.h"
#include "gateway/server/serve_command.h"

#ifndef DUET_VERSION
#define DUET_VERSION "unknown"
#endif

namespace {

constexpr int kUsageError = 2;

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Duet: FHIR R4 integration gateway for rehab therapy practices"};
  app.require_subcommand(1);

  std::string config_path;
  auto* serve = app.add_subcommand("serve", "Serve the FHIR API over HTTPS until SIGTERM/SIGINT");
  serve->add_option("--config", config_path, "Configuration file (JSON)")->required();

  std::string validate_input = "-";
  auto* validate = app.add_subcommand(
      "validate", "Check a FHIR resource or Bundle; prints OK or one problem a line");
  validate->add_option("input", validate_input, "File to check, or - for stdin (the default)");

  app.add_subcommand("version", "Print the version");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : kUsageError;
  }

  if (serve->parsed()) return duet::gateway::RunServeCommand(config_path);
  if (validate->parsed()) {
    return duet::gateway::RunValidateCommand(validate_input, std::cin, std::cout, std::cerr);
  }
  std::cout << "duet " << DUET_VERSION << "\n";
  return 0;
}
