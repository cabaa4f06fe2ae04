#include "fhir/primitives.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <vector>

namespace duet::fhir {
namespace {

constexpr std::array<std::string_view, 20> kPrimitiveNames = {
    "base64Binary", "boolean",     "canonical", "code",     "date", "dateTime",    "decimal",
    "id",           "instant",     "integer",   "markdown", "oid",  "positiveInt", "string",
    "time",         "unsignedInt", "uri",       "url",      "uuid", "xhtml"};

constexpr size_t kMaxQuotedLength = 64;

// The value in quotes for messages, shortened when long.
std::string Quote(std::string_view text) {
  std::string quoted = "\"";
  if (text.size() > kMaxQuotedLength) {
    quoted.append(text.substr(0, kMaxQuotedLength));
    quoted.append("...");
  } else {
    quoted.append(text);
  }
  quoted.push_back('"');
  return quoted;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsXmlSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// A forward-only reader over a value's text.
class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}

  bool AtEnd() const { return pos_ == text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }
  bool Consume(char c) {
    if (Peek() != c) return false;
    ++pos_;
    return true;
  }
  // Reads exactly `count` digits into `value`.
  bool Digits(int count, int* value) {
    if (text_.size() - pos_ < static_cast<size_t>(count)) return false;
    int result = 0;
    for (int i = 0; i < count; ++i) {
      char c = text_[pos_ + i];
      if (!IsDigit(c)) return false;
      result = result * 10 + (c - '0');
    }
    pos_ += count;
    *value = result;
    return true;
  }
  // Reads one or more digits (a fraction).
  bool SomeDigits() {
    size_t start = pos_;
    while (!AtEnd() && IsDigit(text_[pos_])) ++pos_;
    return pos_ > start;
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

bool IsLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int year, int month) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

const char* MonthName(int month) {
  static constexpr std::array<const char*, 12> kNames = {
      "January", "February", "March",     "April",   "May",      "June",
      "July",    "August",   "September", "October", "November", "December"};
  return kNames[month - 1];
}

enum class DatePrecision { kYear, kMonth, kDay };

// Reads YYYY[-MM[-DD]]; `min_precision` says how much is required. Returns an error message.
std::optional<std::string> ReadDate(Cursor& cursor, DatePrecision min_precision,
                                    DatePrecision* precision) {
  int year = 0;
  if (!cursor.Digits(4, &year)) return "the year must have four digits";
  if (year == 0) return "year 0000 does not exist";
  *precision = DatePrecision::kYear;
  if (!cursor.Consume('-')) {
    if (min_precision != DatePrecision::kYear) return "a full date YYYY-MM-DD is required";
    return std::nullopt;
  }
  int month = 0;
  if (!cursor.Digits(2, &month)) return "the month must have two digits";
  if (month < 1 || month > 12) return "month " + std::to_string(month) + " does not exist";
  *precision = DatePrecision::kMonth;
  if (!cursor.Consume('-')) {
    if (min_precision == DatePrecision::kDay) return "a full date YYYY-MM-DD is required";
    return std::nullopt;
  }
  int day = 0;
  if (!cursor.Digits(2, &day)) return "the day must have two digits";
  int days = DaysInMonth(year, month);
  if (day < 1 || day > days) {
    return std::string(MonthName(month)) + " " + std::to_string(year) + " has " +
           std::to_string(days) + " days";
  }
  *precision = DatePrecision::kDay;
  return std::nullopt;
}

// Reads hh:mm:ss[.fff].
std::optional<std::string> ReadTime(Cursor& cursor) {
  int hour = 0;
  int minute = 0;
  int second = 0;
  if (!cursor.Digits(2, &hour) || !cursor.Consume(':') || !cursor.Digits(2, &minute) ||
      !cursor.Consume(':') || !cursor.Digits(2, &second)) {
    return "the time must be hh:mm:ss with seconds";
  }
  if (hour > 23) return "hour " + std::to_string(hour) + " does not exist";
  if (minute > 59) return "minute " + std::to_string(minute) + " does not exist";
  if (second > 60) return "second " + std::to_string(second) + " does not exist";
  if (cursor.Consume('.') && !cursor.SomeDigits()) return "a fraction of a second needs digits";
  return std::nullopt;
}

// Reads Z or +hh:mm / -hh:mm (at most 14:00).
std::optional<std::string> ReadTimeZone(Cursor& cursor) {
  if (cursor.Consume('Z')) return std::nullopt;
  if (!cursor.Consume('+') && !cursor.Consume('-')) {
    return "a time zone (Z or +hh:mm) is required when a time is given";
  }
  int hours = 0;
  int minutes = 0;
  if (!cursor.Digits(2, &hours) || !cursor.Consume(':') || !cursor.Digits(2, &minutes)) {
    return "the time zone offset must be +hh:mm or -hh:mm";
  }
  if (minutes > 59 || hours > 14 || (hours == 14 && minutes != 0)) {
    return "the time zone offset is out of range (-14:00 to +14:00)";
  }
  return std::nullopt;
}

std::optional<std::string> Finish(Cursor& cursor, std::optional<std::string> error) {
  if (!error && !cursor.AtEnd()) error = "unexpected characters at the end";
  return error;
}

std::optional<std::string> Describe(std::string_view text, std::string_view type,
                                    const std::optional<std::string>& reason) {
  if (!reason) return std::nullopt;
  return Quote(text) + " is not a valid " + std::string(type) + ": " + *reason;
}

// Decodes one UTF-8 sequence length from its lead byte (invalid bytes count as one character).
size_t CountCharacters(std::string_view text) {
  size_t count = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++count;
  }
  return count;
}

std::optional<std::string> CheckStringText(std::string_view text, std::string_view type) {
  if (text.empty()) return "empty " + std::string(type) + " (FHIR forbids empty strings)";
  if (text.size() > kMaxStringCharacters && CountCharacters(text) > kMaxStringCharacters) {
    return std::string(type) + " is longer than 1 MB (" + std::to_string(CountCharacters(text)) +
           " characters)";
  }
  return std::nullopt;
}

std::optional<std::string> CheckUriText(std::string_view text, std::string_view type) {
  for (char c : text) {
    if (IsXmlSpace(c))
      return Quote(text) + " is not a valid " + std::string(type) + ": whitespace is not allowed";
  }
  return std::nullopt;
}

std::optional<std::string> CheckOidText(std::string_view text) {
  constexpr std::string_view kPrefix = "urn:oid:";
  auto fail = [&](const char* why) { return Quote(text) + " is not a valid oid: " + why; };
  if (text.substr(0, kPrefix.size()) != kPrefix) return fail("it must start with urn:oid:");
  std::string_view rest = text.substr(kPrefix.size());
  if (rest.empty() || rest[0] < '0' || rest[0] > '2')
    return fail("the first arc must be 0, 1 or 2");
  size_t arcs = 0;
  size_t pos = 1;
  while (pos < rest.size()) {
    if (rest[pos] != '.') return fail("arcs must be numbers separated by dots");
    ++pos;
    size_t start = pos;
    while (pos < rest.size() && IsDigit(rest[pos])) ++pos;
    if (pos == start) return fail("arcs must be numbers separated by dots");
    if (rest[start] == '0' && pos - start > 1) return fail("arcs must not have leading zeros");
    ++arcs;
  }
  if (arcs == 0) return fail("at least two arcs are required");
  return std::nullopt;
}

std::optional<std::string> CheckUuidText(std::string_view text) {
  constexpr std::string_view kPrefix = "urn:uuid:";
  constexpr std::string_view kShape = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
  bool ok =
      text.size() == kPrefix.size() + kShape.size() && text.substr(0, kPrefix.size()) == kPrefix;
  for (size_t i = 0; ok && i < kShape.size(); ++i) {
    char c = text[kPrefix.size() + i];
    ok = kShape[i] == '-' ? c == '-' : (IsDigit(c) || (c >= 'a' && c <= 'f'));
  }
  if (ok) return std::nullopt;
  return Quote(text) +
         " is not a valid uuid: expected urn:uuid: and 36 lowercase hex digits "
         "and hyphens (8-4-4-4-12)";
}

std::optional<std::string> CheckBase64Text(std::string_view text) {
  size_t significant = 0;
  size_t padding = 0;
  for (char c : text) {
    if (IsXmlSpace(c)) continue;
    bool alphabet =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || IsDigit(c) || c == '+' || c == '/';
    if (c == '=') {
      ++padding;
    } else if (!alphabet) {
      return "base64Binary contains the character '" + std::string(1, c) +
             "', which is not in the base64 alphabet";
    } else if (padding > 0) {
      return "base64Binary has data after '=' padding";
    }
    ++significant;
  }
  if (significant == 0) return std::string("empty base64Binary");
  if (significant % 4 != 0 || padding > 2) {
    return "base64Binary length is not a multiple of 4 (" + std::to_string(significant) +
           " characters)";
  }
  return std::nullopt;
}

// Integer types: the JSON number must be -?(0|[1-9][0-9]*) and within the type's range.
std::optional<std::string> CheckIntegerNumber(std::string_view text, std::string_view type,
                                              long long min) {
  size_t pos = !text.empty() && text[0] == '-' ? 1 : 0;
  bool shape = pos < text.size() && (text[pos] != '0' || text.size() == pos + 1);
  for (size_t i = pos; shape && i < text.size(); ++i) shape = IsDigit(text[i]);
  if (!shape) {
    return Quote(text) + " is not a valid " + std::string(type) +
           ": expected a whole number without fraction or exponent";
  }
  constexpr long long kMax = 2147483647;
  bool in_range = text.size() - pos <= 10;
  long long value = 0;
  if (in_range) {
    value = std::strtoll(std::string(text).c_str(), nullptr, 10);
    in_range = value >= min && value <= kMax;
  }
  if (!in_range) {
    return Quote(text) + " is out of range for " + std::string(type) + " (" + std::to_string(min) +
           " to " + std::to_string(kMax) + ")";
  }
  return std::nullopt;
}

Json::Kind ExpectedKind(PrimitiveType type) {
  switch (type) {
    case PrimitiveType::kBoolean: return Json::Kind::kBool;
    case PrimitiveType::kDecimal:
    case PrimitiveType::kInteger:
    case PrimitiveType::kPositiveInt:
    case PrimitiveType::kUnsignedInt: return Json::Kind::kNumber;
    default: return Json::Kind::kString;
  }
}

std::optional<PrimitiveError> ValueError(std::optional<std::string> message) {
  if (!message) return std::nullopt;
  return PrimitiveError{"value", std::move(*message)};
}

std::optional<std::string> CheckStringKinded(PrimitiveType type, std::string_view text) {
  std::string_view name = PrimitiveTypeName(type);
  if (auto empty = CheckStringText(text, name)) return empty;
  switch (type) {
    case PrimitiveType::kString:
    case PrimitiveType::kMarkdown: return std::nullopt;
    case PrimitiveType::kCode: return CheckCodeText(text);
    case PrimitiveType::kId: return CheckIdText(text);
    case PrimitiveType::kDate: return CheckDateText(text);
    case PrimitiveType::kDateTime: return CheckDateTimeText(text);
    case PrimitiveType::kInstant: return CheckInstantText(text);
    case PrimitiveType::kTime: return CheckTimeText(text);
    case PrimitiveType::kUri:
    case PrimitiveType::kUrl:
    case PrimitiveType::kCanonical: return CheckUriText(text, name);
    case PrimitiveType::kOid: return CheckOidText(text);
    case PrimitiveType::kUuid: return CheckUuidText(text);
    case PrimitiveType::kBase64Binary: return CheckBase64Text(text);
    default: return std::nullopt;
  }
}

// ---- XHTML narrative ----

// The elements and attributes R4 txt-1 allows in narrative.
bool IsAllowedNarrativeElement(std::string_view name) {
  static constexpr std::array<std::string_view, 48> kAllowed = {
      "a",    "abbr",  "acronym", "b",        "big", "blockquote", "br",    "caption",
      "cite", "code",  "col",     "colgroup", "dd",  "dfn",        "div",   "dl",
      "dt",   "em",    "h1",      "h2",       "h3",  "h4",         "h5",    "h6",
      "hr",   "i",     "img",     "li",       "ol",  "p",          "pre",   "q",
      "samp", "small", "span",    "strong",   "sub", "sup",        "table", "tbody",
      "td",   "tfoot", "th",      "thead",    "tr",  "tt",         "ul",    "var"};
  return std::find(kAllowed.begin(), kAllowed.end(), name) != kAllowed.end();
}

bool IsAllowedNarrativeAttribute(std::string_view name) {
  static constexpr std::array<std::string_view, 49> kAllowed = {
      "abbr",       "accesskey",   "align",       "alt",        "axis",   "bgcolor", "border",
      "cellhalign", "cellpadding", "cellspacing", "cellvalign", "char",   "charoff", "charset",
      "cite",       "class",       "colspan",     "compact",    "coords", "dir",     "frame",
      "headers",    "height",      "href",        "hreflang",   "hspace", "id",      "lang",
      "longdesc",   "name",        "nowrap",      "rel",        "rev",    "rowspan", "rules",
      "scope",      "shape",       "span",        "src",        "start",  "style",   "summary",
      "tabindex",   "title",       "type",        "valign",     "value",  "vspace",  "width"};
  if (std::find(kAllowed.begin(), kAllowed.end(), name) != kAllowed.end()) return true;
  // Namespace declarations are not attributes in txt-1's XPath; xml:lang/xml:space are XML's own.
  return name == "xmlns" || name.substr(0, 6) == "xmlns:" || name == "xml:lang" ||
         name == "xml:space";
}

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) || c == '-' || c == '_' ||
         c == ':' || c == '.';
}

