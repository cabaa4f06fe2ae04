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

}  // namespace
}  // namespace duet::mappings
