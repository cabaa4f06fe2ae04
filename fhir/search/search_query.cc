#include "fhir/search/search_query.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "fhir/search/date_range.h"

namespace duet::fhir {
namespace {

// Parameters that are not criteria and are accepted without effect on matching.
constexpr const char* kIgnoredParams[] = {"_format", "_pretty", "_total"};
// Result and special parameters the gateway does not implement: named in the error so a client
// knows the search was not run as asked.
constexpr const char* kUnsupportedParams[] = {"_has",           "_type",   "_text",   "_content",
                                              "_list",          "_query",  "_filter", "_contained",
                                              "_containedType", "_source", "_score"};

bool Contains(const char* const* begin, const char* const* end, std::string_view name) {
  return std::any_of(begin, end, [&](const char* item) { return name == item; });
}

std::string Quote(std::string_view text) { return "\"" + std::string(text) + "\""; }

Status ParamError(std::string_view name, const std::string& what) {
  return InvalidArgumentError("search parameter " + Quote(name) + ": " + what);
}

// Splits on `separator` where it is not escaped by a backslash; escapes are kept.
std::vector<std::string> SplitUnescaped(std::string_view text, char separator) {
  std::vector<std::string> parts(1);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      parts.back().push_back(text[i]);
      parts.back().push_back(text[++i]);
    } else if (text[i] == separator) {
      parts.emplace_back();
    } else {
      parts.back().push_back(text[i]);
    }
  }
  return parts;
}

// Removes the FHIR search escapes \, \| \$ \\.
std::string Unescape(std::string_view text) {
  std::string result;
  result.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) ++i;
    result.push_back(text[i]);
  }
  return result;
}

bool IsValidId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.';
  });
}

bool IsDecimal(std::string_view text) {
  size_t i = 0;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
  size_t digits = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i, ++digits;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
    size_t exponent_digits = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      ++i, ++exponent_digits;
    }
    if (exponent_digits == 0) return false;
  }
  return i == text.size();
}

// Takes a comparison prefix off `value` for ordered types.
StatusOr<SearchPrefix> TakePrefix(std::string_view name, std::string* value) {
  static const std::pair<const char*, SearchPrefix> kPrefixes[] = {
      {"eq", SearchPrefix::kEq}, {"ne", SearchPrefix::kNe}, {"lt", SearchPrefix::kLt},
      {"gt", SearchPrefix::kGt}, {"le", SearchPrefix::kLe}, {"ge", SearchPrefix::kGe},
      {"sa", SearchPrefix::kSa}, {"eb", SearchPrefix::kEb}, {"ap", SearchPrefix::kAp}};
  if (value->size() < 2 || !std::isalpha(static_cast<unsigned char>((*value)[0])) ||
      !std::isalpha(static_cast<unsigned char>((*value)[1]))) {
    return SearchPrefix::kEq;
  }
  const std::string prefix = value->substr(0, 2);
  for (const auto& [text, prefix_value] : kPrefixes) {
    if (prefix == text) {
      value->erase(0, 2);
      return prefix_value;
    }
  }
  return ParamError(name, "unknown prefix " + Quote(prefix) + " in " + Quote(*value) +
                              " (expected eq, ne, lt, gt, le, ge, sa, eb or ap)");
}

Status ParseTokenValue(std::string_view raw, SearchValue* value) {
  std::vector<std::string> parts = SplitUnescaped(raw, '|');
  if (parts.size() > 2) return InvalidArgumentError("more than one '|' in token " + Quote(raw));
  if (parts.size() == 2) {
    value->has_system = true;
    value->system = Unescape(parts[0]);
    value->code = Unescape(parts[1]);
    if (value->system.empty() && value->code.empty()) {
      return InvalidArgumentError("token \"|\" names neither a system nor a code");
    }
  } else {
    value->code = Unescape(parts[0]);
  }
  return Status::Ok();
}

