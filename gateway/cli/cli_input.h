// Reading a command's input document: a file, or standard input for "-". Stateless.
#pragma once

#include <istream>
#include <ostream>
#include <string>

namespace duet::gateway {

// Reads all of `path_or_dash` into `text`; on failure writes why to `err` and returns false.
bool ReadCommandInput(const std::string& path_or_dash, std::istream& stdin_stream,
                      std::string* text, std::ostream& err);

}  // namespace duet::gateway
