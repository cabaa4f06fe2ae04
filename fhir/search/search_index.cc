#include "fhir/search/search_index.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <tuple>

#include "fhir/search/date_range.h"

namespace duet::fhir {
namespace {

// ASCII folding of U+00C0..U+00FF; nullptr keeps the character.
const char* FoldLatin1(unsigned code_point) {
  static const char* const kFold[64] = {
      "a", "a", "a", "a", "a", "a", "ae", "c",     "e", "e", "e", "e", "i", "i", "i",  "i",
      "d", "n", "o", "o", "o", "o", "o",  nullptr, "o", "u", "u", "u", "u", "y", "th", "ss",
      "a", "a", "a", "a", "a", "a", "ae", "c",     "e", "e", "e", "e", "i", "i", "i",  "i",
      "d", "n", "o", "o", "o", "o", "o",  nullptr, "o", "u", "u", "u", "u", "y", "th", "y"};
  return code_point >= 0xC0 && code_point <= 0xFF ? kFold[code_point - 0xC0] : nullptr;
}

// ASCII folding of U+0100..U+017F (Latin Extended-A), by ranges of the same base letter.
const char* FoldLatinExtendedA(unsigned code_point) {
  struct Range {
    unsigned last;
    const char* fold;
  };
  static const Range kRanges[] = {
      {0x105, "a"}, {0x10D, "c"},  {0x111, "d"}, {0x11B, "e"}, {0x123, "g"}, {0x127, "h"},
      {0x131, "i"}, {0x133, "ij"}, {0x135, "j"}, {0x138, "k"}, {0x142, "l"}, {0x14B, "n"},
      {0x151, "o"}, {0x153, "oe"}, {0x159, "r"}, {0x161, "s"}, {0x167, "t"}, {0x173, "u"},
      {0x175, "w"}, {0x178, "y"},  {0x17E, "z"}, {0x17F, "s"}};
  if (code_point < 0x100 || code_point > 0x17F) return nullptr;
  for (const Range& range : kRanges) {
    if (code_point <= range.last) return range.fold;
  }
  return nullptr;
}

bool IsValidId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.';
  });
}

void CollectAtPath(const Json& node, const std::vector<std::string_view>& segments, size_t index,
                   std::vector<const Json*>* out) {
  if (node.is_array()) {
    for (const Json& item : node.items()) CollectAtPath(item, segments, index, out);
    return;
  }
  if (index == segments.size()) {
    out->push_back(&node);
    return;
  }
  if (const Json* child = node.Find(segments[index])) {
    CollectAtPath(*child, segments, index + 1, out);
  }
}

// The values at the parameter's paths in `resource` (arrays flattened).
std::vector<const Json*> ValuesOf(const Json& resource, std::string_view resource_type,
                                  const SearchParameterDef& def) {
  std::vector<const Json*> values;
  for (const std::string& path : def.paths) {
    std::vector<std::string_view> segments;
    std::string_view rest = path;
    while (true) {
      const size_t dot = rest.find('.');
      segments.push_back(rest.substr(0, dot));
      if (dot == std::string_view::npos) break;
      rest.remove_prefix(dot + 1);
    }
    if (segments.size() < 2 || (segments[0] != resource_type && segments[0] != "Resource")) {
      continue;
    }
    CollectAtPath(resource, segments, 1, &values);
  }
  return values;
}

std::string StringMember(const Json& object, std::string_view key) {
  return std::string(object.StringOr(key));
}

void AddTokens(const std::string& param, const Json& value, std::vector<TokenIndexRow>* rows) {
  switch (value.kind()) {
    case Json::Kind::kString: rows->push_back({param, "", value.string_value()}); return;
    case Json::Kind::kBool:
      rows->push_back({param, "", value.bool_value() ? "true" : "false"});
      return;
    case Json::Kind::kObject: break;
    default: return;
  }
  if (const Json* coding = value.Find("coding"); coding != nullptr && coding->is_array()) {
    for (const Json& item : coding->items()) {
      if (item.is_object() && !item.StringOr("code").empty()) {
        rows->push_back({param, StringMember(item, "system"), StringMember(item, "code")});
      }
    }
  } else if (!value.StringOr("value").empty()) {  // Identifier, ContactPoint
    rows->push_back({param, StringMember(value, "system"), StringMember(value, "value")});
  } else if (!value.StringOr("code").empty()) {  // Coding
    rows->push_back({param, StringMember(value, "system"), StringMember(value, "code")});
  }
}

