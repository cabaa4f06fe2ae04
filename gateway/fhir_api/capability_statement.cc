#include "gateway/fhir_api/capability_statement.h"

#include <string_view>
#include <vector>

#include "fhir/search/search_parameters.h"
#include "gateway/fhir_api/bundle_builder.h"

namespace duet::gateway {
namespace {

using fhir::Json;

constexpr std::string_view kTypeInteractions[] = {
    "read",         "vread",  "update",     "delete", "history-instance",
    "history-type", "create", "search-type"};

Json Strings(const std::vector<std::string>& values) {
  Json array = Json::MakeArray();
  for (const auto& value : values) array.Append(Json::String(value));
  return array;
}

Json Interactions(const std::vector<std::string_view>& codes) {
  Json array = Json::MakeArray();
  for (std::string_view code : codes) {
    Json item = Json::MakeObject();
    item.Set("code", Json::String(std::string(code)));
    array.Append(std::move(item));
  }
  return array;
}

Json SearchParams(const std::vector<const fhir::SearchParameterDef*>& params) {
  Json array = Json::MakeArray();
  for (const auto* param : params) {
    Json item = Json::MakeObject();
    item.Set("name", Json::String(param->code));
    item.Set("type", Json::String(fhir::SearchParamTypeName(param->type)));
    array.Append(std::move(item));
  }
  return array;
}

// "CarePlan:goal" for every reference parameter of the type, plus "*".
std::vector<std::string> Includes(const std::string& type,
                                  const std::vector<const fhir::SearchParameterDef*>& params) {
  std::vector<std::string> includes;
  for (const auto* param : params) {
    if (param->type == fhir::SearchParamType::kReference && param->resource_type == type) {
      includes.push_back(type + ":" + param->code);
    }
  }
  return includes;
}

// "Goal:patient"-style revincludes: reference parameters of other types that may point here.
std::vector<std::string> RevIncludes(const std::string& type) {
  std::vector<std::string> revincludes;
  const auto& registry = fhir::SearchParameterRegistry::R4();
  for (const std::string& source : fhir::SupportedResourceTypes()) {
    for (const auto* param : registry.ForType(source)) {
      if (param->type != fhir::SearchParamType::kReference || param->resource_type != source) {
        continue;
      }
      for (const std::string& target : param->targets) {
        if (target == type) {
          revincludes.push_back(source + ":" + param->code);
          break;
        }
      }
    }
  }
  return revincludes;
}

Json ResourceEntry(const std::string& type) {
  const auto params = fhir::SearchParameterRegistry::R4().ForType(type);
  Json resource = Json::MakeObject();
  resource.Set("type", Json::String(type));
  resource.Set("interaction",
               Interactions({std::begin(kTypeInteractions), std::end(kTypeInteractions)}));
  resource.Set("versioning", Json::String("versioned-update"));
  resource.Set("readHistory", Json::Bool(true));
  resource.Set("updateCreate", Json::Bool(true));
  resource.Set("conditionalCreate", Json::Bool(true));
  resource.Set("conditionalRead", Json::String("not-supported"));
  resource.Set("conditionalUpdate", Json::Bool(true));
  resource.Set("conditionalDelete", Json::String("single"));
  std::vector<std::string> includes = Includes(type, params);
  if (!includes.empty()) resource.Set("searchInclude", Strings(includes));
  std::vector<std::string> revincludes = RevIncludes(type);
  if (!revincludes.empty()) resource.Set("searchRevInclude", Strings(revincludes));
  resource.Set("searchParam", SearchParams(params));
  return resource;
}

}  // namespace

Json BuildCapabilityStatement(const CapabilityOptions& options) {
  Json statement = Json::MakeObject();
  statement.Set("resourceType", Json::String("CapabilityStatement"));
  Json text = Json::MakeObject();
  text.Set("status", Json::String("generated"));
  text.Set("div", Json::String("<div xmlns=\"http://www.w3.org/1999/xhtml\">Duet FHIR R4 server "
                               "capabilities, generated from what the server implements.</div>"));
  statement.Set("text", std::move(text));
  statement.Set("name", Json::String("DuetGateway"));
  statement.Set("title", Json::String("Duet FHIR R4 gateway"));
  statement.Set("status", Json::String("active"));
  statement.Set("date", Json::String(NowInstant().substr(0, 10)));
  statement.Set("publisher", Json::String("Duet"));
  statement.Set("kind", Json::String("instance"));
  Json software = Json::MakeObject();
  software.Set("name", Json::String("Duet"));
  software.Set("version", Json::String(options.software_version));
  statement.Set("software", std::move(software));
  Json implementation = Json::MakeObject();
  implementation.Set("description", Json::String("Duet FHIR integration gateway"));
  implementation.Set("url", Json::String(options.fhir_base));
  statement.Set("implementation", std::move(implementation));
  statement.Set("fhirVersion", Json::String("4.0.1"));
  statement.Set("format", Strings({"application/fhir+json", "json"}));

  Json rest = Json::MakeObject();
  rest.Set("mode", Json::String("server"));
  Json resources = Json::MakeArray();
  for (const std::string& type : fhir::SupportedResourceTypes()) {
    resources.Append(ResourceEntry(type));
  }
  rest.Set("resource", std::move(resources));
  rest.Set("interaction", Interactions({"transaction", "batch", "history-system"}));
  Json rests = Json::MakeArray();
  rests.Append(std::move(rest));
  statement.Set("rest", std::move(rests));
  return statement;
}

}  // namespace duet::gateway