// A small XML scanner for narrative: well-formedness of tags, entities and nesting.
class XhtmlChecker {
 public:
  explicit XhtmlChecker(std::string_view text) : text_(text) {}

  std::optional<PrimitiveError> Check() {
    SkipSpace();
    if (text_.substr(pos_, 4) != "<div") {
      return Malformed("the narrative must be a <div> element");
    }
    while (pos_ < text_.size()) {
      if (text_[pos_] == '<') {
        if (auto error = ReadMarkup()) return error;
        if (stack_.empty()) break;
      } else {
        if (auto error = ReadText()) return error;
      }
    }
    if (!stack_.empty()) return Malformed("<" + stack_.back() + "> is not closed");
    SkipSpace();
    if (pos_ != text_.size()) return Malformed("content after the closing </div>");
    if (!has_namespace_) {
      return Malformed("the <div> must declare xmlns=\"http://www.w3.org/1999/xhtml\"");
    }
    if (!has_content_) {
      return PrimitiveError{"invariant",
                            "txt-2: the narrative has no non-whitespace content (text or an "
                            "image)"};
    }
    return std::nullopt;
  }

 private:
  static std::optional<PrimitiveError> Malformed(std::string why) {
    return PrimitiveError{"value", "invalid XHTML narrative: " + std::move(why)};
  }
  static std::optional<PrimitiveError> Txt1(std::string why) {
    return PrimitiveError{"invariant",
                          "txt-1: the narrative may only use basic HTML: " + std::move(why)};
  }

