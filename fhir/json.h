// Json: the project's own JSON document model, so that no module outside fhir/ and mappings/
// sees RapidJSON.
//
// Numbers keep the exact text they were written with ("1.50" stays "1.50"), object members keep
// their order, and a duplicate member name is a parse error (FHIR forbids them). A Json value owns
// its children; it is a plain value type: copy it freely, share a const one between threads, and
// mutate it from one thread at a time.
#pragma once

#include <cassert>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "fhir/status.h"

namespace duet::fhir {

class Json {
 public:
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  using Member = std::pair<std::string, Json>;
  using Array = std::vector<Json>;
  using Object = std::vector<Member>;

  Json() = default;  // null
  static Json Bool(bool value);
  // `text` must be a valid JSON number; it is written back exactly as given.
  static Json Number(std::string text);
  static Json Integer(long long value);
  static Json String(std::string value);
  static Json MakeArray();
  static Json MakeObject();

  Kind kind() const { return static_cast<Kind>(value_.index()); }
  bool is_null() const { return kind() == Kind::kNull; }
  bool is_bool() const { return kind() == Kind::kBool; }
  bool is_number() const { return kind() == Kind::kNumber; }
  bool is_string() const { return kind() == Kind::kString; }
  bool is_array() const { return kind() == Kind::kArray; }
  bool is_object() const { return kind() == Kind::kObject; }

  // Accessors; calling one for the wrong kind is a programming error (asserts, then returns a
  // shared empty value in release builds).
  bool bool_value() const;
  const std::string& number_text() const;
  const std::string& string_value() const;
  const Array& items() const;
  Array& items();  // makes this an empty array first when it is not one
  const Object& members() const;
  Object& members();  // makes this an empty object first when it is not one

  // Object helpers. Find returns nullptr when absent or when this is not an object.
  const Json* Find(std::string_view key) const;
  Json* Find(std::string_view key);
  // The member's string value, or "" when absent or not a string.
  std::string_view StringOr(std::string_view key, std::string_view fallback = "") const;
  // Replaces the member's value or appends a new member; returns the stored value.
  Json& Set(std::string_view key, Json value);
  bool Remove(std::string_view key);
  // Array helper: appends and returns the stored value.
  Json& Append(Json value);

  // Structural equality; object member order does not matter, number text must match exactly.
  bool operator==(const Json& other) const;
  bool operator!=(const Json& other) const { return !(*this == other); }

 private:
  struct NumberText {
    std::string text;
  };
  // The value_ alternative of a kind (Kind follows the order of value_'s alternatives).
  template <Kind kind>
  static constexpr auto At = std::in_place_index<static_cast<size_t>(kind)>;
  // Constructs the alternative at `index` of value_ in place (the factories below).
  template <size_t index, typename... Args>
  explicit Json(std::in_place_index_t<index> at, Args&&... args)
      : value_(at, std::forward<Args>(args)...) {}

  // The wrong-kind paths of the accessors, out of line.
  static const std::string& EmptyText();
  static const Array& EmptyArray();
  static const Object& EmptyObject();
  Array& BecomeArray();
  Object& BecomeObject();

  std::variant<std::monostate, bool, NumberText, std::string, Array, Object> value_;
};

// The factories and accessors are inline: trees are built and walked a node at a time.
inline Json Json::Bool(bool value) { return Json(At<Kind::kBool>, value); }

inline Json Json::Number(std::string text) {
  return Json(At<Kind::kNumber>, NumberText{std::move(text)});
}

inline Json Json::String(std::string value) { return Json(At<Kind::kString>, std::move(value)); }

inline Json Json::MakeArray() { return Json(At<Kind::kArray>); }

inline Json Json::MakeObject() { return Json(At<Kind::kObject>); }

inline bool Json::bool_value() const {
  assert(is_bool());
  const bool* value = std::get_if<bool>(&value_);
  return value != nullptr && *value;
}

inline const std::string& Json::number_text() const {
  assert(is_number());
  const NumberText* number = std::get_if<NumberText>(&value_);
  return number != nullptr ? number->text : EmptyText();
}

inline const std::string& Json::string_value() const {
  assert(is_string());
  const std::string* text = std::get_if<std::string>(&value_);
  return text != nullptr ? *text : EmptyText();
}

inline const Json::Array& Json::items() const {
  assert(is_array());
  const Array* array = std::get_if<Array>(&value_);
  return array != nullptr ? *array : EmptyArray();
}

inline Json::Array& Json::items() {
  Array* array = std::get_if<Array>(&value_);
  return array != nullptr ? *array : BecomeArray();
}

inline const Json::Object& Json::members() const {
  assert(is_object());
  const Object* object = std::get_if<Object>(&value_);
  return object != nullptr ? *object : EmptyObject();
}

inline Json::Object& Json::members() {
  Object* object = std::get_if<Object>(&value_);
  return object != nullptr ? *object : BecomeObject();
}

struct JsonParseOptions {
  size_t max_depth = 128;
};

// "null", "boolean", "number", "string", "array" or "object", for messages.
const char* JsonKindName(Json::Kind kind);

// Parses one JSON text. Errors are kInvalidArgument with a message naming the byte offset.
StatusOr<Json> ParseJson(std::string_view text, const JsonParseOptions& options = {});

// Writes compact JSON (or indented with two spaces when `pretty`).
std::string WriteJson(const Json& value, bool pretty = false);

// Gives the text to write in place of some string values as a document is written, so that a
// writer can change them without copying or walking the tree first (the transaction Bundle's
// references to its own entries). Used by one WriteJson call, on the calling thread.
class JsonStringRewriter {
 public:
  virtual ~JsonStringRewriter() = default;
  // The text to write instead of `value`, or nullopt to write `value` itself. The text must stay
  // valid until the next call.
  virtual std::optional<std::string_view> Rewrite(std::string_view value) = 0;
};

struct JsonWriteOptions {
  bool pretty = false;
  // String values of object members with this name go through `rewriter` (when not null).
  std::string_view rewritten_member;
  JsonStringRewriter* rewriter = nullptr;
};

// WriteJson with string values rewritten as they are written: the same text as rewriting them
// in the tree and writing that.
std::string WriteJson(const Json& value, const JsonWriteOptions& options);

// "Patient.name[0]" style helper: appends ".name" or "[0]" to a path.
std::string JoinPath(std::string_view base, std::string_view member);
std::string IndexPath(std::string_view base, size_t index);

}  // namespace duet::fhir
