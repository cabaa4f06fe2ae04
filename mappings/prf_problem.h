// PrfProblem: one thing wrong with a Practice Record Format document, located by a JSON pointer
// (RFC 6901) into the document as it was given, and helpers to build such pointers.
//
// Plain value types and pure functions; safe to use from any thread.
#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>

namespace duet::mappings {

struct PrfProblem {
  std::string pointer;  // "/diagnoses/0/icd10"; "" is the whole document
  std::string
      message;  // "\"M25661\" does not match pattern ^[A-Z][0-9][0-9AB](\\.[0-9A-Z]{1,4})?$"

  bool operator==(const PrfProblem& other) const {
    return pointer == other.pointer && message == other.message;
  }
};

// For test failure messages: `/pointer: message`.
std::ostream& operator<<(std::ostream& out, const PrfProblem& problem);

// Appends one reference token to a JSON pointer, escaping '~' as "~0" and '/' as "~1".
std::string AppendPointer(std::string_view pointer, std::string_view member);
std::string AppendPointer(std::string_view pointer, size_t index);
// The same, in place: for walks that extend one pointer and cut it back (resize) on the way out.
void AppendPointerToken(std::string* pointer, std::string_view member);
void AppendPointerToken(std::string* pointer, size_t index);

}  // namespace duet::mappings
