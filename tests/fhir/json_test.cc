#include "fhir/json.h"

#include <gtest/gtest.h>

#include <cctype>
#include <optional>
#include <sstream>
#include <string>
#include <utility>

namespace duet::fhir {
namespace {

TEST(JsonTest, KeepsDecimalsExactlyAsWritten) {
  auto parsed = ParseJson(R"({"value":1.50,"big":12345678901234567890.000,"e":1e-7})");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->Find("value")->number_text(), "1.50");
  EXPECT_EQ(WriteJson(*parsed), R"({"value":1.50,"big":12345678901234567890.000,"e":1e-7})");
}

TEST(JsonTest, KeepsMemberOrderAndUnicode) {
  const std::string text = R"({"resourceType":"Patient","name":[{"text":"Zoë 张"}],"active":true})";
  auto parsed = ParseJson(text);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(WriteJson(*parsed), text);
}

TEST(JsonTest, RejectsDuplicateMembersWithTheirName) {
  auto parsed = ParseJson(R"({"id":"a","id":"b"})");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(parsed.status().message().find("duplicate member \"id\""), std::string::npos);
}

TEST(JsonTest, RejectsTrailingGarbageAndNamesTheOffset) {
  auto parsed = ParseJson(R"({"a":1} x)");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("byte 8"), std::string::npos);
}

TEST(JsonTest, RejectsTruncatedAndInvalidUtf8) {
  EXPECT_FALSE(ParseJson(R"({"a":)").ok());
  EXPECT_FALSE(ParseJson("{\"a\":\"\xC3\x28\"}").ok());
  EXPECT_FALSE(ParseJson("").ok());
}

TEST(JsonTest, RejectsNestingBeyondTheLimit) {
  std::string deep(200, '[');
  deep += std::string(200, ']');
  auto parsed = ParseJson(deep);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("nesting deeper"), std::string::npos);
}

TEST(JsonTest, EqualityIgnoresMemberOrderButNotNumberText) {
  EXPECT_EQ(*ParseJson(R"({"a":1,"b":[true,null]})"), *ParseJson(R"({"b":[true,null],"a":1})"));
  EXPECT_NE(*ParseJson(R"({"a":1.0})"), *ParseJson(R"({"a":1})"));
}

TEST(JsonTest, SetReplacesOrAppendsAndRemoveDeletes) {
  Json object = Json::MakeObject();
  object.Set("resourceType", Json::String("Goal"));
  object.Set("id", Json::String("x"));
  object.Set("id", Json::String("y"));
  EXPECT_EQ(WriteJson(object), R"({"resourceType":"Goal","id":"y"})");
  EXPECT_TRUE(object.Remove("id"));
  EXPECT_FALSE(object.Remove("id"));
  EXPECT_EQ(object.StringOr("resourceType"), "Goal");
}

TEST(JsonTest, CopiesAreDeepAndIndependentForEveryKind) {
  const std::string text = R"({"n":null,"b":true,"d":1.50,"s":"a string longer than fifteen",)"
                           R"("a":[1,"x",{"k":[]}],"o":{"inner":{"deep":"v"}}})";
  Json original = *ParseJson(text);
  Json copy = original;
  copy.Find("o")->Find("inner")->Set("deep", Json::String("changed"));
  copy.Find("a")->Append(Json::Bool(false));
  EXPECT_EQ(WriteJson(original), text);
  Json assigned = Json::String("replaced by an object");
  assigned = original;
  EXPECT_EQ(assigned, original);
  const Json& same = assigned;
  assigned = same;  // self-assignment keeps the value
  EXPECT_EQ(WriteJson(assigned), text);
}

TEST(JsonTest, MovesLeaveTheSourceOfTheSameKindButEmpty) {
  Json text = Json::String("a string longer than fifteen bytes");
  Json moved = std::move(text);
  EXPECT_EQ(moved.string_value(), "a string longer than fifteen bytes");
  EXPECT_TRUE(text.is_string());  // NOLINT(bugprone-use-after-move): the state is the point
  Json list = *ParseJson(R"([1,2,3])");
  Json taken = std::move(list);
  EXPECT_EQ(taken.items().size(), 3U);
  EXPECT_TRUE(list.is_array());  // NOLINT(bugprone-use-after-move)
  EXPECT_TRUE(list.items().empty());
}

TEST(JsonTest, AssigningAPartOfAValueToTheValueKeepsThePart) {
  // The part lives inside what the assignment replaces: of another kind, then of the same kind.
  Json object = *ParseJson(R"({"wrapper":[{"kept":"the part, longer than fifteen"}]})");
  object = std::move(object.Find("wrapper")->items()[0]);
  EXPECT_EQ(WriteJson(object), R"({"kept":"the part, longer than fifteen"})");
  Json nested = *ParseJson(R"({"inner":{"kept":[1,2]}})");
  nested = std::move(*nested.Find("inner"));
  EXPECT_EQ(WriteJson(nested), R"({"kept":[1,2]})");
  Json copied = *ParseJson(R"([["a copy of the first item"],2])");
  copied = Json(copied.items()[0]);
  EXPECT_EQ(WriteJson(copied), R"(["a copy of the first item"])");
}

