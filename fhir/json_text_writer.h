// JsonTextWriter: compact JSON written a value at a time into one growing buffer, with no tree in
// between: how the mappers write the transaction Bundle of a record, and how WriteJson writes a
// tree. The text is byte for byte what WriteJson gives for a tree with the same members in the
// same order (same escapes: \" \\ \b \f \n \r \t and \u00XX for other control characters; other
// bytes as given).
//
// The caller says where each value goes (Begin/End, member keys); the commas come by themselves.
// Member names given to the writer are written as they are, unescaped: they are the caller's
// literals (FHIR element names), asserted in debug builds to need no escape. Names inside a tree
// given to Value are escaped like any string.
// The writer does not check that the calls make a well-formed document: its users' tests parse
// what they write. A watcher can be told of the string values of one member name as they are
// written (the Bundle writer finds the references it rewrites that way).
//
// Owns its buffer, which it does not zero as it grows. A writer's buffer (up to 1 MB) is handed
// on to the next writer made on the same thread, so that a writer per record costs no new memory.
// One document at a time, on one thread; text() is valid until the next write.
#pragma once

#include <cstddef>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

#include "fhir/json.h"

namespace duet::fhir {

class JsonTextWriter {
 public:
  // Told of the string values written for the watched member name.
  class StringWatcher {
   public:
    virtual ~StringWatcher() = default;
    // `value` as given; [begin, end) is its written text, quotes included, as offsets into
    // text(). Called after the value is written.
    virtual void Written(std::string_view value, size_t begin, size_t end) = 0;
  };

  JsonTextWriter();
  ~JsonTextWriter();
  JsonTextWriter(const JsonTextWriter&) = delete;
  JsonTextWriter& operator=(const JsonTextWriter&) = delete;

  // String values of members named `member` (given by String(key, value) or inside Value) go to
  // `watcher` from now on; a null watcher stops it. `member` must outlive the writer's use.
  void Watch(std::string_view member, StringWatcher* watcher);

  // An object or array as an array item (or the document itself), or as the member `key`.
  void BeginObject();
  void BeginObject(std::string_view key);
  void EndObject();
  void BeginArray();
  void BeginArray(std::string_view key);
  void EndArray();

  void String(std::string_view value);
  void String(std::string_view key, std::string_view value);
  // `text` is a JSON number, written as it is.
  void Number(std::string_view text);
  void Number(std::string_view key, std::string_view text);
  void Integer(std::string_view key, long long value);
  void Bool(std::string_view key, bool value);
  // A tree, written as WriteJson would.
  void Value(const Json& value);
  void Value(std::string_view key, const Json& value);

  // Low level, for splicing text written elsewhere: Key writes the member name (after a comma
  // when one is due; see above: unescaped), Raw copies `json` as it is; the caller makes sure that
  // what Raw writes after a Key, over one or more calls, is exactly one JSON value, and calls
  // EndRaw after it.
  void Key(std::string_view key);
  void Raw(std::string_view json);
  void EndRaw() { comma_due_ = true; }

  // Starts another document right after the text so far, with nothing between them: a writer
  // can hold a run of documents, each found by where it starts and ends (size() before and after).
  void StartNextDocument() { comma_due_ = false; }

  std::string_view text() const { return {buffer_.get(), size()}; }
  size_t size() const { return static_cast<size_t>(cursor_ - buffer_.get()); }
  size_t capacity() const { return capacity_; }
  // Makes room for a document of `bytes` in one allocation (the buffer otherwise doubles).
  void Reserve(size_t bytes) { Room(bytes); }
  // Starts a new document, keeping the buffer.
  void Clear();
  // A copy of the document; the writer is left empty.
  std::string Take();

 private:
  // Room for 16 bytes past any write, so that string runs can be copied 16 bytes at a time.
  static constexpr size_t kSlack = 16;

  void Room(size_t bytes) {
    if (static_cast<size_t>(end_ - cursor_) < bytes + kSlack) Grow(bytes);
  }
  void Grow(size_t bytes);
  void Put(char c) {
    Room(1);
    *cursor_++ = c;
  }
  void Separate() {
    if (comma_due_) Put(',');
  }
  void Open(char bracket) {
    Put(bracket);
    comma_due_ = false;
  }
  void Close(char bracket) {
    Put(bracket);
    comma_due_ = true;
  }
  void WriteString(std::string_view text);
  void PutEscape(unsigned char c);
  void WriteTree(const Json& value);
  void WriteMemberString(std::string_view key, std::string_view value);

  std::unique_ptr<char[]> buffer_;  // the document is its first size() bytes; the rest scratch
  size_t capacity_ = 0;
  char* cursor_;
  char* end_;
  bool comma_due_ = false;
  std::string_view watched_member_;
  StringWatcher* watcher_ = nullptr;
};

// Indents compact JSON text with two spaces: for the text of a JsonTextWriter or of WriteJson,
// exactly what WriteJson(tree, true) writes for its tree. The text is not checked (it is the
// writers' own); any other text is copied with line breaks where its brackets and commas are,
// never read past its end.
std::string IndentJsonText(std::string_view compact);
// The same written to `out` 64 KB at a time; check `out` afterwards for a failed write.
void IndentJsonText(std::string_view compact, std::ostream& out);

}  // namespace duet::fhir
