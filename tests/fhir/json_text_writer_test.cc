#include "fhir/json_text_writer.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace duet::fhir {
namespace {

Json Parsed(std::string_view text) {
  auto parsed = ParseJson(text);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  return parsed.ok() ? std::move(parsed).value() : Json();
}

// Records what it is told.
class Recorder : public JsonTextWriter::StringWatcher {
 public:
  struct Seen {
    std::string value;
    size_t begin;
    size_t end;
  };
  void Written(std::string_view value, size_t begin, size_t end) override {
    seen.push_back({std::string(value), begin, end});
  }
  std::vector<Seen> seen;
};

// Written a value at a time, a document is the text WriteJson gives for its tree: commas,
// nesting, escapes in values (and in the keys of embedded trees), raw numbers, integers,
// booleans and embedded trees.
TEST(JsonTextWriterTest, WritesTheTextOfTheSameTree) {
  JsonTextWriter writer;
  writer.BeginObject();
  writer.String("resourceType", "CarePlan");
  writer.BeginArray("extension");
  writer.BeginObject();
  writer.String("url", "https://x.example/a");
  writer.Number("valuePositiveInt", "2");
  writer.EndObject();
  writer.BeginObject();
  writer.Integer("valueInteger", -42);
  writer.Bool("valueBoolean", false);
  writer.EndObject();
  writer.EndArray();
  writer.BeginArray("empty");
  writer.EndArray();
  writer.BeginObject("nested");
  writer.EndObject();
  writer.BeginArray("strings");
  writer.String("a\"b\\c\n\x01");
  writer.Number("1.50");
  writer.Value(Parsed(R"({"k":[1,{"z":null}],"t":"\u0002","q\"":0})"));
  writer.EndArray();
  writer.String("key", "v");
  writer.Value("tree", Parsed(R"([true,"x",{}])"));
  writer.EndObject();
  Json expected = Parsed(
      R"({"resourceType":"CarePlan","extension":[{"url":"https://x.example/a","valuePositiveInt":2},)"
      R"({"valueInteger":-42,"valueBoolean":false}],"empty":[],"nested":{},)"
      R"("strings":["a\"b\\c\n\u0001",1.50,{"k":[1,{"z":null}],"t":"\u0002","q\"":0}],"key":"v",)"
      R"("tree":[true,"x",{}]})");
  EXPECT_EQ(writer.text(), WriteJson(expected));
  EXPECT_EQ(Parsed(writer.text()), expected);
}

// The watcher hears of every string value of the watched member, written directly or inside a
// tree, with the span of its written text; other members and non-string values go unheard.
TEST(JsonTextWriterTest, TellsTheWatcherWhereEachValueOfTheWatchedMemberIs) {
  JsonTextWriter writer;
  Recorder recorder;
  writer.Watch("reference", &recorder);
  writer.BeginObject();
  writer.String("reference", "Patient?identifier=a|\"1\"");
  writer.String("references", "no");
  writer.Value("subject", Parsed(R"({"reference":"Goal/2","display":"x"})"));
  writer.Value("list", Parsed(R"([{"reference":7},{"inner":{"reference":"urn:uuid:3"}}])"));
  writer.Value("reference", Parsed(R"("tree value")"));
  writer.EndObject();
  ASSERT_EQ(recorder.seen.size(), 4U);
  EXPECT_EQ(recorder.seen[0].value, "Patient?identifier=a|\"1\"");
  EXPECT_EQ(recorder.seen[1].value, "Goal/2");
  EXPECT_EQ(recorder.seen[2].value, "urn:uuid:3");
  EXPECT_EQ(recorder.seen[3].value, "tree value");
  std::string_view text = writer.text();
  EXPECT_EQ(text.substr(recorder.seen[0].begin, recorder.seen[0].end - recorder.seen[0].begin),
            R"("Patient?identifier=a|\"1\"")");
  EXPECT_EQ(text.substr(recorder.seen[2].begin, recorder.seen[2].end - recorder.seen[2].begin),
            R"("urn:uuid:3")");
  writer.Watch("reference", nullptr);
  writer.Clear();
  writer.BeginObject();
  writer.String("reference", "unheard");
  writer.EndObject();
  EXPECT_EQ(recorder.seen.size(), 4U);
}