Status ParseReferenceValue(const SearchParameterDef& def, std::string_view raw,
                           SearchValue* value) {
  std::string text = Unescape(raw);
  // A versioned reference "Patient/1/_history/2" matches the resource, whatever the version.
  const size_t history = text.find("/_history/");
  if (history != std::string::npos) text.erase(history);
  const size_t version_bar = text.find('|');  // canonical "url|version"
  if (version_bar != std::string::npos) text.erase(version_bar);
  while (!text.empty() && text.back() == '/') text.pop_back();
  const size_t slash = text.rfind('/');
  if (slash == 0) return InvalidArgumentError("reference " + Quote(raw) + " has no type");
  if (slash == std::string::npos) {
    value->ref_id = text;
  } else {
    value->ref_id = text.substr(slash + 1);
    const size_t type_start = text.rfind('/', slash - 1);
    value->ref_type = text.substr(type_start == std::string::npos ? 0 : type_start + 1,
                                  slash - (type_start == std::string::npos ? 0 : type_start + 1));
    if (value->ref_type.empty() || !std::isupper(static_cast<unsigned char>(value->ref_type[0]))) {
      return InvalidArgumentError("reference " + Quote(raw) + " is not Type/id, an id or a URL " +
                                  "ending in Type/id");
    }
    if (!def.targets.empty() &&
        std::find(def.targets.begin(), def.targets.end(), value->ref_type) == def.targets.end()) {
      return InvalidArgumentError(Quote(value->ref_type) + " is not a target type of " +
                                  def.resource_type + "." + def.code);
    }
  }
  if (!IsValidId(value->ref_id)) {
    return InvalidArgumentError("reference " + Quote(raw) + " has an invalid id " +
                                Quote(value->ref_id));
  }
  return Status::Ok();
}

Status ParseQuantityValue(std::string_view raw, SearchValue* value) {
  std::vector<std::string> parts = SplitUnescaped(raw, '|');
  if (parts.size() != 1 && parts.size() != 3) {
    return InvalidArgumentError("quantity " + Quote(raw) +
                                " must be number, or number|system|code");
  }
  value->text = Unescape(parts[0]);
  if (parts.size() == 3) {
    value->has_system = !parts[1].empty();
    value->system = Unescape(parts[1]);
    value->code = Unescape(parts[2]);
  }
  if (!IsDecimal(value->text)) {
    return InvalidArgumentError("quantity " + Quote(raw) + " does not start with a number");
  }
  return Status::Ok();
}

// Checks the modifier against the parameter's type; "" means none. A reference modifier naming a
// type is returned as that type in `reference_type`.
Status CheckModifier(std::string_view name, const SearchParameterDef& def,
                     const std::string& modifier, std::string* reference_type) {
  if (modifier.empty() || modifier == "missing") return Status::Ok();
  switch (def.type) {
    case SearchParamType::kString:
      if (modifier == "exact" || modifier == "contains") return Status::Ok();
      break;
    case SearchParamType::kToken:
      if (modifier == "not") return Status::Ok();
      break;
    case SearchParamType::kUri:
      if (modifier == "below") return Status::Ok();
      break;
    case SearchParamType::kReference:
      if (std::isupper(static_cast<unsigned char>(modifier[0]))) {
        if (!def.targets.empty() &&
            std::find(def.targets.begin(), def.targets.end(), modifier) == def.targets.end()) {
          return ParamError(name, Quote(modifier) + " is not a target type of " +
                                      def.resource_type + "." + def.code);
        }
        *reference_type = modifier;
        return Status::Ok();
      }
      break;
    default: break;
  }
  return ParamError(name, "modifier " + Quote(":" + modifier) + " is not supported on " +
                              std::string(SearchParamTypeName(def.type)) + " parameters");
}