void AddReference(const SearchParameterDef& def, const Json& value,
                  std::vector<ReferenceIndexRow>* rows) {
  std::string_view reference;
  if (value.is_string()) {
    reference = value.string_value();  // canonical
  } else if (value.is_object()) {
    reference = value.StringOr("reference");
  }
  std::string type, id;
  if (reference.empty() || !SplitReference(reference, &type, &id)) return;
  // Targets restrict what a parameter like CarePlan.patient (subject where it is a Patient) sees.
  if (!def.targets.empty() &&
      std::find(def.targets.begin(), def.targets.end(), type) == def.targets.end()) {
    return;
  }
  rows->push_back({def.code, std::move(type), std::move(id)});
}

bool DateBounds(std::string_view text, DateRange* range) {
  StatusOr<DateRange> parsed = ParseDateRange(text);
  if (!parsed.ok()) return false;
  *range = std::move(parsed).value();
  return true;
}

void AddPeriod(const std::string& param, const Json& period, std::vector<DateIndexRow>* rows) {
  DateRange start, end;
  const bool has_start = DateBounds(period.StringOr("start"), &start);
  const bool has_end = DateBounds(period.StringOr("end"), &end);
  if (!has_start && !has_end) return;
  rows->push_back({param, has_start ? start.low : kMinInstant, has_end ? end.high : kMaxInstant});
}

void AddDates(const std::string& param, const Json& value, std::vector<DateIndexRow>* rows) {
  DateRange range;
  if (value.is_string()) {
    if (DateBounds(value.string_value(), &range)) {
      rows->push_back({param, std::move(range.low), std::move(range.high)});
    }
    return;
  }
  if (!value.is_object()) return;
  if (value.Find("start") != nullptr || value.Find("end") != nullptr) {
    AddPeriod(param, value, rows);
    return;
  }
  if (const Json* events = value.Find("event"); events != nullptr && events->is_array()) {
    for (const Json& event : events->items()) AddDates(param, event, rows);
  }
  if (const Json* repeat = value.Find("repeat"); repeat != nullptr && repeat->is_object()) {
    if (const Json* bounds = repeat->Find("boundsPeriod"); bounds != nullptr) {
      AddPeriod(param, *bounds, rows);
    }
  }
}

void AddString(const std::string& param, const std::string& text,
               std::vector<StringIndexRow>* rows) {
  std::string normalized = NormalizeSearchString(text);
  if (!normalized.empty()) rows->push_back({param, std::move(normalized), text});
}

void AddStrings(const std::string& param, const Json& value, std::vector<StringIndexRow>* rows) {
  if (value.is_string()) {
    AddString(param, value.string_value(), rows);
    return;
  }
  if (!value.is_object()) return;
  // HumanName and Address components; each is searchable on its own.
  static const char* const kParts[] = {"text", "family",   "given", "prefix",     "suffix", "line",
                                       "city", "district", "state", "postalCode", "country"};
  for (const char* part : kParts) {
    const Json* member = value.Find(part);
    if (member == nullptr) continue;
    if (member->is_string()) AddString(param, member->string_value(), rows);
    if (member->is_array()) {
      for (const Json& item : member->items()) {
        if (item.is_string()) AddString(param, item.string_value(), rows);
      }
    }
  }
}

bool ToDouble(const std::string& text, double* value) {
  if (text.empty()) return false;
  char* end = nullptr;
  *value = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size();
}

void AddNumber(const std::string& param, const Json& value, std::vector<NumberIndexRow>* rows) {
  double number = 0;
  if (value.is_number() && ToDouble(value.number_text(), &number)) {
    rows->push_back({param, number, value.number_text()});
  }
}

void AddQuantity(const std::string& param, const Json& value, std::vector<QuantityIndexRow>* rows) {
  if (!value.is_object()) return;
  const Json* number = value.Find("value");
  double parsed = 0;
  if (number == nullptr || !number->is_number() || !ToDouble(number->number_text(), &parsed)) {
    return;
  }
  rows->push_back({param, parsed, number->number_text(), StringMember(value, "system"),
                   StringMember(value, "code"), StringMember(value, "unit")});
}

template <typename Row, typename Key>
void SortUnique(std::vector<Row>* rows, Key key) {
  std::sort(rows->begin(), rows->end(),
            [&](const Row& a, const Row& b) { return key(a) < key(b); });
  rows->erase(std::unique(rows->begin(), rows->end(),
                          [&](const Row& a, const Row& b) { return key(a) == key(b); }),
              rows->end());
}

}  // namespace