  void SkipSpace() {
    while (pos_ < text_.size() && IsXmlSpace(text_[pos_])) ++pos_;
  }

  std::optional<PrimitiveError> Skip(std::string_view terminator, const char* what) {
    size_t end = text_.find(terminator, pos_);
    if (end == std::string_view::npos) return Malformed(std::string("unterminated ") + what);
    pos_ = end + terminator.size();
    return std::nullopt;
  }

  std::optional<PrimitiveError> ReadText() {
    while (pos_ < text_.size() && text_[pos_] != '<') {
      char c = text_[pos_];
      if (c == '&') {
        if (auto error = ReadEntity()) return error;
        has_content_ = true;
        continue;
      }
      if (c == '>') return Malformed("unescaped '>' in text");
      if (!IsXmlSpace(c)) has_content_ = true;
      ++pos_;
    }
    return std::nullopt;
  }

  std::optional<PrimitiveError> ReadEntity() {
    size_t end = text_.find(';', pos_);
    if (end == std::string_view::npos || end - pos_ > 12 || end == pos_ + 1) {
      return Malformed("'&' must start an entity reference such as &amp;");
    }
    std::string_view body = text_.substr(pos_ + 1, end - pos_ - 1);
    bool ok = true;
    if (body[0] == '#') {
      bool hex = body.size() > 1 && body[1] == 'x';
      std::string_view digits = body.substr(hex ? 2 : 1);
      ok = !digits.empty();
      for (char c : digits) {
        ok = ok && (IsDigit(c) || (hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))));
      }
    } else {
      for (char c : body) ok = ok && IsNameChar(c);
    }
    if (!ok) return Malformed("bad entity reference &" + std::string(body) + ";");
    pos_ = end + 1;
    return std::nullopt;
  }

  std::string ReadName() {
    size_t start = pos_;
    while (pos_ < text_.size() && IsNameChar(text_[pos_])) ++pos_;
    return std::string(text_.substr(start, pos_ - start));
  }

  std::optional<PrimitiveError> ReadMarkup() {
    std::string_view rest = text_.substr(pos_);
    if (rest.substr(0, 4) == "<!--") return Skip("-->", "comment");
    if (rest.substr(0, 9) == "<![CDATA[") {
      size_t end = text_.find("]]>", pos_);
      if (end == std::string_view::npos) return Malformed("unterminated CDATA section");
      for (size_t i = pos_ + 9; i < end; ++i) has_content_ |= !IsXmlSpace(text_[i]);
      pos_ = end + 3;
      return std::nullopt;
    }
    if (rest.substr(0, 2) == "<?") return Skip("?>", "processing instruction");
    if (rest.substr(0, 2) == "<!") return Malformed("declarations (<!...>) are not allowed");
    if (rest.substr(0, 2) == "</") return ReadEndTag();
    return ReadStartTag();
  }

  std::optional<PrimitiveError> ReadEndTag() {
    pos_ += 2;
    std::string name = ReadName();
    SkipSpace();
    if (pos_ >= text_.size() || text_[pos_] != '>') {
      return Malformed("malformed end tag </" + name);
    }
    ++pos_;
    if (stack_.empty() || stack_.back() != name) {
      return Malformed(
          "</" + name + "> does not match " +
          (stack_.empty() ? std::string("any open element") : "<" + stack_.back() + ">"));
    }
    stack_.pop_back();
    return std::nullopt;
  }

  std::optional<PrimitiveError> ReadStartTag() {
    ++pos_;
    std::string name = ReadName();
    if (name.empty()) return Malformed("'<' must start a tag");
    if (!IsAllowedNarrativeElement(name)) return Txt1("element <" + name + "> is not allowed");
    bool is_root = stack_.empty();
    bool has_src = false;
    while (true) {
      size_t before = pos_;
      SkipSpace();
      if (pos_ >= text_.size()) return Malformed("unterminated tag <" + name);
      char c = text_[pos_];
      if (c == '>' || c == '/') break;
      if (pos_ == before) return Malformed("attributes of <" + name + "> need spaces between");
      std::string attribute = ReadName();
      if (attribute.empty()) return Malformed("malformed attribute in <" + name + ">");
      SkipSpace();
      if (pos_ >= text_.size() || text_[pos_] != '=') {
        return Malformed("attribute " + attribute + " of <" + name + "> has no value");
      }
      ++pos_;
      SkipSpace();
      char quote = pos_ < text_.size() ? text_[pos_] : '\0';
      if (quote != '"' && quote != '\'') {
        return Malformed("attribute " + attribute + " of <" + name + "> must be quoted");
      }
      size_t end = text_.find(quote, pos_ + 1);
      if (end == std::string_view::npos) return Malformed("unterminated attribute " + attribute);
      std::string_view value = text_.substr(pos_ + 1, end - pos_ - 1);
      if (value.find('<') != std::string_view::npos) {
        return Malformed("'<' in the value of attribute " + attribute);
      }
      pos_ = end + 1;
      if (!IsAllowedNarrativeAttribute(attribute)) {
        return Txt1("attribute " + attribute + " on <" + name + "> is not allowed");
      }
      if (is_root && attribute == "xmlns" && value == "http://www.w3.org/1999/xhtml") {
        has_namespace_ = true;
      }
      if (attribute == "src" && !value.empty()) has_src = true;
    }
    if (name == "img" && has_src) has_content_ = true;
    if (text_[pos_] == '/') {
      ++pos_;
      if (pos_ >= text_.size() || text_[pos_] != '>') return Malformed("malformed tag <" + name);
      ++pos_;
      return std::nullopt;
    }
    ++pos_;
    stack_.push_back(std::move(name));
    return std::nullopt;
  }

  std::string_view text_;
  size_t pos_ = 0;
  std::vector<std::string> stack_;
  bool has_namespace_ = false;
  bool has_content_ = false;
};

}  // namespace

