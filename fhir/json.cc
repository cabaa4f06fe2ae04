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

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

// The member values that WriteJson's options rewrite.
class MemberRewrite {
 public:
  MemberRewrite() = default;
  explicit MemberRewrite(const JsonWriteOptions& options)
      : member_(options.rewritten_member), rewriter_(options.rewriter) {}

  // The text to write for member `key`'s `value`, or nullopt to write the value as it is.
  std::optional<std::string_view> For(std::string_view key, const Json& value) const {
    if (rewriter_ == nullptr || key.size() != member_.size() || !value.is_string() ||
        key != member_) {
      return std::nullopt;
    }
    return rewriter_->Rewrite(value.string_value());
  }

 private:
  std::string_view member_;
  JsonStringRewriter* rewriter_ = nullptr;
};

template <typename Writer>
void WriteValue(const Json& value, Writer& writer, const MemberRewrite& rewrite) {
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
      for (const Json& item : value.items()) WriteValue(item, writer, rewrite);
      writer.EndArray();
      break;
    case Json::Kind::kObject:
      writer.StartObject();
      for (const auto& [key, member] : value.members()) {
        writer.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
        if (auto text = rewrite.For(key, member)) {
          writer.String(text->data(), static_cast<rapidjson::SizeType>(text->size()));
        } else {
          WriteValue(member, writer, rewrite);
        }
      }
      writer.EndObject();
      break;
  }
}

// Compact JSON, byte for byte what rapidjson::Writer<StringBuffer> writes for the same tree
// (same string escapes: \" \\ \b \f \n \r \t and \u00XX for other control characters; other
// bytes as given), written straight into one buffer without RapidJSON's per-value bookkeeping.
//
// The whole of `buffer` is scratch space, grown ahead of each write (Room), so the bytes
// themselves are stored through a plain cursor; the document is its first written() bytes.
class CompactWriter {
 public:
  CompactWriter(std::string* buffer, const MemberRewrite& rewrite)
      : buffer_(buffer), rewrite_(rewrite) {
    cursor_ = buffer_->data();
    end_ = cursor_ + buffer_->size();
  }

  void Write(const Json& value) {
    switch (value.kind()) {
      case Json::Kind::kNull: Raw("null"); break;
      case Json::Kind::kBool: Raw(value.bool_value() ? "true" : "false"); break;
      case Json::Kind::kNumber: Raw(value.number_text()); break;
      case Json::Kind::kString: WriteString(value.string_value()); break;
      case Json::Kind::kArray: WriteArray(value.items()); break;
      case Json::Kind::kObject: WriteObject(value.members()); break;
    }
  }

  size_t written() const { return static_cast<size_t>(cursor_ - buffer_->data()); }

 private:
  // Room for 16 bytes past any write, so that string runs can be copied 16 bytes at a time.
  static constexpr size_t kSlack = 16;

  void Room(size_t bytes) {
    if (static_cast<size_t>(end_ - cursor_) >= bytes + kSlack) return;
    size_t used = static_cast<size_t>(cursor_ - buffer_->data());
    buffer_->resize(std::max(buffer_->size() * 2, used + bytes + kSlack + 256));
    cursor_ = buffer_->data() + used;
    end_ = buffer_->data() + buffer_->size();
  }

  void Put(char c) {
    Room(1);
    *cursor_++ = c;
  }

  void Raw(std::string_view text) {
    Room(text.size());
    std::memcpy(cursor_, text.data(), text.size());
    cursor_ += text.size();
  }

  void WriteArray(const Json::Array& items) {
    Put('[');
    for (size_t i = 0; i < items.size(); ++i) {
      if (i > 0) Put(',');
      Write(items[i]);
    }
    Put(']');
  }

  void WriteObject(const Json::Object& members) {
    Put('{');
    for (size_t i = 0; i < members.size(); ++i) {
      if (i > 0) Put(',');
      WriteString(members[i].first);
      Put(':');
      if (auto text = rewrite_.For(members[i].first, members[i].second)) {
        WriteString(*text);
      } else {
        Write(members[i].second);
      }
    }
    Put('}');
  }

