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
#include <new>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fhir/status.h"

namespace duet::fhir {

class Json {
 public:
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  using Member = std::pair<std::string, Json>;
  using Array = std::vector<Json>;
  using Object = std::vector<Member>;

  Json() noexcept = default;  // null
  Json(const Json& other) { CopyFrom(other); }
  // The moved-from value keeps its kind, with empty contents (as a moved-from std::variant does).
  Json(Json&& other) noexcept { MoveFrom(std::move(other)); }
  Json& operator=(const Json& other);
  Json& operator=(Json&& other) noexcept;
  ~Json() { Destroy(); }

  static Json Bool(bool value);
  // `text` must be a valid JSON number; it is written back exactly as given.
  static Json Number(std::string text);
  static Json Integer(long long value);
  static Json String(std::string value);
  static Json MakeArray();
  static Json MakeObject();

  Kind kind() const { return kind_; }
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
  // The members of the kinds that have contents; kind_ says which one is alive. A hand-written
  // union rather than std::variant: moving and destroying a node is then an inlined switch, not
  // an indirect call through the variant's table, and trees are built a node at a time.
  union Storage {
    Storage() noexcept {}  // NOLINT(modernize-use-equals-default): no member is constructed
    ~Storage() {}          // NOLINT(modernize-use-equals-default): Json destroys the live one
    bool boolean;
    std::string text;  // kNumber (the number's exact text) and kString
    Array array;
    Object object;
  };

  // Copies or moves other's value into this, whose storage holds no live member.
  void CopyFrom(const Json& other);
  void MoveFrom(Json&& other) noexcept;
  // Destroys the live member; kind_ is left for the caller to set.
  void Destroy() noexcept;

  // The wrong-kind paths of the accessors, out of line.
  static const std::string& EmptyText();
  static const Array& EmptyArray();
  static const Object& EmptyObject();
  Array& BecomeArray();
  Object& BecomeObject();

  Kind kind_ = Kind::kNull;
  Storage storage_;
};

// The factories, accessors and special members are inline: trees are built and walked a node at
// a time.
inline void Json::Destroy() noexcept {
  switch (kind_) {
    case Kind::kNull:
    case Kind::kBool: break;
    case Kind::kNumber:
    case Kind::kString: storage_.text.~basic_string(); break;
    case Kind::kArray: storage_.array.~vector(); break;
    case Kind::kObject: storage_.object.~vector(); break;
  }
}

// GCC 12 cannot tell that only the live member is read here, and warns of the others.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
inline void Json::CopyFrom(const Json& other) {
  switch (other.kind_) {
    case Kind::kNull: break;
    case Kind::kBool: storage_.boolean = other.storage_.boolean; break;
    case Kind::kNumber:
    case Kind::kString: new (&storage_.text) std::string(other.storage_.text); break;
    case Kind::kArray: new (&storage_.array) Array(other.storage_.array); break;
    case Kind::kObject: new (&storage_.object) Object(other.storage_.object); break;
  }
  kind_ = other.kind_;
}

inline void Json::MoveFrom(Json&& other) noexcept {
  switch (other.kind_) {
    case Kind::kNull: break;
    case Kind::kBool: storage_.boolean = other.storage_.boolean; break;
    case Kind::kNumber:
    case Kind::kString: new (&storage_.text) std::string(std::move(other.storage_.text)); break;
    case Kind::kArray: new (&storage_.array) Array(std::move(other.storage_.array)); break;
    case Kind::kObject: new (&storage_.object) Object(std::move(other.storage_.object)); break;
  }
  kind_ = other.kind_;
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

inline Json& Json::operator=(Json&& other) noexcept {
  if (this == &other) return *this;
  if (kind_ == other.kind_ && kind_ != Kind::kNull && kind_ != Kind::kBool) {
    // The member's own move assignment, which allows `other` to live inside this value.
    switch (kind_) {
      case Kind::kArray: storage_.array = std::move(other.storage_.array); break;
      case Kind::kObject: storage_.object = std::move(other.storage_.object); break;
      default: storage_.text = std::move(other.storage_.text); break;
    }
    return *this;
  }
  Json taken(std::move(other));  // `other` may be part of what Destroy frees
  Destroy();
  MoveFrom(std::move(taken));
  return *this;
}

inline Json& Json::operator=(const Json& other) {
  if (this != &other) *this = Json(other);
  return *this;
}

inline Json Json::Bool(bool value) {
  Json json;
  json.storage_.boolean = value;
  json.kind_ = Kind::kBool;
  return json;
}

inline Json Json::Number(std::string text) {
  Json json;
  new (&json.storage_.text) std::string(std::move(text));
  json.kind_ = Kind::kNumber;
  return json;
}

inline Json Json::String(std::string value) {
  Json json;
  new (&json.storage_.text) std::string(std::move(value));
  json.kind_ = Kind::kString;
  return json;
}

inline Json Json::MakeArray() {
  Json json;
  new (&json.storage_.array) Array();
  json.kind_ = Kind::kArray;
  return json;
}

inline Json Json::MakeObject() {
  Json json;
  new (&json.storage_.object) Object();
  json.kind_ = Kind::kObject;
  return json;
}

inline bool Json::bool_value() const {
  assert(is_bool());
  return is_bool() && storage_.boolean;
}

inline const std::string& Json::number_text() const {
  assert(is_number());
  return is_number() ? storage_.text : EmptyText();
}

inline const std::string& Json::string_value() const {
  assert(is_string());
  return is_string() ? storage_.text : EmptyText();
}

inline const Json::Array& Json::items() const {
  assert(is_array());
  return is_array() ? storage_.array : EmptyArray();
}

inline Json::Array& Json::items() { return is_array() ? storage_.array : BecomeArray(); }

inline const Json::Object& Json::members() const {
  assert(is_object());
  return is_object() ? storage_.object : EmptyObject();
}

inline Json::Object& Json::members() { return is_object() ? storage_.object : BecomeObject(); }

struct JsonParseOptions {
  size_t max_depth = 128;
};

// "null", "boolean", "number", "string", "array" or "object", for messages.
const char* JsonKindName(Json::Kind kind);

// Parses one JSON text. Errors are kInvalidArgument with a message naming the byte offset.
StatusOr<Json> ParseJson(std::string_view text, const JsonParseOptions& options = {});

// Writes compact JSON (or indented with two spaces when `pretty`).
std::string WriteJson(const Json& value, bool pretty = false);

struct JsonWriteOptions {
  bool pretty = false;
};

std::string WriteJson(const Json& value, const JsonWriteOptions& options);
// The same text written to `out` as it is made, for documents too large to hold twice (a
// converted batch): indented text goes out 64 KB at a time, compact text in one write. Check
// `out` afterwards for a failed write.
void WriteJson(const Json& value, const JsonWriteOptions& options, std::ostream& out);

// "Patient.name[0]" style helper: appends ".name" or "[0]" to a path.
std::string JoinPath(std::string_view base, std::string_view member);
std::string IndexPath(std::string_view base, size_t index);

}  // namespace duet::fhir
