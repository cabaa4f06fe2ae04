#include "mappings/fhir_text_elements.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "mappings/extensions.h"
#include "mappings/fhir_elements.h"

namespace duet::mappings {
namespace {

using fhir::Json;
using fhir::JsonTextWriter;

// The text a helper writes as the member "m" of an object.
std::string AsMember(const std::function<void(JsonTextWriter&)>& write) {
  JsonTextWriter out;
  out.BeginObject();
  write(out);
  out.EndObject();
  return std::string(out.text());
}

// Each text helper writes what its tree counterpart builds, member for member.
TEST(FhirTextElementsTest, WriteWhatTheTreeBuildersBuild) {
  EXPECT_EQ(AsMember([](JsonTextWriter& out) { WriteMeta(out, "http://p.example/sd"); }),
            fhir::WriteJson(Obj({{"meta", MakeMeta("http://p.example/sd")}})));
  EXPECT_EQ(AsMember([](JsonTextWriter& out) { WriteIdentifier(out, "urn:s", "v|1"); }),
            fhir::WriteJson(Obj({{"identifier", Arr({MakeIdentifier("urn:s", "v|1")})}})));
  for (std::string_view display : {"", "Shown"}) {
    for (std::string_view text : {"", "Said \"so\""}) {
      EXPECT_EQ(
          AsMember(
              [&](JsonTextWriter& out) { WriteConcept(out, "m", "urn:s", "c", display, text); }),
          fhir::WriteJson(Obj({{"m", MakeConcept(MakeCoding("urn:s", "c", display), text)}})));
    }
  }
  CodedValue coded{"urn:s", "c", "D"};
  EXPECT_EQ(AsMember([&](JsonTextWriter& out) { WriteConcept(out, "m", coded, "t"); }),
            fhir::WriteJson(Obj({{"m", MakeConcept(MakeCoding(coded), "t")}})));
  EXPECT_EQ(AsMember([](JsonTextWriter& out) { WriteTextConcept(out, "m", "free <text>"); }),
            fhir::WriteJson(Obj({{"m", TextConcept("free <text>")}})));
  EXPECT_EQ(AsMember([](JsonTextWriter& out) {
              WriteReference(out, "subject", "Patient?identifier=a|b");
            }),
            fhir::WriteJson(Obj({{"subject", ConditionalReference("Patient", "a", "b")}})));
  EXPECT_EQ(AsMember([](JsonTextWriter& out) { WriteUcumQuantity(out, "q", "1.50", "kg"); }),
            fhir::WriteJson(Obj({{"q", UcumQuantity(Json::Number("1.50"), "kg")}})));
  JsonTextWriter list;
  list.BeginArray();
  WriteStringExtension(list, "http://x.example/e", "valueCode", "c");
  WriteCoding(list, kItem, "urn:s", "c");
  WriteReference(list, kItem, "Goal?identifier=s|v");
  list.EndArray();
  EXPECT_EQ(
      list.text(),
      fhir::WriteJson(Arr({MakeExtension("http://x.example/e", "valueCode", Str("c")),
                           MakeCoding("urn:s", "c"), ConditionalReference("Goal", "s", "v")})));
  NarrativeBuilder text_narrative("Plan <1>");
  text_narrative.Item("Label", "a & b");
  NarrativeBuilder tree_narrative("Plan <1>");
  tree_narrative.Item("Label", "a & b");
  EXPECT_EQ(AsMember([&](JsonTextWriter& out) { WriteNarrative(out, text_narrative); }),
            fhir::WriteJson(Obj({{"text", tree_narrative.Build()}})));
}

}  // namespace
}  // namespace duet::mappings
