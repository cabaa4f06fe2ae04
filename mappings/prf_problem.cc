#include "mappings/prf_problem.h"

namespace duet::mappings {

std::ostream& operator<<(std::ostream& out, const PrfProblem& problem) {
  return out << problem.pointer << ": " << problem.message;
}

std::string AppendPointer(std::string_view pointer, std::string_view member) {
  std::string result;
  result.reserve(pointer.size() + member.size() + 1);
  result.append(pointer);
  AppendPointerToken(&result, member);
  return result;
}

std::string AppendPointer(std::string_view pointer, size_t index) {
  std::string result(pointer);
  AppendPointerToken(&result, index);
  return result;
}

void AppendPointerToken(std::string* pointer, std::string_view member) {
  *pointer += '/';
  for (char c : member) {
    if (c == '~') {
      *pointer += "~0";
    } else if (c == '/') {
      *pointer += "~1";
    } else {
      *pointer += c;
    }
  }
}

void AppendPointerToken(std::string* pointer, size_t index) {
  *pointer += '/';
  *pointer += std::to_string(index);
}

}  // namespace duet::mappings