std::string NormalizeSearchString(std::string_view text) {
  std::string result;
  result.reserve(text.size());
  bool pending_space = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (std::isspace(c)) {
      pending_space = !result.empty();
      continue;
    }
    if (pending_space) {
      result.push_back(' ');
      pending_space = false;
    }
    if (c < 0x80) {
      result.push_back(static_cast<char>(std::tolower(c)));
      continue;
    }
    // Two-byte UTF-8 sequences cover U+0080..U+07FF, which holds every folded letter.
    if ((c & 0xE0) == 0xC0 && i + 1 < text.size()) {
      const unsigned next = static_cast<unsigned char>(text[i + 1]);
      const unsigned code_point = ((c & 0x1Fu) << 6) | (next & 0x3Fu);
      const char* fold = FoldLatin1(code_point);
      if (fold == nullptr) fold = FoldLatinExtendedA(code_point);
      if (fold != nullptr) {
        result.append(fold);
        ++i;
        continue;
      }
    }
    result.push_back(static_cast<char>(c));
  }
  return result;
}

bool SplitReference(std::string_view reference, std::string* type, std::string* id) {
  if (reference.empty() || reference[0] == '#' || reference.substr(0, 4) == "urn:") return false;
  const size_t bar = reference.find('|');
  if (bar != std::string_view::npos) reference = reference.substr(0, bar);
  const size_t history = reference.find("/_history/");
  if (history != std::string_view::npos) reference = reference.substr(0, history);
  const size_t slash = reference.rfind('/');
  if (slash == std::string_view::npos || slash == 0) return false;
  const size_t type_start = reference.rfind('/', slash - 1);
  const size_t begin = type_start == std::string_view::npos ? 0 : type_start + 1;
  std::string_view type_part = reference.substr(begin, slash - begin);
  std::string_view id_part = reference.substr(slash + 1);
  if (type_part.empty() || !std::isupper(static_cast<unsigned char>(type_part[0])) ||
      !std::all_of(type_part.begin(), type_part.end(),
                   [](char c) { return std::isalpha(static_cast<unsigned char>(c)); }) ||
      !IsValidId(id_part)) {
    return false;
  }
  *type = std::string(type_part);
  *id = std::string(id_part);
  return true;
}

SearchIndexRows ExtractSearchIndexRows(const Json& resource,
                                       const SearchParameterRegistry& registry) {
  SearchIndexRows rows;
  const std::string_view type = resource.StringOr("resourceType");
  if (type.empty()) return rows;
  for (const SearchParameterDef* def : registry.ForType(type)) {
    if (def->code == "_id" || def->code == "_lastUpdated") continue;
    for (const Json* value : ValuesOf(resource, type, *def)) {
      switch (def->type) {
        case SearchParamType::kToken: AddTokens(def->code, *value, &rows.tokens); break;
        case SearchParamType::kReference: AddReference(*def, *value, &rows.references); break;
        case SearchParamType::kDate: AddDates(def->code, *value, &rows.dates); break;
        case SearchParamType::kString: AddStrings(def->code, *value, &rows.strings); break;
        case SearchParamType::kNumber: AddNumber(def->code, *value, &rows.numbers); break;
        case SearchParamType::kQuantity: AddQuantity(def->code, *value, &rows.quantities); break;
        case SearchParamType::kUri:
          if (value->is_string()) rows.uris.push_back({def->code, value->string_value()});
          break;
      }
    }
  }
  SortUnique(&rows.tokens,
             [](const TokenIndexRow& r) { return std::tie(r.param, r.system, r.code); });
  SortUnique(&rows.references, [](const ReferenceIndexRow& r) {
    return std::tie(r.param, r.target_type, r.target_id);
  });
  SortUnique(&rows.dates, [](const DateIndexRow& r) { return std::tie(r.param, r.low, r.high); });
  SortUnique(&rows.strings,
             [](const StringIndexRow& r) { return std::tie(r.param, r.normalized, r.exact); });
  SortUnique(&rows.numbers, [](const NumberIndexRow& r) { return std::tie(r.param, r.text); });
  SortUnique(&rows.quantities, [](const QuantityIndexRow& r) {
    return std::tie(r.param, r.text, r.system, r.code, r.unit);
  });
  SortUnique(&rows.uris, [](const UriIndexRow& r) { return std::tie(r.param, r.uri); });
  return rows;
}

}  // namespace duet::fhir
