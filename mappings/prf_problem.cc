#include "mappings/prf_problem.h"

namespace duet::mappings {

std::ostream& operator<<(std::ostream& out, const PrfProblem& problem) {
  return out << problem.pointer << ": " << problem.message;
}

std::string AppendPointer(std::string_view pointer, std::string_view member) {
  std::string result(pointer);
  result.reserve(result.size() + member.size() + 1);
  result += '/';
  for (char c : member) {
    if (c == '~') {
      result += "~0";
    } else if (c == '/') {
      result += "~1";
    } else {
      result += c;
    }
  }
  return result;
}

std::string AppendPointer(std::string_view pointer, size_t index) {
  std::string result(pointer);
  result += '/';
  result += std::to_string(index);
  return result;
}

}  // namespace duet::mappings
