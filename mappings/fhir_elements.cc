#include "mappings/fhir_elements.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cstdint>
#include <cstring>

namespace duet::mappings {
namespace {

using fhir::Json;

bool IsAsciiAlnum(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool IsQuerySafeChar(unsigned char c) {
  if (IsAsciiAlnum(c)) return true;
  switch (c) {
    case '-':
    case '.':
    case '_':
    case '~':
    case ':':
    case '/':
    case '@':
    case '!':
    case '\'':
    case '(':
    case ')':
    case '*':
    case ';':
    case '|':
    case '\\':
    case ',':
    case '$': return true;
    default: return false;
  }
}

bool IsPathSegmentSafe(unsigned char c) {
  return IsAsciiAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

bool IsSearchSpecial(char c) { return c == '\\' || c == '|' || c == ',' || c == '$'; }

// How a byte goes into a query token (the check runs for every byte of every conditional
// reference, hence a table built once).
enum class QueryByte : unsigned char { kPlain, kSearchEscaped, kPercentEncoded };

const std::array<QueryByte, 256>& QueryByteTable() {
  static const std::array<QueryByte, 256> table = [] {
    std::array<QueryByte, 256> kinds{};
    for (int c = 0; c < 256; ++c) {
      auto byte = static_cast<unsigned char>(c);
      if (IsSearchSpecial(static_cast<char>(byte))) {
        kinds[c] = QueryByte::kSearchEscaped;  // all four are query-safe once escaped
      } else {
        kinds[c] = IsQuerySafeChar(byte) ? QueryByte::kPlain : QueryByte::kPercentEncoded;
      }
    }
    return kinds;
  }();
  return table;
}

constexpr char kUpperHex[] = "0123456789ABCDEF";

void AppendPercentEncoded(unsigned char c, std::string* out) {
  out->push_back('%');
  out->push_back(kUpperHex[c >> 4]);
  out->push_back(kUpperHex[c & 0xF]);
}

// Percent-encodes (upper-case hex) every byte of `text` for which `is_safe` is false.
std::string PercentEncodeUnsafe(std::string_view text, bool (*is_safe)(unsigned char)) {
  std::string encoded;
  encoded.reserve(text.size());
  for (unsigned char c : text) {
    if (is_safe(c)) {
      encoded.push_back(static_cast<char>(c));
    } else {
      AppendPercentEncoded(c, &encoded);
    }
  }
  return encoded;
}

// Appends the FHIR search token escapes of `text` (\| \, \$ \\), percent-encoded for a URL
// query: PercentEncode(EscapeToken(text)) in one pass, copying runs of plain bytes at once.
void AppendQueryToken(std::string_view text, std::string* out) {
  const std::array<QueryByte, 256>& kinds = QueryByteTable();
  size_t run = 0;  // start of the plain bytes not yet copied
  for (size_t i = 0; i < text.size(); ++i) {
    auto byte = static_cast<unsigned char>(text[i]);
    QueryByte kind = kinds[byte];
    if (kind == QueryByte::kPlain) continue;
    out->append(text.data() + run, i - run);
    run = i + 1;
    if (kind == QueryByte::kSearchEscaped) {
      out->push_back('\\');  // the backslash is query-safe
      out->push_back(text[i]);
    } else {
      AppendPercentEncoded(byte, out);
    }
  }
  out->append(text.data() + run, text.size() - run);
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view text) {
  std::string decoded;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      int high = HexValue(text[i + 1]);
      int low = HexValue(text[i + 2]);
      if (high >= 0 && low >= 0) {
        decoded.push_back(static_cast<char>(high * 16 + low));
        i += 2;
        continue;
      }
    }
    decoded.push_back(text[i]);
  }
  return decoded;
}

// Splits "system|value" at the first unescaped bar and removes the escapes.
std::optional<std::pair<std::string, std::string>> SplitToken(std::string_view token) {
  std::string parts[2];
  int part = 0;
  for (size_t i = 0; i < token.size(); ++i) {
    if (token[i] == '\\' && i + 1 < token.size()) {
      parts[part].push_back(token[++i]);
    } else if (token[i] == '|' && part == 0) {
      part = 1;
    } else {
      parts[part].push_back(token[i]);
    }
  }
  if (part != 1) return std::nullopt;
  return std::make_pair(parts[0], parts[1]);
}

// Whether any of the eight bytes is one of & < > " (exact, as CompactWriter's test in json.cc).
bool AnyXmlSpecial(uint64_t word) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighs = 0x8080808080808080ULL;
  auto has_zero_byte = [&](uint64_t v) { return ((v - kOnes) & ~v & kHighs) != 0; };
  return has_zero_byte(word ^ (kOnes * '&')) || has_zero_byte(word ^ (kOnes * '<')) ||
         has_zero_byte(word ^ (kOnes * '>')) || has_zero_byte(word ^ (kOnes * '"'));
}

void AppendEscapedXml(std::string_view text, std::string* out) {
  size_t run = 0;  // start of the bytes not yet copied
  size_t i = 0;
  while (i < text.size()) {
    uint64_t word;
    if (text.size() - i >= 8 && (std::memcpy(&word, text.data() + i, 8), !AnyXmlSpecial(word))) {
      i += 8;  // eight plain bytes at a time
      continue;
    }
    std::string_view entity;
    switch (text[i]) {
      case '&': entity = "&amp;"; break;
      case '<': entity = "&lt;"; break;
      case '>': entity = "&gt;"; break;
      case '"': entity = "&quot;"; break;
      default: ++i; continue;
    }
    out->append(text.data() + run, i - run).append(entity);
    run = ++i;
  }
  out->append(text.data() + run, text.size() - run);
}

}  // namespace

