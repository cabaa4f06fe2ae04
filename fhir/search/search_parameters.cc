#include "fhir/search/search_parameters.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "embedded/r4_search_parameters.h"

namespace duet::fhir {
namespace {

std::string Key(std::string_view resource_type, std::string_view code) {
  std::string key;
  key.reserve(resource_type.size() + code.size() + 1);
  key.append(resource_type).append("|").append(code);
  return key;
}

bool ParseParamType(std::string_view text, SearchParamType* type) {
  static const std::pair<const char*, SearchParamType> kTypes[] = {
      {"token", SearchParamType::kToken},   {"reference", SearchParamType::kReference},
      {"date", SearchParamType::kDate},     {"string", SearchParamType::kString},
      {"number", SearchParamType::kNumber}, {"quantity", SearchParamType::kQuantity},
      {"uri", SearchParamType::kUri}};
  for (const auto& [name, value] : kTypes) {
    if (text == name) {
      *type = value;
      return true;
    }
  }
  return false;
}

StatusOr<std::vector<std::string>> StringArray(const Json& entry, std::string_view member,
                                               const std::string& where) {
  std::vector<std::string> result;
  const Json* array = entry.Find(member);
  if (array == nullptr) return result;
  if (!array->is_array()) {
    return InvalidArgumentError(where + "." + std::string(member) + " must be an array");
  }
  for (const Json& item : array->items()) {
    if (!item.is_string()) {
      return InvalidArgumentError(where + "." + std::string(member) + " must hold strings");
    }
    result.push_back(item.string_value());
  }
  return result;
}

}  // namespace

const std::vector<std::string>& SupportedResourceTypes() {
  static const std::vector<std::string>* types = new std::vector<std::string>{
      "Patient",
      "Practitioner",
      "PractitionerRole",
      "Organization",
      "Coverage",
      "CareTeam",
      "CarePlan",
      "Goal",
      "Condition",
      "ServiceRequest",
      "Task",
      "Provenance",
      "DocumentReference",
      "ActivityDefinition",
      "MedicationStatement",
      "MedicationRequest",
      "MedicationDispense",
      "Communication",
      "Questionnaire",
      "QuestionnaireResponse",
      "Encounter",
      "Observation",
      "AuditEvent",
      "List",
  };
  return *types;
}

bool IsSupportedResourceType(std::string_view type) {
  const auto& types = SupportedResourceTypes();
  return std::find(types.begin(), types.end(), type) != types.end();
}

const char* SearchParamTypeName(SearchParamType type) {
  switch (type) {
    case SearchParamType::kToken: return "token";
    case SearchParamType::kReference: return "reference";
    case SearchParamType::kDate: return "date";
    case SearchParamType::kString: return "string";
    case SearchParamType::kNumber: return "number";
    case SearchParamType::kQuantity: return "quantity";
    case SearchParamType::kUri: return "uri";
  }
  return "unknown";
}

SearchParameterRegistry::SearchParameterRegistry(std::vector<SearchParameterDef> params)
    : params_(std::move(params)) {
  for (size_t i = 0; i < params_.size(); ++i) {
    by_key_.emplace(Key(params_[i].resource_type, params_[i].code), i);
  }
}

StatusOr<SearchParameterRegistry> SearchParameterRegistry::FromJson(
    std::string_view definitions_json) {
  DUET_ASSIGN_OR_RETURN(Json root, ParseJson(definitions_json));
  const Json* parameters = root.Find("parameters");
  if (parameters == nullptr || !parameters->is_array()) {
    return InvalidArgumentError("search parameter definitions: \"parameters\" array missing");
  }
  std::vector<SearchParameterDef> params;
  for (size_t i = 0; i < parameters->items().size(); ++i) {
    const Json& entry = parameters->items()[i];
    const std::string where = "parameters[" + std::to_string(i) + "]";
    SearchParameterDef def;
    def.code = std::string(entry.StringOr("code"));
    def.resource_type = std::string(entry.StringOr("resource"));
    if (def.code.empty() || def.resource_type.empty()) {
      return InvalidArgumentError(where + ": \"code\" and \"resource\" are required");
    }
    if (!ParseParamType(entry.StringOr("type"), &def.type)) {
      return InvalidArgumentError(where + " (" + def.code + "): unsupported type \"" +
                                  std::string(entry.StringOr("type")) + "\"");
    }
    DUET_ASSIGN_OR_RETURN(def.paths, StringArray(entry, "paths", where));
    DUET_ASSIGN_OR_RETURN(def.targets, StringArray(entry, "targets", where));
    if (def.paths.empty()) return InvalidArgumentError(where + ": \"paths\" is empty");
    params.push_back(std::move(def));
  }
  return SearchParameterRegistry(std::move(params));
}

const SearchParameterRegistry& SearchParameterRegistry::R4() {
  static const SearchParameterRegistry* registry = [] {
    StatusOr<SearchParameterRegistry> parsed = FromJson(duet_embedded::r4_search_parameters());
    if (!parsed.ok()) {
      // The embedded file is part of the build; failing here is a build defect.
      std::fprintf(stderr, "embedded R4 search parameters are invalid: %s\n",
                   parsed.status().ToString().c_str());
      std::abort();
    }
    return new SearchParameterRegistry(std::move(parsed).value());
  }();
  return *registry;
}

const SearchParameterDef* SearchParameterRegistry::Find(std::string_view resource_type,
                                                        std::string_view code) const {
  auto it = by_key_.find(Key(resource_type, code));
  if (it == by_key_.end()) it = by_key_.find(Key("Resource", code));
  return it == by_key_.end() ? nullptr : &params_[it->second];
}

std::vector<const SearchParameterDef*> SearchParameterRegistry::ForType(
    std::string_view resource_type) const {
  std::vector<const SearchParameterDef*> result;
  for (const SearchParameterDef& def : params_) {
    if (def.resource_type == resource_type || def.resource_type == "Resource") {
      result.push_back(&def);
    }
  }
  return result;
}

}  // namespace duet::fhir