StatusOr<SearchCriterion> ParseCriterion(std::string_view name, const SearchParameterDef& def,
                                         const std::string& modifier, std::string_view raw) {
  SearchCriterion criterion;
  criterion.param = &def;
  std::string reference_type;
  DUET_RETURN_IF_ERROR(CheckModifier(name, def, modifier, &reference_type));
  criterion.modifier = reference_type.empty() ? modifier : "";
  if (modifier == "missing") {
    if (raw != "true" && raw != "false") {
      return ParamError(name, ":missing takes true or false, not " + Quote(raw));
    }
    SearchValue value;
    value.text = std::string(raw);
    criterion.any_of.push_back(std::move(value));
    return criterion;
  }
  for (const std::string& part : SplitUnescaped(raw, ',')) {
    if (part.empty()) continue;
    SearchValue value;
    Status status;
    switch (def.type) {
      case SearchParamType::kToken: status = ParseTokenValue(part, &value); break;
      case SearchParamType::kReference:
        status = ParseReferenceValue(def, part, &value);
        if (status.ok() && !reference_type.empty()) {
          if (!value.ref_type.empty() && value.ref_type != reference_type) {
            status =
                InvalidArgumentError(Quote(part) + " contradicts the modifier :" + reference_type);
          }
          value.ref_type = reference_type;
        }
        break;
      case SearchParamType::kDate: {
        std::string text = Unescape(part);
        DUET_ASSIGN_OR_RETURN(value.prefix, TakePrefix(name, &text));
        StatusOr<DateRange> range = ParseDateRange(text);
        if (!range.ok()) {
          status = range.status();
        } else {
          value.date_low = range->low;
          value.date_high = range->high;
          value.text = text;
        }
        break;
      }
      case SearchParamType::kNumber: {
        std::string text = Unescape(part);
        DUET_ASSIGN_OR_RETURN(value.prefix, TakePrefix(name, &text));
        if (!IsDecimal(text)) status = InvalidArgumentError(Quote(text) + " is not a number");
        value.text = text;
        break;
      }
      case SearchParamType::kQuantity: {
        std::string text = part;
        DUET_ASSIGN_OR_RETURN(value.prefix, TakePrefix(name, &text));
        status = ParseQuantityValue(text, &value);
        break;
      }
      case SearchParamType::kString:
      case SearchParamType::kUri: value.text = Unescape(part); break;
    }
    if (!status.ok()) return ParamError(name, status.message());
    criterion.any_of.push_back(std::move(value));
  }
  return criterion;
}

StatusOr<int> ParseCount(std::string_view value, const SearchParseOptions& options) {
  if (value.empty() || value.size() > 9 || !std::all_of(value.begin(), value.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c));
      })) {
    return ParamError("_count", Quote(value) + " is not a non-negative integer");
  }
  return std::min(std::atoi(std::string(value).c_str()), options.max_count);
}

StatusOr<SortOrder> ParseSort(std::string_view value) {
  if (value == "_lastUpdated") return SortOrder::kLastUpdatedAscending;
  if (value == "-_lastUpdated") return SortOrder::kLastUpdatedDescending;
  return ParamError("_sort", "sorting by " + Quote(value) +
                                 " is not supported (only _lastUpdated and -_lastUpdated)");
}

StatusOr<IncludeSpec> ParseInclude(std::string_view name, std::string_view value,
                                   const SearchParameterRegistry& registry) {
  std::vector<std::string> parts = SplitUnescaped(value, ':');
  if (value == "*" || (parts.size() >= 2 && parts[1] == "*")) {
    return ParamError(name, "wildcard " + Quote(value) + " is not supported; name the parameter");
  }
  if (parts.size() < 2 || parts.size() > 3 || parts[0].empty() || parts[1].empty()) {
    return ParamError(name, Quote(value) + " must be SourceType:parameter[:TargetType]");
  }
  IncludeSpec spec;
  spec.source_type = parts[0];
  spec.param = parts[1];
  if (parts.size() == 3) spec.target_type = parts[2];
  if (!IsSupportedResourceType(spec.source_type)) {
    return ParamError(
        name, "unsupported resource type " + Quote(spec.source_type) + " in " + Quote(value));
  }
  spec.def = registry.Find(spec.source_type, spec.param);
  if (spec.def == nullptr || spec.def->type != SearchParamType::kReference) {
    return ParamError(name,
                      Quote(spec.param) + " is not a reference parameter of " + spec.source_type);
  }
  if (!spec.target_type.empty() && !spec.def->targets.empty() &&
      std::find(spec.def->targets.begin(), spec.def->targets.end(), spec.target_type) ==
          spec.def->targets.end()) {
    return ParamError(name, Quote(spec.target_type) + " is not a target type of " +
                                spec.source_type + "." + spec.param);
  }
  return spec;
}

}  // namespace