// Text spliced in with Key and Raw takes its place among the members like any value.
TEST(JsonTextWriterTest, SplicesRawTextAsOneValue) {
  JsonTextWriter writer;
  writer.BeginArray();
  writer.BeginObject();
  writer.String("fullUrl", "urn:uuid:1");
  writer.Key("resource");
  writer.Raw(R"({"resourceType":)");
  writer.Raw(R"("Goal"})");
  writer.EndRaw();
  writer.String("after", "x");
  writer.EndObject();
  writer.EndArray();
  EXPECT_EQ(writer.text(),
            R"([{"fullUrl":"urn:uuid:1","resource":{"resourceType":"Goal"},"after":"x"}])");
}

// Clear starts a new document over the same buffer; Take hands the text over and leaves the
// writer empty but usable; documents far larger than the first buffer come out whole.
TEST(JsonTextWriterTest, ClearsTakesAndGrows) {
  JsonTextWriter writer;
  writer.BeginArray();
  for (int i = 0; i < 20000; ++i) writer.String(std::string(i % 50, 'a' + i % 26));
  writer.EndArray();
  Json large = Parsed(writer.text());
  ASSERT_EQ(large.items().size(), 20000U);
  EXPECT_EQ(large.items()[49].string_value(), std::string(49, 'a' + 49 % 26));
  writer.Clear();
  EXPECT_EQ(writer.size(), 0U);
  writer.String("x");
  EXPECT_EQ(writer.text(), R"("x")");
  std::string taken = writer.Take();
  EXPECT_EQ(taken, R"("x")");
  EXPECT_EQ(writer.size(), 0U);
  writer.Clear();
  writer.BeginObject();
  writer.EndObject();
  EXPECT_EQ(writer.text(), "{}");
}

// Indenting a writer's text gives what writing its tree indented gives: nesting, empty
// containers, numbers kept, and brackets, commas, colons and escaped quotes inside strings left
// alone; to a stream, the same text whole.
TEST(JsonTextWriterTest, IndentingTheTextGivesTheIndentedTextOfItsTree) {
  const char* documents[] = {
      R"({"a":[1,2.50,-0.0,1e+300],"b":{},"c":[],"d":[{}],"e":"x\"y\\z\n\u0001","f":null,"g":true})",
      R"([])",
      R"("te{x}t, [with]: \"quotes\\\"")",
      R"({"resourceType":"Bundle","entry":[{"fullUrl":"urn:uuid:1","resource":{"x":[[],[{}]]}}]})",
      R"({"k\\":"v\\","l":[{"m":"}],"}]})",
  };
  for (const char* text : documents) {
    Json tree = Parsed(text);
    std::string compact = WriteJson(tree);
    EXPECT_EQ(IndentJsonText(compact), WriteJson(tree, true)) << text;
    std::ostringstream out;
    IndentJsonText(compact, out);
    EXPECT_EQ(out.str(), WriteJson(tree, true)) << text;
  }
  Json large = Json::MakeArray();
  for (int i = 0; i < 5000; ++i) large.Append(Parsed(R"({"a":"0123456789","b":[1,{}]})"));
  std::ostringstream out;
  IndentJsonText(WriteJson(large), out);
  EXPECT_EQ(out.str(), WriteJson(large, true));
  // Text that is not the writers' own is not read past its end.
  EXPECT_EQ(IndentJsonText(R"({"open)"), R"({
  "open)");
  EXPECT_EQ(IndentJsonText("]]"), "\n]\n]");
}

}  // namespace
}  // namespace duet::fhir
