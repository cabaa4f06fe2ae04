#include "fhir/json.h"

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <memory>
#include <unordered_set>

#include "fhir/json_text_writer.h"

namespace duet::fhir {
namespace {

const std::string& EmptyString() {
  static const std::string empty;
  return empty;
}

// SAX handler that builds a Json tree, rejecting duplicate member names and deep nesting.
//
// Like RapidJSON's own DOM, the values of open containers wait on two shared stacks (one for
// object members, one for array items); a container is built with its exact size when it closes,
// so every array and member list is allocated once.
class TreeBuilder {
 public:
  struct Frame {
    bool is_object;
    size_t first;  // index of the container's first value in members_ or items_
    std::unique_ptr<std::unordered_set<std::string>> keys;  // past kLinearKeyScanLimit members
  };

  // The stacks live in `scratch`, which keeps their capacity from one parse to the next.
  struct Scratch {
    std::vector<Frame> frames;
    std::vector<Json::Member> members;
    std::vector<Json> items;
  };

  TreeBuilder(size_t max_depth, Scratch* scratch)
      : max_depth_(max_depth),
        frames_(scratch->frames),
        members_(scratch->members),
        items_(scratch->items) {}
  ~TreeBuilder() {  // empty (after an error, not yet) and ready for the next parse
    ClearKeepingSmall(&frames_);
    ClearKeepingSmall(&members_);
    ClearKeepingSmall(&items_);
  }
  TreeBuilder(const TreeBuilder&) = delete;
  TreeBuilder& operator=(const TreeBuilder&) = delete;

  bool Null() { return Add(Json()); }
  bool Bool(bool b) { return Add(Json::Bool(b)); }
  bool Int(int) { return false; }  // never called: numbers arrive as RawNumber
  bool Uint(unsigned) { return false; }
  bool Int64(int64_t) { return false; }
  bool Uint64(uint64_t) { return false; }
  bool Double(double) { return false; }
  bool RawNumber(const char* str, rapidjson::SizeType length, bool) {
    return Add(Json::Number(std::string(str, length)));
  }
  bool String(const char* str, rapidjson::SizeType length, bool) {
    return Add(Json::String(std::string(str, length)));
  }
  bool StartObject() { return Push(true); }
  bool Key(const char* str, rapidjson::SizeType length, bool) {
    std::string_view key(str, length);
    if (IsDuplicateKey(key)) {
      error_ = "duplicate member \"" + std::string(key) + "\"";
      return false;
    }
    members_.emplace_back(std::string(key), Json());
    return true;
  }
  bool EndObject(rapidjson::SizeType) { return Pop(); }
  bool StartArray() { return Push(false); }
  bool EndArray(rapidjson::SizeType) { return Pop(); }

  Json TakeRoot() { return std::move(root_); }
  const std::string& error() const { return error_; }

 private:
  // Objects with more members than this look duplicates up in a hash set instead of scanning.
  static constexpr size_t kLinearKeyScanLimit = 16;

  // Clears a stack, and gives its memory back after an unusually wide document.
  template <typename T>
  static void ClearKeepingSmall(std::vector<T>* stack) {
    constexpr size_t kKeptCapacity = 4096;
    if (stack->capacity() > kKeptCapacity) {
      std::vector<T>().swap(*stack);
    } else {
      stack->clear();
    }
  }

  bool IsDuplicateKey(std::string_view key) {
    Frame& frame = frames_.back();
    size_t count = members_.size() - frame.first;
    if (count < kLinearKeyScanLimit) {
      for (size_t i = frame.first; i < members_.size(); ++i) {
        if (members_[i].first == key) return true;
      }
      return false;
    }
    if (frame.keys == nullptr) {
      frame.keys = std::make_unique<std::unordered_set<std::string>>();
      for (size_t i = frame.first; i < members_.size(); ++i) frame.keys->insert(members_[i].first);
    }
    return !frame.keys->emplace(key).second;
  }

  bool Add(Json value) {
    if (frames_.empty()) {
      root_ = std::move(value);
    } else if (frames_.back().is_object) {
      members_.back().second = std::move(value);
    } else {
      items_.push_back(std::move(value));
    }
    return true;
  }
  bool Push(bool is_object) {
    if (frames_.size() >= max_depth_) {
      error_ = "nesting deeper than " + std::to_string(max_depth_) + " levels";
      return false;
    }
    frames_.push_back(Frame{is_object, is_object ? members_.size() : items_.size(), {}});
    return true;
  }
  bool Pop() {
    Frame& frame = frames_.back();
    Json done = frame.is_object ? TakeMembers(frame.first) : TakeItems(frame.first);
    frames_.pop_back();
    return Add(std::move(done));
  }
  Json TakeMembers(size_t first) {
    Json object = Json::MakeObject();
    Json::Object& members = object.members();
    members.reserve(members_.size() - first);
    std::move(members_.begin() + static_cast<std::ptrdiff_t>(first), members_.end(),
              std::back_inserter(members));
    members_.resize(first);
    return object;
  }
  Json TakeItems(size_t first) {
    Json array = Json::MakeArray();
    Json::Array& items = array.items();
    items.reserve(items_.size() - first);
    std::move(items_.begin() + static_cast<std::ptrdiff_t>(first), items_.end(),
              std::back_inserter(items));
    items_.resize(first);
    return array;
  }

