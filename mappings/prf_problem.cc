#include "mappings/prf_problem.h"

#include <charconv>
#include <iterator>

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
  size_t run = 0;  // start of the bytes not yet copied
  for (size_t i = 0; i < member.size(); ++i) {
    if (member[i] != '~' && member[i] != '/') continue;
    pointer->append(member.data() + run, i - run).append(member[i] == '~' ? "~0" : "~1");
    run = i + 1;
  }
  pointer->append(member.data() + run, member.size() - run);
}

void AppendPointerToken(std::string* pointer, size_t index) {
  char digits[24];
  char* end = std::to_chars(std::begin(digits), std::end(digits), index).ptr;
  pointer->push_back('/');
  pointer->append(digits, end);
}

}  // namespace duet::mappings
