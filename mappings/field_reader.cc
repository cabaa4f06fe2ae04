#include "mappings/field_reader.h"

#include <algorithm>
#include <charconv>
#include <utility>

#include "fhir/primitives.h"

namespace duet::mappings {

using fhir::Json;

void Problems::Add(std::string_view location, std::string_view message) {
  std::string line(location.empty() ? "(root)" : location);
  line += ": ";
  line += message;
  lines_.push_back(std::move(line));
}

Status Problems::ToStatus(StatusCode code, std::string_view summary) const {
  if (lines_.empty()) return Status::Ok();
  std::string message(summary);
  message += ": ";
  for (size_t i = 0; i < lines_.size(); ++i) {
    if (i > 0) message += "; ";
    message += lines_[i];
  }
  return Status(code, std::move(message));
}

bool IsIntegerText(std::string_view text) {
  if (!text.empty() && text.front() == '-') text.remove_prefix(1);
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

FieldReader::FieldReader(const Json* object, std::string path, PathStyle style, Problems* problems)
    : object_(object), path_(std::move(path)), style_(style), problems_(problems) {}

bool FieldReader::Has(std::string_view key) const { return Raw(key) != nullptr; }

const Json* FieldReader::Raw(std::string_view key) const {
  return valid() ? object_->Find(key) : nullptr;
}

std::string FieldReader::PathOf(std::string_view key) const {
  if (style_ == PathStyle::kFhirPath) return fhir::JoinPath(path_, key);
  std::string path;
  path.reserve(path_.size() + 1 + key.size());  // exact: a short path stays in place, unallocated
  path.append(path_).append(1, '/').append(key);
  return path;
}

std::string FieldReader::PathOf(std::string_view key, size_t index) const {
  if (style_ == PathStyle::kFhirPath) return fhir::IndexPath(PathOf(key), index);
  // Runs for every array item read: built at its exact size, in one go.
  char digits[24];
  char* digits_end = std::to_chars(digits, digits + sizeof(digits), index).ptr;
  std::string path;
  path.reserve(path_.size() + key.size() + 2 + static_cast<size_t>(digits_end - digits));
  path.append(path_).append(1, '/').append(key).append(1, '/').append(digits, digits_end);
  return path;
}

void FieldReader::Problem(std::string_view key, std::string_view message) const {
  problems_->Add(key.empty() ? path_ : PathOf(key), message);
}

FieldReader FieldReader::Child(const Json* value, std::string path) const {
  return FieldReader(value, std::move(path), style_, problems_);
}

const Json* FieldReader::Member(std::string_view key, bool required) const {
  const Json* value = Raw(key);
  if (value == nullptr && required && valid()) Problem(key, "is required");
  return value;
}

const Json* FieldReader::ArrayMember(std::string_view key, bool required) const {
  const Json* value = Member(key, required);
  if (value != nullptr && !value->is_array()) {
    Problem(key, std::string("expected an array, found ") + fhir::JsonKindName(value->kind()));
    return nullptr;
  }
  return value;
}

std::optional<std::string> FieldReader::ReadString(std::string_view key, bool required) const {
  const Json* value = Member(key, required);
  if (value == nullptr) return std::nullopt;
  if (!value->is_string()) {
    Problem(key, std::string("expected a string, found ") + fhir::JsonKindName(value->kind()));
    return std::nullopt;
  }
  if (value->string_value().empty()) {
    Problem(key, "must not be empty");
    return std::nullopt;
  }
  return value->string_value();
}

std::string FieldReader::String(std::string_view key) const {
  return ReadString(key, true).value_or("");
}

std::optional<std::string> FieldReader::OptionalString(std::string_view key) const {
  return ReadString(key, false);
}

namespace {

bool IsAllowed(std::string_view value, std::initializer_list<std::string_view> allowed) {
  return std::find(allowed.begin(), allowed.end(), value) != allowed.end();
}

std::string AllowedList(std::initializer_list<std::string_view> allowed) {
  std::string list;
  for (std::string_view value : allowed) {
    if (!list.empty()) list += ", ";
    list += value;
  }
  return list;
}

}  // namespace

std::optional<std::string> FieldReader::ReadEnum(
    std::string_view key, bool required, std::initializer_list<std::string_view> allowed) const {
  std::optional<std::string> value = ReadString(key, required);
  if (value && !IsAllowed(*value, allowed)) {
    Problem(key, "\"" + *value + "\" is not one of " + AllowedList(allowed));
    return std::nullopt;
  }
  return value;
}

std::string FieldReader::Enum(std::string_view key,
                              std::initializer_list<std::string_view> allowed) const {
  return ReadEnum(key, true, allowed).value_or("");
}

std::optional<std::string> FieldReader::OptionalEnum(
    std::string_view key, std::initializer_list<std::string_view> allowed) const {
  return ReadEnum(key, false, allowed);
}

namespace {

// A PRF date is exactly YYYY-MM-DD; FHIR's date also allows YYYY and YYYY-MM.
std::optional<std::string> CheckFullDateText(std::string_view text) {
  if (text.size() != 10) return "\"" + std::string(text) + "\" is not a date (YYYY-MM-DD)";
  return fhir::CheckDateText(text);
}

}  // namespace

std::optional<std::string> FieldReader::ReadCheckedString(std::string_view key, bool required,
                                                          TextCheck check) const {
  std::optional<std::string> value = ReadString(key, required);
  if (!value) return std::nullopt;
  if (auto error = check(*value)) {
    Problem(key, *error);
    return std::nullopt;
  }
  return value;
}

std::optional<std::string> FieldReader::OptionalDate(std::string_view key) const {
  return ReadCheckedString(key, false, CheckFullDateText);
}

std::string FieldReader::Date(std::string_view key) const {
  return ReadCheckedString(key, true, CheckFullDateText).value_or("");
}

std::optional<std::string> FieldReader::OptionalInstant(std::string_view key) const {
  return ReadCheckedString(key, false, fhir::CheckInstantText);
}

std::string FieldReader::Instant(std::string_view key) const {
  return ReadCheckedString(key, true, fhir::CheckInstantText).value_or("");
}

std::optional<Json> FieldReader::ReadNumber(std::string_view key, bool required,
                                            bool integer) const {
  const Json* value = Member(key, required);
  if (value == nullptr) return std::nullopt;
  if (!value->is_number()) {
    Problem(key, std::string("expected a number, found ") + fhir::JsonKindName(value->kind()));
    return std::nullopt;
  }
  if (integer && !IsIntegerText(value->number_text())) {
    Problem(key, "expected an integer without fraction or exponent, found " + value->number_text());
    return std::nullopt;
  }
  return *value;
}

Json FieldReader::Integer(std::string_view key) const {
  return ReadNumber(key, true, true).value_or(Json::Integer(0));
}

std::optional<Json> FieldReader::OptionalInteger(std::string_view key) const {
  return ReadNumber(key, false, true);
}

Json FieldReader::Number(std::string_view key) const {
  return ReadNumber(key, true, false).value_or(Json::Integer(0));
}

std::optional<Json> FieldReader::OptionalNumber(std::string_view key) const {
  return ReadNumber(key, false, false);
}

std::optional<FieldReader> FieldReader::OptionalObject(std::string_view key) const {
  const Json* value = Raw(key);
  if (value == nullptr) return std::nullopt;
  if (!value->is_object()) {
    Problem(key, std::string("expected an object, found ") + fhir::JsonKindName(value->kind()));
    return Child(nullptr, PathOf(key));
  }
  return Child(value, PathOf(key));
}

FieldReader FieldReader::Object(std::string_view key) const {
  if (valid() && !Has(key)) Problem(key, "is required");
  std::optional<FieldReader> child = OptionalObject(key);
  return child ? std::move(*child) : Child(nullptr, PathOf(key));
}

std::optional<std::vector<FieldReader>> FieldReader::ReadObjects(std::string_view key,
                                                                 bool required) const {
  const Json* value = ArrayMember(key, required);
  if (value == nullptr) return std::nullopt;
  std::vector<FieldReader> readers;
  readers.reserve(value->items().size());
  for (size_t i = 0; i < value->items().size(); ++i) {
    const Json& item = value->items()[i];
    if (!item.is_object()) {
      problems_->Add(PathOf(key, i),
                     std::string("expected an object, found ") + fhir::JsonKindName(item.kind()));
      continue;
    }
    readers.push_back(Child(&item, PathOf(key, i)));
  }
  return readers;
}

std::vector<FieldReader> FieldReader::Objects(std::string_view key) const {
  return ReadObjects(key, true).value_or(std::vector<FieldReader>{});
}

std::optional<std::vector<FieldReader>> FieldReader::OptionalObjects(std::string_view key) const {
  return ReadObjects(key, false);
}

std::optional<std::vector<std::string>> FieldReader::ReadStrings(std::string_view key,
                                                                 bool required) const {
  const Json* value = ArrayMember(key, required);
  if (value == nullptr) return std::nullopt;
  std::vector<std::string> strings;
  for (size_t i = 0; i < value->items().size(); ++i) {
    const Json& item = value->items()[i];
    if (!item.is_string() || item.string_value().empty()) {
      problems_->Add(PathOf(key, i), "expected a non-empty string");
      continue;
    }
    strings.push_back(item.string_value());
  }
  return strings;
}

std::vector<std::string> FieldReader::Strings(std::string_view key) const {
  return ReadStrings(key, true).value_or(std::vector<std::string>{});
}

std::optional<std::vector<std::string>> FieldReader::OptionalStrings(std::string_view key) const {
  return ReadStrings(key, false);
}

void FieldReader::RejectUnknown(std::initializer_list<std::string_view> known) const {
  if (!valid()) return;
  for (const auto& [name, unused] : object_->members()) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      Problem(name, "is not a member of this record type");
    }
  }
}

}  // namespace duet::mappings