TEST(JsonTest, ChangingTheKindThroughItemsOrMembersDropsTheOldValue) {
  Json value = Json::String("a string longer than fifteen bytes");
  value.items().push_back(Json::Integer(7));
  EXPECT_EQ(WriteJson(value), "[7]");
  value.members().emplace_back("k", Json::Bool(false));
  EXPECT_EQ(WriteJson(value), R"({"k":false})");
}

TEST(JsonTest, WritesEscapes) {
  Json s = Json::String("line\n\"quoted\"\t\\");
  EXPECT_EQ(WriteJson(s), R"("line\n\"quoted\"\t\\")");
}

TEST(JsonTest, WritesEveryControlCharacterEscapedAndOtherBytesAsGiven) {
  // Long enough that escapes fall inside and across the writer's 16-byte blocks.
  std::string text = "0123456789abcdefghij\x01\x1f\b\f\r" + std::string(20, 'x') + "\"" +
                     std::string(15, 'y') + "\\\x7f\xc3\xa9" + std::string(1, '\0') + "end";
  EXPECT_EQ(WriteJson(Json::String(text)),
            "\"0123456789abcdefghij\\u0001\\u001F\\b\\f\\r" + std::string(20, 'x') + "\\\"" +
                std::string(15, 'y') + "\\\\\x7f\xc3\xa9\\u0000end\"");
}

// Compact text is written into a scratch buffer each thread keeps: documents of very different
// sizes one after the other must each come out whole, and no larger than written.
TEST(JsonTest, DocumentsOfAnySizeInTurnAreWrittenWhole) {
  auto array_of = [](size_t count, size_t length) {
    Json array = Json::MakeArray();
    for (size_t i = 0; i < count; ++i)
      array.Append(Json::String(std::string(length, 'a' + i % 26)));
    return array;
  };
  const std::pair<size_t, size_t> shapes[] = {{2, 10},     {3000, 40}, {1, 0},
                                              {1, 200000}, {5, 3},     {3000, 40}};
  for (auto [count, length] : shapes) {
    Json array = array_of(count, length);
    std::string text = WriteJson(array);
    EXPECT_EQ(text.size(), 2 + count * (length + 2) + (count - 1)) << count << " x " << length;
    EXPECT_LE(text.capacity(), 2 * text.size() + 4096);
    auto parsed = ParseJson(text);
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, array);
  }
}

TEST(JsonTest, RejectsDuplicateMembersOfLargeObjects) {
  std::string text = "{";
  for (int i = 0; i < 40; ++i) text += "\"m" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  auto parsed = ParseJson(text + "\"m39\":true}");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("duplicate member \"m39\""), std::string::npos);
  auto fine = ParseJson(text + "\"m40\":[{\"m0\":{}},[]]}");
  ASSERT_TRUE(fine.ok()) << fine.status().ToString();
  EXPECT_EQ(fine->members().size(), 41u);
  EXPECT_EQ(WriteJson(*fine->Find("m40")), R"([{"m0":{}},[]])");
}

// Written to a stream, a document is the same text as written to a string, in both styles, and
// whole when it is many times the stream's 64 KB buffer.
TEST(JsonTest, WritingToAStreamGivesTheSameText) {
  Json document = Json::MakeArray();
  for (int i = 0; i < 3000; ++i) {
    Json item = Json::MakeObject();
    item.Set("ref", Json::String("item " + std::to_string(i)));
    item.Set("n", Json::Integer(i));
    item.Set("text", Json::String(std::string(40, static_cast<char>('a' + i % 26)) + "\n\"q\""));
    document.Append(std::move(item));
  }
  for (bool pretty : {false, true}) {
    JsonWriteOptions options;
    options.pretty = pretty;
    std::string text = WriteJson(document, options);
    ASSERT_GT(text.size(), 3U * 65536);
    std::ostringstream out;
    WriteJson(document, options, out);
    EXPECT_TRUE(out.good());
    EXPECT_TRUE(out.str() == text) << (pretty ? "indented" : "compact");
  }
}

// The parse runs in place over a NUL-terminated copy: a NUL byte in the text is still an error,
// wherever it is, and the text passed in is left as it was.
TEST(JsonTest, RejectsANulByteAnywhereInTheText) {
  using namespace std::string_literals;
  for (const std::string& text : {"{\"a\":\"x\0y\"}"s, "{\"a\":1}\0"s, "\0{}"s, "[1,\0 2]"s}) {
    auto parsed = ParseJson(text);
    EXPECT_FALSE(parsed.ok()) << WriteJson(Json::String(text));
  }
  const std::string escaped = R"({"a":"line\nbreak \u00e9"})";
  auto parsed = ParseJson(escaped);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->StringOr("a"), "line\nbreak \xc3\xa9");
  EXPECT_EQ(escaped, R"({"a":"line\nbreak \u00e9"})");
}

}  // namespace
}  // namespace duet::fhir
