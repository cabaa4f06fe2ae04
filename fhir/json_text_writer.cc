#include "fhir/json_text_writer.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace duet::fhir {
namespace {

bool NeedsEscape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }

// Whether any of the eight bytes needs an escape (exact: the borrow tricks below can misplace
// which byte it is, but never invent one when there is none).
bool AnyNeedsEscape(uint64_t word) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighs = 0x8080808080808080ULL;
  auto has_zero_byte = [&](uint64_t v) { return ((v - kOnes) & ~v & kHighs) != 0; };
  bool control = ((word - kOnes * 0x20) & ~word & kHighs) != 0;  // a byte below 0x20
  return control || has_zero_byte(word ^ (kOnes * '"')) || has_zero_byte(word ^ (kOnes * '\\'));
}

// The buffer of the last writer that ended on this thread, for the next one.
struct SpareBuffer {
  std::unique_ptr<char[]> buffer;
  size_t capacity = 0;
};
thread_local SpareBuffer spare;

constexpr size_t kFirstCapacity = 256;
constexpr size_t kLargestSpare = size_t{1} << 20;

}  // namespace

JsonTextWriter::JsonTextWriter() {
  if (spare.buffer != nullptr) {
    buffer_ = std::move(spare.buffer);
    capacity_ = spare.capacity;
    spare.capacity = 0;
  } else {
    buffer_ = std::unique_ptr<char[]>(new char[kFirstCapacity]);
    capacity_ = kFirstCapacity;
  }
  cursor_ = buffer_.get();
  end_ = cursor_ + capacity_;
}

JsonTextWriter::~JsonTextWriter() {
  if (capacity_ <= kLargestSpare && capacity_ > spare.capacity) {
    spare.buffer = std::move(buffer_);
    spare.capacity = capacity_;
  }
}

void JsonTextWriter::Watch(std::string_view member, StringWatcher* watcher) {
  watched_member_ = member;
  watcher_ = watcher;
}

void JsonTextWriter::Grow(size_t bytes) {
  size_t used = size();
  size_t capacity = std::max(capacity_ * 2, used + bytes + kSlack + kFirstCapacity);
  auto grown = std::unique_ptr<char[]>(new char[capacity]);
  if (used > 0) std::memcpy(grown.get(), buffer_.get(), used);
  buffer_ = std::move(grown);
  capacity_ = capacity;
  cursor_ = buffer_.get() + used;
  end_ = buffer_.get() + capacity_;
}

void JsonTextWriter::Clear() {
  cursor_ = buffer_.get();
  comma_due_ = false;
}

std::string JsonTextWriter::Take() {
  std::string text(this->text());
  Clear();
  return text;
}

void JsonTextWriter::BeginObject() {
  Separate();
  Open('{');
}

void JsonTextWriter::BeginObject(std::string_view key) {
  Key(key);
  Open('{');
}

void JsonTextWriter::EndObject() { Close('}'); }

void JsonTextWriter::BeginArray() {
  Separate();
  Open('[');
}

void JsonTextWriter::BeginArray(std::string_view key) {
  Key(key);
  Open('[');
}

void JsonTextWriter::EndArray() { Close(']'); }

void JsonTextWriter::Key(std::string_view key) {
  assert(std::none_of(key.begin(), key.end(),
                      [](char c) { return NeedsEscape(static_cast<unsigned char>(c)); }) &&
         "JsonTextWriter: a member name that needs escaping");
  Separate();
  Room(key.size() + 3);
  *cursor_++ = '"';
  std::memcpy(cursor_, key.data(), key.size());
  cursor_ += key.size();
  *cursor_++ = '"';
  *cursor_++ = ':';
}

void JsonTextWriter::Raw(std::string_view json) {
  Room(json.size());
  std::memcpy(cursor_, json.data(), json.size());
  cursor_ += json.size();
}

void JsonTextWriter::String(std::string_view value) {
  Separate();
  WriteString(value);
  comma_due_ = true;
}

void JsonTextWriter::String(std::string_view key, std::string_view value) {
  Key(key);
  WriteMemberString(key, value);
}

void JsonTextWriter::WriteMemberString(std::string_view key, std::string_view value) {
  size_t begin = size();
  WriteString(value);
  comma_due_ = true;
  if (watcher_ != nullptr && key.size() == watched_member_.size() && key == watched_member_) {
    watcher_->Written(value, begin, size());
  }
}

void JsonTextWriter::Number(std::string_view text) {
  Separate();
  Raw(text);
  comma_due_ = true;
}

void JsonTextWriter::Number(std::string_view key, std::string_view text) {
  Key(key);
  Raw(text);
  comma_due_ = true;
}

void JsonTextWriter::Integer(std::string_view key, long long value) {
  Key(key);
  Room(24);
  cursor_ = std::to_chars(cursor_, end_, value).ptr;
  comma_due_ = true;
}