  size_t max_depth_;
  std::vector<Frame>& frames_;
  std::vector<Json::Member>& members_;
  std::vector<Json>& items_;
  Json root_;
  std::string error_;
};

template <typename Writer>
void WriteValue(const Json& value, Writer& writer) {
  switch (value.kind()) {
    case Json::Kind::kNull: writer.Null(); break;
    case Json::Kind::kBool: writer.Bool(value.bool_value()); break;
    case Json::Kind::kNumber:
      writer.RawValue(value.number_text().data(), value.number_text().size(),
                      rapidjson::kNumberType);
      break;
    case Json::Kind::kString:
      writer.String(value.string_value().data(),
                    static_cast<rapidjson::SizeType>(value.string_value().size()));
      break;
    case Json::Kind::kArray:
      writer.StartArray();
      for (const Json& item : value.items()) WriteValue(item, writer);
      writer.EndArray();
      break;
    case Json::Kind::kObject:
      writer.StartObject();
      for (const auto& [key, member] : value.members()) {
        writer.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
        WriteValue(member, writer);
      }
      writer.EndObject();
      break;
  }
}

}  // namespace

Json Json::Integer(long long value) { return Number(std::to_string(value)); }

const std::string& Json::EmptyText() { return EmptyString(); }

const Json::Array& Json::EmptyArray() {
  static const Array empty;
  return empty;
}

const Json::Object& Json::EmptyObject() {
  static const Object empty;
  return empty;
}

Json::Array& Json::BecomeArray() {
  *this = MakeArray();
  return storage_.array;
}

Json::Object& Json::BecomeObject() {
  *this = MakeObject();
  return storage_.object;
}

const Json* Json::Find(std::string_view key) const {
  if (!is_object()) return nullptr;
  for (const auto& [name, value] : storage_.object) {
    if (name == key) return &value;
  }
  return nullptr;
}

Json* Json::Find(std::string_view key) {
  return const_cast<Json*>(static_cast<const Json*>(this)->Find(key));
}

std::string_view Json::StringOr(std::string_view key, std::string_view fallback) const {
  const Json* member = Find(key);
  if (member == nullptr || !member->is_string()) return fallback;
  return member->string_value();
}

Json& Json::Set(std::string_view key, Json value) {
  if (Json* existing = Find(key)) {
    *existing = std::move(value);
    return *existing;
  }
  Object& object = members();
  object.emplace_back(std::string(key), std::move(value));
  return object.back().second;
}

bool Json::Remove(std::string_view key) {
  if (!is_object()) return false;
  Object& object = storage_.object;
  auto it = std::find_if(object.begin(), object.end(),
                         [&](const Member& member) { return member.first == key; });
  if (it == object.end()) return false;
  object.erase(it);
  return true;
}

Json& Json::Append(Json value) {
  Array& array = items();
  array.push_back(std::move(value));
  return array.back();
}

bool Json::operator==(const Json& other) const {
  if (kind() != other.kind()) return false;
  switch (kind()) {
    case Kind::kNull: return true;
    case Kind::kBool: return bool_value() == other.bool_value();
    case Kind::kNumber: return number_text() == other.number_text();
    case Kind::kString: return string_value() == other.string_value();
    case Kind::kArray: return items() == other.items();
    case Kind::kObject: {
      if (members().size() != other.members().size()) return false;
      for (const auto& [key, value] : members()) {
        const Json* theirs = other.Find(key);
        if (theirs == nullptr || !(*theirs == value)) return false;
      }
      return true;
    }
  }
  return false;
}

const char* JsonKindName(Json::Kind kind) {
  switch (kind) {
    case Json::Kind::kNull: return "null";
    case Json::Kind::kBool: return "boolean";
    case Json::Kind::kNumber: return "number";
    case Json::Kind::kString: return "string";
    case Json::Kind::kArray: return "array";
    case Json::Kind::kObject: return "object";
  }
  return "value";
}

namespace {

bool IsAscii(std::string_view text) {
  uint64_t any = 0;  // eight bytes at a time
  size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, text.data() + i, 8);
    any |= word;
  }
  for (; i < text.size(); ++i) any |= static_cast<unsigned char>(text[i]);
  return (any & 0x8080808080808080ULL) == 0;
}

constexpr unsigned kBaseParseFlags =
    rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseStopWhenDoneFlag;

