#include "mappings/fhir_text_elements.h"

namespace duet::mappings {

using fhir::JsonTextWriter;

void BeginObjectAt(JsonTextWriter& out, std::string_view key) {
  if (key.empty()) {
    out.BeginObject();
  } else {
    out.BeginObject(key);
  }
}

void WriteMeta(JsonTextWriter& out, std::string_view profile) {
  out.BeginObject("meta");
  out.BeginArray("profile");
  out.String(profile);
  out.EndArray();
  out.EndObject();
}

void WriteIdentifier(JsonTextWriter& out, std::string_view system, std::string_view value) {
  out.BeginArray("identifier");
  out.BeginObject();
  out.String("system", system);
  out.String("value", value);
  out.EndObject();
  out.EndArray();
}

void WriteCoding(JsonTextWriter& out, std::string_view key, std::string_view system,
                 std::string_view code, std::string_view display) {
  BeginObjectAt(out, key);
  out.String("system", system);
  out.String("code", code);
  if (!display.empty()) out.String("display", display);
  out.EndObject();
}

void WriteConcept(JsonTextWriter& out, std::string_view key, std::string_view system,
                  std::string_view code, std::string_view display, std::string_view text) {
  BeginObjectAt(out, key);
  out.BeginArray("coding");
  WriteCoding(out, kItem, system, code, display);
  out.EndArray();
  if (!text.empty()) out.String("text", text);
  out.EndObject();
}

void WriteConcept(JsonTextWriter& out, std::string_view key, const CodedValue& coded,
                  std::string_view text) {
  WriteConcept(out, key, coded.system, coded.code, coded.display, text);
}

void WriteTextConcept(JsonTextWriter& out, std::string_view key, std::string_view text) {
  BeginObjectAt(out, key);
  out.String("text", text);
  out.EndObject();
}

void WriteReference(JsonTextWriter& out, std::string_view key, std::string_view reference) {
  BeginObjectAt(out, key);
  out.String("reference", reference);
  out.EndObject();
}

void WriteUcumQuantity(JsonTextWriter& out, std::string_view key, std::string_view value,
                       std::string_view unit) {
  BeginObjectAt(out, key);
  out.Number("value", value);
  out.String("unit", unit);
  out.String("system", kUcumSystem);
  out.String("code", unit);
  out.EndObject();
}

void WriteStringExtension(JsonTextWriter& out, std::string_view url, std::string_view value_key,
                          std::string_view value) {
  BeginExtension(out, url);
  out.String(value_key, value);
  out.EndObject();
}

void BeginExtension(JsonTextWriter& out, std::string_view url) {
  out.BeginObject();
  out.String("url", url);
}

void WriteNarrative(JsonTextWriter& out, NarrativeBuilder& narrative) {
  out.BeginObject("text");
  out.String("status", "generated");
  out.String("div", narrative.TakeDiv());
  out.EndObject();
}

}  // namespace duet::mappings
