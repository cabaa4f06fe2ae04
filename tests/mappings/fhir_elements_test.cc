#include "mappings/fhir_elements.h"

#include <gtest/gtest.h>

#include <string>

namespace duet::mappings {
namespace {

std::string DivOf(NarrativeBuilder& narrative) {
  fhir::Json text = narrative.Build();
  EXPECT_EQ(text.StringOr("status"), "generated");
  return std::string(text.StringOr("div"));
}

TEST(NarrativeBuilderTest, EscapesTheHeadingLabelsAndValues) {
  NarrativeBuilder narrative("Plan <of> care & \"more\"");
  narrative.Item("Goal", "walk > 50 m & climb <3> stairs");
  narrative.Item("Note", "plain");
  EXPECT_EQ(DivOf(narrative),
            "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p><b>Plan &lt;of&gt; care &amp; "
            "&quot;more&quot;</b></p><ul><li>Goal: walk &gt; 50 m &amp; climb &lt;3&gt; "
            "stairs</li><li>Note: plain</li></ul></div>");
}

TEST(NarrativeBuilderTest, AHeadingAloneHasNoList) {
  NarrativeBuilder narrative("Education");
  EXPECT_EQ(DivOf(narrative),
            "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p><b>Education</b></p></div>");
}

TEST(NarrativeBuilderTest, KeepsNonAsciiTextAndLongItems) {
  NarrativeBuilder narrative("Zoë");
  std::string long_value(3000, 'x');  // past the reserved size
  narrative.Item("Ödem", long_value);
  EXPECT_EQ(DivOf(narrative),
            "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p><b>Zoë</b></p><ul><li>Ödem: " +
                long_value + "</li></ul></div>");
}

// The escapes, a byte at a time: what the builder's word-at-a-time scan must give.
std::string EscapedOneByOne(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '"')
      out += "&quot;";
    else
      out += c;
  }
  return out;
}

TEST(NarrativeBuilderTest, EscapesEverySpecialCharacterWhereverItFalls) {
  const std::string prefix = "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p><b>h</b></p><ul><li>";
  for (char special : std::string("&<>\"")) {
    for (size_t at = 0; at < 24; ++at) {
      std::string value(24, 'a');
      value[at] = special;
      value += "\xC3\xA9\x7F";  // bytes above and next to the ASCII range pass as they are
      NarrativeBuilder narrative("h");
      narrative.Item("label", value);
      EXPECT_EQ(DivOf(narrative), prefix + "label: " + EscapedOneByOne(value) + "</li></ul></div>")
          << "'" << special << "' at " << at;
    }
  }
}

TEST(NarrativeBuilderTest, ItemsGivenInPartsReadAsOne) {
  NarrativeBuilder in_parts("h");
  in_parts.Item({"Goal ", "G<1>", " (short term)"}, {"walk ", "", "& climb"});
  NarrativeBuilder whole("h");
  whole.Item("Goal G<1> (short term)", "walk & climb");
  EXPECT_EQ(DivOf(in_parts), DivOf(whole));
}

}  // namespace
}  // namespace duet::mappings
