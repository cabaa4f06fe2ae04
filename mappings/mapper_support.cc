#include "mappings/mapper_support.h"

#include <algorithm>
#include <charconv>
#include <limits>

#include "mappings/code_tables.h"
#include "mappings/extensions.h"
#include "mappings/fhir_elements.h"
#include "mappings/record_kinds.h"

namespace duet::mappings {

using fhir::Json;

std::string_view SystemFor(const MappingContext& context, std::string_view kind) {
  return context.System(kind);
}

Json PatientReference(const MappingContext& context, std::string_view mrn) {
  return ConditionalReference("Patient", SystemFor(context, kinds::kMrn), mrn);
}

Json KindReference(const MappingContext& context, std::string_view type, std::string_view kind,
                   std::string_view value) {
  return ConditionalReference(type, SystemFor(context, kind), value);
}

Json UpdatedAtExtension(std::string_view updated_at) {
  return MakeExtension(ext::kRecordUpdatedAt, "valueInstant", Str(updated_at));
}

Json RankExtension(size_t rank) {
  return MakeExtension(ext::kRank, "valuePositiveInt", Json::Integer(static_cast<long long>(rank)));
}

size_t RankOf(const Json& resource, size_t fallback) {
  const Json* value = ExtensionValue(FindExtension(resource, ext::kRank), "valuePositiveInt");
  if (value == nullptr || !value->is_number() || !IsIntegerText(value->number_text())) {
    return fallback;
  }
  const std::string& text = value->number_text();
  size_t rank = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), rank);
  return error == std::errc() && end == text.data() + text.size() ? rank : fallback;
}

FieldReader ResourceReader(const Json& resource, Problems* problems) {
  return FieldReader(&resource, std::string(resource.StringOr("resourceType", "Resource")),
                     PathStyle::kFhirPath, problems);
}

StatusOr<const Json*> FindMainResource(const ResourceSet& resources, std::string_view type,
                                       std::string_view system, std::string_view value) {
  const Json* found = resources.FindByIdentifier(type, system, value);
  if (found == nullptr) {
    return NotFoundError("no " + std::string(type) + " with identifier " + std::string(system) +
                         "|" + std::string(value) + " among the resources");
  }
  return found;
}

std::optional<std::string> StringExtension(const FieldReader& element, std::string_view url,
                                           std::string_view value_key) {
  if (!element.valid()) return std::nullopt;
  const Json* extension = FindExtension(*element.json(), url);
  if (extension == nullptr) return std::nullopt;
  const Json* value = extension->Find(value_key);
  if (value == nullptr || !value->is_string() || value->string_value().empty()) {
    element.Problem("extension",
                    "extension " + std::string(url) + " needs a " + std::string(value_key));
    return std::nullopt;
  }
  return value->string_value();
}

std::string ReferencedNpi(const ResourceSet& resources, const Json* reference,
                          const Json& container, const std::string& path, Problems* problems) {
  return ReferencedId(resources, reference, container, kNpiSystem, path, problems);
}

std::string ReferencedId(const ResourceSet& resources, const Json* reference, const Json& container,
                         std::string_view system, const std::string& path, Problems* problems) {
  if (reference == nullptr) {
    problems->Add(path, "is required");
    return "";
  }
  std::optional<std::string> value = resources.ReferencedIdentifier(*reference, system, &container);
  if (!value) {
    problems->Add(
        path, "does not resolve to a resource with an identifier of system " + std::string(system));
    return "";
  }
  return *value;
}

std::string SubjectMrn(const ResourceSet& resources, const FieldReader& resource,
                       const MappingContext& context, Problems* problems) {
  return ReferencedId(resources, resource.Raw("subject"), *resource.json(),
                      SystemFor(context, kinds::kMrn), resource.PathOf("subject"), problems);
}

void SetUpdatedAtFromExtension(const FieldReader& resource, Json* record) {
  if (auto updated_at = StringExtension(resource, ext::kRecordUpdatedAt, "valueInstant")) {
    record->Set("updated_at", Str(*updated_at));
  } else {
    resource.Problem("extension", "has no " + std::string(ext::kRecordUpdatedAt) + " extension");
  }
}

Json ProviderRoleConcept(std::string_view role) {
  const CodeRow* row = ProviderRoleCodes().ByNative(role);
  if (row == nullptr) return Json();
  if (row->fhir.code.empty()) return TextConcept(row->fhir.display);
  return MakeConcept(MakeCoding(row->fhir), row->fhir.display);
}

std::string ProviderRoleFromConcept(const FieldReader& role_concept) {
  if (auto codings = role_concept.OptionalObjects("coding")) {
    for (const FieldReader& coding : *codings) {
      const CodeRow* row = ProviderRoleCodes().ByCode(coding.OptionalString("system").value_or(""),
                                                      coding.OptionalString("code").value_or(""));
      if (row != nullptr) return std::string(row->native);
    }
  }
  if (auto text = role_concept.OptionalString("text")) {
    if (const CodeRow* row = ProviderRoleCodes().ByDisplay(*text)) return std::string(row->native);
  }
  role_concept.Problem("", "names no provider role the practice format knows");
  return "";
}

Json WeeklyTiming(Json per_week, Json weeks) {
  return Obj({{"repeat", Obj({{"boundsDuration", UcumQuantity(std::move(weeks), "wk")},
                              {"frequency", std::move(per_week)},
                              {"period", Json::Integer(1)},
                              {"periodUnit", Str("wk")}})}});
}

void SortByRank(std::vector<const Json*>& resources) {
  std::stable_sort(resources.begin(), resources.end(), [](const Json* a, const Json* b) {
    return RankOf(*a, std::numeric_limits<size_t>::max()) <
           RankOf(*b, std::numeric_limits<size_t>::max());
  });
}

}  // namespace duet::mappings
