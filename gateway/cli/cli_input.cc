#include "gateway/cli/cli_input.h"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace duet::gateway {
namespace {

// Appends the rest of `in` to `text` a block at a time (a character at a time, as through
// istreambuf_iterator, takes seconds for a batch of tens of megabytes). False on a read error.
bool ReadRest(std::istream& in, std::string* text) {
  constexpr size_t kBlock = size_t{1} << 16;
  std::string block(kBlock, '\0');
  while (in.read(block.data(), static_cast<std::streamsize>(kBlock)) || in.gcount() > 0) {
    text->append(block.data(), static_cast<size_t>(in.gcount()));
  }
  return !in.bad();
}

}  // namespace

bool ReadCommandInput(const std::string& path_or_dash, std::istream& stdin_stream,
                      std::string* text, std::ostream& err) {
  text->clear();
  if (path_or_dash == "-") {
    if (!ReadRest(stdin_stream, text)) {
      err << "cannot read standard input\n";
      return false;
    }
    return true;
  }
  std::error_code error;
  if (std::filesystem::is_directory(path_or_dash, error)) {
    err << "cannot read " << path_or_dash << ": it is a directory\n";
    return false;
  }
  std::ifstream file(path_or_dash, std::ios::binary);
  if (!file) {
    err << "cannot read " << path_or_dash << ": " << std::strerror(errno) << "\n";
    return false;
  }
  // A pipe or a device has no size to reserve: it is read all the same.
  if (std::filesystem::is_regular_file(path_or_dash, error)) {
    std::uintmax_t size = std::filesystem::file_size(path_or_dash, error);
    if (!error) text->reserve(static_cast<size_t>(size));
  }
  if (!ReadRest(file, text)) {
    err << "cannot read " << path_or_dash << "\n";
    return false;
  }
  return true;
}

}  // namespace duet::gateway