  static bool NeedsEscape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }

  void WriteString(std::string_view text) {
    Room(2 + text.size() * 6);  // every byte escaped as \u00XX at worst
    *cursor_++ = '"';
    const char* in = text.data();
    const char* in_end = in + text.size();
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    const __m128i control_max = _mm_set1_epi8(0x1F);
    while (in_end - in >= 16) {
      __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(cursor_), bytes);  // kSlack makes room
      // A control character is an unsigned byte <= 0x1F: min(byte, 0x1F) == byte.
      __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(bytes, control_max), bytes);
      __m128i special =
          _mm_or_si128(_mm_cmpeq_epi8(bytes, quote), _mm_cmpeq_epi8(bytes, backslash));
      int mask = _mm_movemask_epi8(_mm_or_si128(control, special));
      if (mask == 0) {
        in += 16;
        cursor_ += 16;
        continue;
      }
      int clean = __builtin_ctz(static_cast<unsigned>(mask));
      in += clean;
      cursor_ += clean;
      PutEscape(static_cast<unsigned char>(*in++));
    }
#endif
    while (in_end - in >= 8) {  // eight plain bytes at a time
      uint64_t word;
      std::memcpy(&word, in, 8);
      if (AnyNeedsEscape(word)) break;
      std::memcpy(cursor_, &word, 8);
      in += 8;
      cursor_ += 8;
    }
    for (; in < in_end; ++in) {
      auto c = static_cast<unsigned char>(*in);
      if (NeedsEscape(c)) {
        PutEscape(c);
      } else {
        *cursor_++ = static_cast<char>(c);
      }
    }
    *cursor_++ = '"';
  }

  // Whether any of the eight bytes needs an escape (exact: the borrow tricks below can misplace
  // which byte it is, but never invent one when there is none).
  static bool AnyNeedsEscape(uint64_t word) {
    constexpr uint64_t kOnes = 0x0101010101010101ULL;
    constexpr uint64_t kHighs = 0x8080808080808080ULL;
    auto has_zero_byte = [&](uint64_t v) { return ((v - kOnes) & ~v & kHighs) != 0; };
    bool control = ((word - kOnes * 0x20) & ~word & kHighs) != 0;  // a byte below 0x20
    return control || has_zero_byte(word ^ (kOnes * '"')) || has_zero_byte(word ^ (kOnes * '\\'));
  }

  // Room was made by WriteString.
  void PutEscape(unsigned char c) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    *cursor_++ = '\\';
    switch (c) {
      case '"': *cursor_++ = '"'; break;
      case '\\': *cursor_++ = '\\'; break;
      case '\b': *cursor_++ = 'b'; break;
      case '\f': *cursor_++ = 'f'; break;
      case '\n': *cursor_++ = 'n'; break;
      case '\r': *cursor_++ = 'r'; break;
      case '\t': *cursor_++ = 't'; break;
      default:
        *cursor_++ = 'u';
        *cursor_++ = '0';
        *cursor_++ = '0';
        *cursor_++ = kHex[c >> 4];
        *cursor_++ = kHex[c & 0xF];
    }
  }

  std::string* buffer_;
  MemberRewrite rewrite_;
  char* cursor_;
  char* end_;
};

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
  // One scratch buffer per thread, kept from one document to the next; the result is an
  // exact-size copy of the part written.
  thread_local std::string compact;
  thread_local rapidjson::StringBuffer indented;
  constexpr size_t kKeptCapacity = size_t{1} << 20;
  MemberRewrite rewrite(options);
  std::string text;
  if (options.pretty) {
    indented.Clear();
    rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(indented);
    writer.SetIndent(' ', 2);
    WriteValue(value, writer, rewrite);
    text.assign(indented.GetString(), indented.GetSize());
    if (text.size() > kKeptCapacity) {  // do not hold on to a large document's buffer
      indented.Clear();
      indented.ShrinkToFit();
    }
  } else {
    CompactWriter writer(&compact, rewrite);
    writer.Write(value);
    text.assign(compact.data(), writer.written());
    if (text.size() > kKeptCapacity) std::string().swap(compact);
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
  MemberRewrite rewrite(options);
  if (options.pretty) {
    BufferedOStream stream(out);
    rapidjson::PrettyWriter<BufferedOStream> writer(stream);
    writer.SetIndent(' ', 2);
    WriteValue(value, writer, rewrite);
    stream.Flush();
    return;
  }
  std::string text;
  CompactWriter writer(&text, rewrite);
  writer.Write(value);
  out.write(text.data(), static_cast<std::streamsize>(writer.written()));
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
