#include "gateway/cli/cli_input.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

namespace duet::gateway {

bool ReadCommandInput(const std::string& path_or_dash, std::istream& stdin_stream,
                      std::string* text, std::ostream& err) {
  if (path_or_dash == "-") {
    text->assign(std::istreambuf_iterator<char>(stdin_stream), std::istreambuf_iterator<char>());
    if (stdin_stream.bad()) {
      err << "cannot read standard input\n";
      return false;
    }
    return true;
  }
  std::ifstream file(path_or_dash, std::ios::binary);
  if (!file) {
    err << "cannot read " << path_or_dash << ": " << std::strerror(errno) << "\n";
    return false;
  }
  text->assign(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
  if (file.bad()) {
    err << "cannot read " << path_or_dash << "\n";
    return false;
  }
  return true;
}

}  // namespace duet::gateway