// Runs the reader over `text`; returns the result and sets `*end` to where it stopped.
//
// The reader parses in place, in a copy of the text kept per thread: strings are unescaped where
// they lie instead of being copied a byte at a time onto the reader's stack first. The copy ends
// in a NUL, which the in-place stream takes for the end of the input; a NUL inside the text (never
// valid JSON there) thus ends the parse early, and the check for trailing content reports it.
template <unsigned kFlags>
rapidjson::ParseResult ParseWith(std::string_view text, TreeBuilder* builder, size_t* end) {
  thread_local std::string buffer;
  constexpr size_t kKeptCapacity = size_t{1} << 20;
  buffer.assign(text);
  rapidjson::Reader reader;
  rapidjson::InsituStringStream stream(buffer.data());
  rapidjson::ParseResult result =
      reader.Parse<kFlags | rapidjson::kParseInsituFlag>(stream, *builder);
  *end = stream.Tell();
  if (buffer.size() > kKeptCapacity) std::string().swap(buffer);
  return result;
}

}  // namespace

StatusOr<Json> ParseJson(std::string_view text, const JsonParseOptions& options) {
  thread_local TreeBuilder::Scratch scratch;
  TreeBuilder builder(options.max_depth, &scratch);
  size_t end = 0;
  // RapidJSON's UTF-8 validation costs a third of the parse. ASCII text is valid UTF-8 and parses
  // to the same tree either way, so only text with other bytes takes the validating path.
  rapidjson::ParseResult result =
      IsAscii(text) ? ParseWith<kBaseParseFlags>(text, &builder, &end)
                    : ParseWith<kBaseParseFlags | rapidjson::kParseValidateEncodingFlag>(
                          text, &builder, &end);
  if (!result) {
    std::string why =
        builder.error().empty() ? rapidjson::GetParseError_En(result.Code()) : builder.error();
    return InvalidArgumentError("invalid JSON at byte " + std::to_string(result.Offset()) + ": " +
                                why);
  }
  // Only whitespace may follow the value.
  for (size_t i = end; i < text.size(); ++i) {
    char c = text[i];
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
      return InvalidArgumentError("invalid JSON at byte " + std::to_string(i) +
                                  ": unexpected content after the end of the document");
    }
  }
  return builder.TakeRoot();
}

std::string WriteJson(const Json& value, bool pretty) {
  JsonWriteOptions options;
  options.pretty = pretty;
  return WriteJson(value, options);
}

std::string WriteJson(const Json& value, const JsonWriteOptions& options) {
  if (!options.pretty) {
    JsonTextWriter compact;  // on the thread's spare buffer
    compact.Value(value);
    return std::string(compact.text());
  }
  // One scratch buffer per thread, kept from one document to the next; the result is an
  // exact-size copy of the part written.
  thread_local rapidjson::StringBuffer indented;
  constexpr size_t kKeptCapacity = size_t{1} << 20;
  indented.Clear();
  rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(indented);
  writer.SetIndent(' ', 2);
  WriteValue(value, writer);
  std::string text(indented.GetString(), indented.GetSize());
  if (text.size() > kKeptCapacity) {  // do not hold on to a large document's buffer
    indented.Clear();
    indented.ShrinkToFit();
  }
  return text;
}

namespace {

// A RapidJSON output stream onto a std::ostream through a 64 KB buffer (RapidJSON's own
// OStreamWrapper makes one call into the stream per character).
class BufferedOStream {
 public:
  using Ch = char;
  explicit BufferedOStream(std::ostream& out) : out_(out), buffer_(kSize, '\0') {}
  BufferedOStream(const BufferedOStream&) = delete;
  BufferedOStream& operator=(const BufferedOStream&) = delete;

  void Put(char c) {
    if (used_ == kSize) Flush();
    buffer_[used_++] = c;
  }
  void Flush() {
    out_.write(buffer_.data(), static_cast<std::streamsize>(used_));
    used_ = 0;
  }

 private:
  static constexpr size_t kSize = size_t{1} << 16;
  std::ostream& out_;
  std::string buffer_;
  size_t used_ = 0;
};

}  // namespace

void WriteJson(const Json& value, const JsonWriteOptions& options, std::ostream& out) {
  if (options.pretty) {
    BufferedOStream stream(out);
    rapidjson::PrettyWriter<BufferedOStream> writer(stream);
    writer.SetIndent(' ', 2);
    WriteValue(value, writer);
    stream.Flush();
    return;
  }
  JsonTextWriter writer;
  writer.Value(value);
  out.write(writer.text().data(), static_cast<std::streamsize>(writer.size()));
}

std::string JoinPath(std::string_view base, std::string_view member) {
  std::string path(base);
  if (!path.empty()) path += '.';
  path += member;
  return path;
}

std::string IndexPath(std::string_view base, size_t index) {
  return std::string(base) + "[" + std::to_string(index) + "]";
}

}  // namespace duet::fhir