std::optional<PrimitiveType> PrimitiveTypeFromName(std::string_view name) {
  for (size_t i = 0; i < kPrimitiveNames.size(); ++i) {
    if (kPrimitiveNames[i] == name) return static_cast<PrimitiveType>(i);
  }
  return std::nullopt;
}

std::string_view PrimitiveTypeName(PrimitiveType type) {
  return kPrimitiveNames[static_cast<size_t>(type)];
}

std::optional<std::string> CheckDateText(std::string_view text) {
  Cursor cursor(text);
  DatePrecision precision;
  return Describe(text, "date", Finish(cursor, ReadDate(cursor, DatePrecision::kYear, &precision)));
}

std::optional<std::string> CheckDateTimeText(std::string_view text) {
  Cursor cursor(text);
  DatePrecision precision;
  std::optional<std::string> error = ReadDate(cursor, DatePrecision::kYear, &precision);
  if (!error && cursor.Consume('T')) {
    if (precision != DatePrecision::kDay) {
      error = "a time needs a full date YYYY-MM-DD before the T";
    } else {
      error = ReadTime(cursor);
      if (!error) error = ReadTimeZone(cursor);
    }
  }
  return Describe(text, "dateTime", Finish(cursor, std::move(error)));
}

std::optional<std::string> CheckInstantText(std::string_view text) {
  Cursor cursor(text);
  DatePrecision precision;
  std::optional<std::string> error = ReadDate(cursor, DatePrecision::kDay, &precision);
  if (!error && !cursor.Consume('T')) error = "an instant needs a time: YYYY-MM-DDThh:mm:ss+zz:zz";
  if (!error) error = ReadTime(cursor);
  if (!error) error = ReadTimeZone(cursor);
  return Describe(text, "instant", Finish(cursor, std::move(error)));
}

