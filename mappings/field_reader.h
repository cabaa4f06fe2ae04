// FieldReader: typed reads of one JSON object's members that never fail fast. Every missing or
// malformed member is recorded in a shared Problems list with its location (a JSON pointer into a
// PRF record, or a FHIRPath-like path into a FHIR resource), so a conversion reports all problems
// at once. Used by the mappers in both directions.
//
// A FieldReader borrows the JSON it reads and the Problems it writes to; both must outlive it.
// Not thread-safe (one conversion per thread).
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/json.h"
#include "fhir/status.h"

namespace duet::mappings {

// Problems found while converting: one line "<location>: <what is wrong>" each.
class Problems {
 public:
  void Add(std::string_view location, std::string_view message);
  bool empty() const { return lines_.empty(); }
  const std::vector<std::string>& lines() const { return lines_; }
  // OK when there are none; otherwise `code` with "<summary>: <line>; <line>...".
  Status ToStatus(StatusCode code, std::string_view summary) const;

 private:
  std::vector<std::string> lines_;
};

enum class PathStyle {
  kJsonPointer,  // "/goals/0/target/value"
  kFhirPath,     // "CarePlan.activity[0].detail"
};

class FieldReader {
 public:
  // `object` may be null or not an object: then reads report the object itself once and return
  // empty values (a missing required parent does not cascade into one problem per member).
  FieldReader(const fhir::Json* object, std::string path, PathStyle style, Problems* problems);

  const std::string& path() const { return path_; }
  const fhir::Json* json() const { return object_; }
  bool valid() const { return object_ != nullptr && object_->is_object(); }
  bool Has(std::string_view key) const;
  const fhir::Json* Raw(std::string_view key) const;
  std::string PathOf(std::string_view key) const;
  std::string PathOf(std::string_view key, size_t index) const;
  void Problem(std::string_view key, std::string_view message) const;

  // Required members record a problem when absent; optional ones only when malformed.
  std::string String(std::string_view key) const;
  std::optional<std::string> OptionalString(std::string_view key) const;
  std::string Enum(std::string_view key, std::initializer_list<std::string_view> allowed) const;
  std::optional<std::string> OptionalEnum(std::string_view key,
                                          std::initializer_list<std::string_view> allowed) const;
  std::string Date(std::string_view key) const;
  std::optional<std::string> OptionalDate(std::string_view key) const;
  // A date-time with seconds and an offset (PRF instant, FHIR instant/dateTime).
  std::string Instant(std::string_view key) const;
  std::optional<std::string> OptionalInstant(std::string_view key) const;
  // Numbers come back as fhir::Json numbers so that their text is kept exactly.
  fhir::Json Integer(std::string_view key) const;
  std::optional<fhir::Json> OptionalInteger(std::string_view key) const;
  fhir::Json Number(std::string_view key) const;
  std::optional<fhir::Json> OptionalNumber(std::string_view key) const;

  FieldReader Object(std::string_view key) const;
  std::optional<FieldReader> OptionalObject(std::string_view key) const;
  std::vector<FieldReader> Objects(std::string_view key) const;
  std::optional<std::vector<FieldReader>> OptionalObjects(std::string_view key) const;
  std::vector<std::string> Strings(std::string_view key) const;
  std::optional<std::vector<std::string>> OptionalStrings(std::string_view key) const;

  // Records a problem for every member not in `known` (PRF members are a closed set).
  void RejectUnknown(std::initializer_list<std::string_view> known) const;

 private:
  FieldReader Child(const fhir::Json* value, std::string path) const;
  // Returns a problem message when a string value is malformed, nullopt when it is fine.
  using TextCheck = std::optional<std::string> (*)(std::string_view text);

  // The member, or null when absent (a problem when `required`) or when this object is invalid.
  const fhir::Json* Member(std::string_view key, bool required) const;
  // As Member, but also null (with a problem) when the member is not an array.
  const fhir::Json* ArrayMember(std::string_view key, bool required) const;
  std::optional<std::string> ReadString(std::string_view key, bool required) const;
  std::optional<std::string> ReadEnum(std::string_view key, bool required,
                                      std::initializer_list<std::string_view> allowed) const;
  std::optional<std::string> ReadCheckedString(std::string_view key, bool required,
                                               TextCheck check) const;
  std::optional<fhir::Json> ReadNumber(std::string_view key, bool required, bool integer) const;
  std::optional<std::vector<FieldReader>> ReadObjects(std::string_view key, bool required) const;
  std::optional<std::vector<std::string>> ReadStrings(std::string_view key, bool required) const;

  const fhir::Json* object_;
  std::string path_;
  PathStyle style_;
  Problems* problems_;
};

// True when `text` is a JSON integer: an optional minus sign and digits, no fraction or exponent.
bool IsIntegerText(std::string_view text);

}  // namespace duet::mappings