StatusOr<SearchQuery> ParseSearchQuery(
    const std::string& resource_type,
    const std::vector<std::pair<std::string, std::string>>& params,
    const SearchParseOptions& options) {
  if (!IsSupportedResourceType(resource_type)) {
    return InvalidArgumentError("resource type " + Quote(resource_type) + " is not supported");
  }
  const SearchParameterRegistry& registry = SearchParameterRegistry::R4();
  SearchQuery query;
  query.resource_type = resource_type;
  query.count = std::min(options.default_count, options.max_count);
  for (const auto& [full_name, value] : params) {
    const size_t colon = full_name.find(':');
    const std::string name = full_name.substr(0, colon);
    const std::string modifier = colon == std::string::npos ? "" : full_name.substr(colon + 1);
    if (name == "_cursor") {
      query.cursor = value;
      continue;
    }
    if (Contains(std::begin(kIgnoredParams), std::end(kIgnoredParams), name)) {
      query.source_params.emplace_back(full_name, value);
      continue;
    }
    if (name == "_count") {
      DUET_ASSIGN_OR_RETURN(query.count, ParseCount(value, options));
    } else if (name == "_sort") {
      DUET_ASSIGN_OR_RETURN(query.sort, ParseSort(value));
    } else if (name == "_summary") {
      if (value == "count") {
        query.summary_count = true;
      } else if (value != "false") {
        return ParamError("_summary", Quote(value) + " is not supported (only count and false)");
      }
    } else if (name == "_elements") {
      for (const std::string& element : SplitUnescaped(value, ',')) {
        if (element.empty() || !std::all_of(element.begin(), element.end(), [](char c) {
              return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
            })) {
          return ParamError("_elements", Quote(element) + " is not an element name");
        }
        query.elements.push_back(element);
      }
    } else if (name == "_include" || name == "_revinclude") {
      if (!modifier.empty()) {
        return ParamError(full_name, "modifier " + Quote(":" + modifier) + " is not supported");
      }
      DUET_ASSIGN_OR_RETURN(IncludeSpec spec, ParseInclude(name, value, registry));
      if (name == "_include") {
        if (spec.source_type != resource_type) {
          return ParamError(
              name, Quote(value) + " does not start with the searched type " + resource_type);
        }
        query.includes.push_back(std::move(spec));
      } else {
        query.revincludes.push_back(std::move(spec));
      }
    } else if (Contains(std::begin(kUnsupportedParams), std::end(kUnsupportedParams), name)) {
      return ParamError(full_name, "is not supported by this server");
    } else {
      if (name.find('.') != std::string::npos) {
        return ParamError(full_name, "chained parameters are not supported");
      }
      const SearchParameterDef* def = registry.Find(resource_type, name);
      if (def == nullptr) {
        if (!options.strict) continue;
        return ParamError(full_name, "unknown search parameter for " + resource_type);
      }
      if (value.empty()) continue;  // FHIR: parameters with empty values are ignored
      DUET_ASSIGN_OR_RETURN(SearchCriterion criterion,
                            ParseCriterion(full_name, *def, modifier, value));
      if (criterion.any_of.empty()) continue;
      query.all_of.push_back(std::move(criterion));
    }
    query.source_params.emplace_back(full_name, value);
  }
  return query;
}

}  // namespace duet::fhir