void JsonTextWriter::Bool(std::string_view key, bool value) {
  Key(key);
  Raw(value ? "true" : "false");
  comma_due_ = true;
}

void JsonTextWriter::Value(const Json& value) {
  Separate();
  WriteTree(value);
  comma_due_ = true;
}

void JsonTextWriter::Value(std::string_view key, const Json& value) {
  Key(key);
  if (value.is_string()) {
    WriteMemberString(key, value.string_value());
    return;
  }
  WriteTree(value);
  comma_due_ = true;
}

void JsonTextWriter::WriteTree(const Json& value) {
  switch (value.kind()) {
    case Json::Kind::kNull: Raw("null"); break;
    case Json::Kind::kBool: Raw(value.bool_value() ? "true" : "false"); break;
    case Json::Kind::kNumber: Raw(value.number_text()); break;
    case Json::Kind::kString: WriteString(value.string_value()); break;
    case Json::Kind::kArray:
      Put('[');
      for (size_t i = 0; i < value.items().size(); ++i) {
        if (i > 0) Put(',');
        WriteTree(value.items()[i]);
      }
      Put(']');
      break;
    case Json::Kind::kObject: {
      Put('{');
      const Json::Object& members = value.members();
      for (size_t i = 0; i < members.size(); ++i) {
        if (i > 0) Put(',');
        WriteString(members[i].first);
        Put(':');
        if (members[i].second.is_string()) {
          WriteMemberString(members[i].first, members[i].second.string_value());
        } else {
          WriteTree(members[i].second);
        }
      }
      Put('}');
      break;
    }
  }
}

void JsonTextWriter::WriteString(std::string_view text) {
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
    __m128i special = _mm_or_si128(_mm_cmpeq_epi8(bytes, quote), _mm_cmpeq_epi8(bytes, backslash));
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

// Room was made by WriteString.
void JsonTextWriter::PutEscape(unsigned char c) {
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

namespace {

// Appends to a string.
class StringSink {
 public:
  explicit StringSink(std::string* text) : text_(text) {}
  void Put(char c) { text_->push_back(c); }
  void Put(std::string_view run) { text_->append(run); }

 private:
  std::string* text_;
};

// Writes to a stream through a 64 KB buffer.
class StreamSink {
 public:
  explicit StreamSink(std::ostream& out) : out_(out) { buffer_.reserve(kSize); }
  StreamSink(const StreamSink&) = delete;
  StreamSink& operator=(const StreamSink&) = delete;
  ~StreamSink() { Flush(); }
  void Put(char c) {
    buffer_.push_back(c);
    if (buffer_.size() >= kSize) Flush();
  }
  void Put(std::string_view run) {
    buffer_.append(run);
    if (buffer_.size() >= kSize) Flush();
  }

 private:
  static constexpr size_t kSize = size_t{1} << 16;
  void Flush() {
    out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    buffer_.clear();
  }
  std::ostream& out_;
  std::string buffer_;
};

template <typename Sink>
void NewLine(size_t depth, Sink& sink) {
  sink.Put('\n');
  for (size_t i = 0; i < depth; ++i) sink.Put(std::string_view("  "));
}

// The layout of RapidJSON's PrettyWriter (indent 2): a line per member or item, "{}" and "[]"
// for empty containers, ": " after a name. Strings are copied as they are, runs at a time.
template <typename Sink>
void Indent(std::string_view text, Sink& sink) {
  size_t depth = 0;
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == '"') {  // a string, up to its closing quote
      size_t end = i + 1;
      while (end < text.size() && text[end] != '"') end += text[end] == '\\' ? 2 : 1;
      end = std::min(end + 1, text.size());
      sink.Put(text.substr(i, end - i));
      i = end;
      continue;
    }
    if ((c == '{' || c == '[') && i + 1 < text.size() &&
        (text[i + 1] == '}' || text[i + 1] == ']')) {
      sink.Put(text.substr(i, 2));
      i += 2;
      continue;
    }
    if (c == '}' || c == ']') {
      depth -= depth > 0 ? 1 : 0;
      NewLine(depth, sink);
      sink.Put(c);
    } else if (c == '{' || c == '[') {
      sink.Put(c);
      NewLine(++depth, sink);
    } else if (c == ',') {
      sink.Put(c);
      NewLine(depth, sink);
    } else if (c == ':') {
      sink.Put(std::string_view(": "));
    } else {
      sink.Put(c);
    }
    ++i;
  }
}

}  // namespace

std::string IndentJsonText(std::string_view compact) {
  std::string text;
  text.reserve(compact.size() * 2);
  StringSink sink(&text);
  Indent(compact, sink);
  return text;
}

void IndentJsonText(std::string_view compact, std::ostream& out) {
  StreamSink sink(out);
  Indent(compact, sink);
}

}  // namespace duet::fhir