std::string EncodePathSegment(std::string_view text) {
  return PercentEncodeUnsafe(text, IsPathSegmentSafe);
}

std::string DecodePercent(std::string_view text) { return PercentDecode(text); }

Json Str(std::string_view text) { return Json::String(std::string(text)); }

Json Str(std::string&& text) { return Json::String(std::move(text)); }

Json Str(const char* text) { return Json::String(std::string(text)); }

Json Obj(std::initializer_list<ObjMember> members) {
  Json object = Json::MakeObject();
  Json::Object& list = object.members();
  list.reserve(members.size());
  for (const ObjMember& member : members) {
    if (member.value->is_null()) continue;
    assert(std::none_of(list.begin(), list.end(),
                        [&](const Json::Member& added) { return added.first == member.key; }) &&
           "Obj: a member name given twice");
    if (member.temporary != nullptr) {
      list.emplace_back(std::string(member.key), std::move(*member.temporary));
    } else {
      list.emplace_back(std::string(member.key), *member.value);
    }
  }
  return object;
}

std::vector<Json> MoveItems(std::initializer_list<ArrItem> items) {
  std::vector<Json> moved;
  moved.reserve(items.size());
  for (const ArrItem& item : items) {
    if (item.temporary != nullptr) {
      moved.push_back(std::move(*item.temporary));
    } else {
      moved.push_back(*item.value);
    }
  }
  return moved;
}

Json Arr(std::initializer_list<ArrItem> items) { return Arr(MoveItems(items)); }

Json Arr(std::vector<Json> items) {
  Json array = Json::MakeArray();
  array.items() = std::move(items);
  return array;
}

Json StrArr(const std::vector<std::string>& items) {
  Json array = Json::MakeArray();
  array.items().reserve(items.size());
  for (const std::string& item : items) array.Append(Str(item));
  return array;
}

Json MakeIdentifier(std::string_view system, std::string_view value) {
  return Obj({{"system", Str(system)}, {"value", Str(value)}});
}

Json MakeCoding(const CodedValue& coded) {
  return MakeCoding(coded.system, coded.code, coded.display);
}

Json MakeCoding(std::string_view system, std::string_view code, std::string_view display) {
  return Obj({{"system", Str(system)},
              {"code", Str(code)},
              {"display", display.empty() ? Json() : Str(display)}});
}

Json MakeConcept(Json coding, std::string_view text) {
  return Obj({{"coding", Arr({std::move(coding)})}, {"text", text.empty() ? Json() : Str(text)}});
}

Json TextConcept(std::string_view text) { return Obj({{"text", Str(text)}}); }

Json MakeMeta(std::string_view profile) { return Obj({{"profile", Arr({Str(profile)})}}); }

Json UcumQuantity(Json value, std::string_view unit) {
  return Obj({{"value", std::move(value)},
              {"unit", Str(unit)},
              {"system", Str(kUcumSystem)},
              {"code", Str(unit)}});
}

std::string ConditionalUrl(std::string_view type, std::string_view system, std::string_view value) {
  static constexpr std::string_view kQuery = "?identifier=";
  std::string url;
  url.reserve(type.size() + kQuery.size() + system.size() + value.size() + 8);
  url.append(type).append(kQuery);
  AppendQueryToken(system, &url);
  url.push_back('|');
  AppendQueryToken(value, &url);
  return url;
}

Json ConditionalReference(std::string_view type, std::string_view system, std::string_view value) {
  return Obj({{"reference", Str(ConditionalUrl(type, system, value))}});
}

Json PractitionerReference(std::string_view npi) {
  return ConditionalReference("Practitioner", kNpiSystem, npi);
}

Json NpiLogicalReference(std::string_view npi) {
  return Obj({{"identifier", MakeIdentifier(kNpiSystem, npi)}});
}

std::optional<ConditionalParts> ParseConditionalReference(std::string_view reference) {
  static constexpr std::string_view kMarker = "?identifier=";
  size_t marker = reference.find(kMarker);
  if (marker == std::string_view::npos || marker == 0) return std::nullopt;
  if (reference.find("://") < marker) return std::nullopt;
  std::string_view query = reference.substr(marker + kMarker.size());
  if (query.find('&') != std::string_view::npos) return std::nullopt;
  auto token = SplitToken(PercentDecode(query));
  if (!token) return std::nullopt;
  return ConditionalParts{std::string(reference.substr(0, marker)), token->first, token->second};
}

NarrativeBuilder::NarrativeBuilder(std::string_view heading) {
  constexpr size_t kTypicalSize = 2048;  // a plan of care's narrative, enough for most
  div_.reserve(kTypicalSize);
  div_ = "<div xmlns=\"http://www.w3.org/1999/xhtml\"><p><b>";
  AppendEscapedXml(heading, &div_);
  div_ += "</b></p>";
}

void NarrativeBuilder::Item(std::string_view label, std::string_view value) {
  Item({label}, {value});
}

void NarrativeBuilder::Item(std::initializer_list<std::string_view> label,
                            std::initializer_list<std::string_view> value) {
  div_ += has_items_ ? "<li>" : "<ul><li>";
  has_items_ = true;
  for (std::string_view part : label) AppendEscapedXml(part, &div_);
  div_ += ": ";
  for (std::string_view part : value) AppendEscapedXml(part, &div_);
  div_ += "</li>";
}

std::string NarrativeBuilder::TakeDiv() {
  div_ += has_items_ ? "</ul></div>" : "</div>";
  return std::move(div_);
}

Json NarrativeBuilder::Build() {
  return Obj({{"status", Str("generated")}, {"div", Json::String(TakeDiv())}});
}

}  // namespace duet::mappings