std::optional<std::string> CheckTimeText(std::string_view text) {
  Cursor cursor(text);
  return Describe(text, "time", Finish(cursor, ReadTime(cursor)));
}

std::optional<std::string> CheckIdText(std::string_view text) {
  if (text.empty() || text.size() > 64) {
    return Quote(text) + " is not a valid id: it must have 1 to 64 characters";
  }
  for (char c : text) {
    bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || IsDigit(c) || c == '-' || c == '.';
    if (!ok) {
      return Quote(text) + " is not a valid id: only A-Z, a-z, 0-9, '-' and '.' are allowed";
    }
  }
  return std::nullopt;
}

std::optional<std::string> CheckCodeText(std::string_view text) {
  bool ok = !text.empty() && !IsXmlSpace(text.front()) && !IsXmlSpace(text.back());
  for (size_t i = 1; ok && i < text.size(); ++i) {
    ok = !(IsXmlSpace(text[i]) && IsXmlSpace(text[i - 1]));
  }
  if (ok) return std::nullopt;
  return Quote(text) +
         " is not a valid code: no leading, trailing or repeated whitespace is allowed";
}

std::optional<PrimitiveError> CheckXhtml(std::string_view text) {
  return XhtmlChecker(text).Check();
}

std::optional<PrimitiveError> CheckPrimitive(PrimitiveType type, const Json& value) {
  Json::Kind expected = ExpectedKind(type);
  if (value.kind() != expected) {
    return PrimitiveError{"structure", "expected a JSON " + std::string(JsonKindName(expected)) +
                                           " for " + std::string(PrimitiveTypeName(type)) +
                                           ", found " + JsonKindName(value.kind())};
  }
  switch (type) {
    case PrimitiveType::kBoolean:
    case PrimitiveType::kDecimal: return std::nullopt;  // any JSON number is a FHIR decimal
    case PrimitiveType::kInteger:
      return ValueError(CheckIntegerNumber(value.number_text(), "integer", -2147483648LL));
    case PrimitiveType::kPositiveInt:
      return ValueError(CheckIntegerNumber(value.number_text(), "positiveInt", 1));
    case PrimitiveType::kUnsignedInt:
      return ValueError(CheckIntegerNumber(value.number_text(), "unsignedInt", 0));
    case PrimitiveType::kXhtml:
      if (value.string_value().empty()) return ValueError("empty xhtml");
      return CheckXhtml(value.string_value());
    default: return ValueError(CheckStringKinded(type, value.string_value()));
  }
}

}  // namespace duet::fhir
