#include "mappings/extensions.h"

#include <utility>

namespace duet::mappings {

fhir::Json MakeExtension(std::string_view url, std::string_view value_key, fhir::Json value) {
  return Obj({{"url", Str(url)}, {value_key, std::move(value)}});
}

fhir::Json MakeComplexExtension(std::string_view url, std::vector<fhir::Json> parts) {
  return Obj({{"url", Str(url)}, {"extension", Arr(std::move(parts))}});
}

fhir::Json MakeComplexExtension(std::string_view url, std::initializer_list<ArrItem> parts) {
  return MakeComplexExtension(url, MoveItems(parts));
}

void AddExtension(fhir::Json& element, fhir::Json extension) {
  fhir::Json* list = element.Find("extension");
  if (list == nullptr || !list->is_array()) {
    list = &element.Set("extension", fhir::Json::MakeArray());
  }
  list->Append(std::move(extension));
}

const fhir::Json* FindExtension(const fhir::Json& element, std::string_view url) {
  std::vector<const fhir::Json*> all = FindExtensions(element, url);
  return all.empty() ? nullptr : all.front();
}

std::vector<const fhir::Json*> FindExtensions(const fhir::Json& element, std::string_view url) {
  std::vector<const fhir::Json*> found;
  const fhir::Json* list = element.Find("extension");
  if (list == nullptr || !list->is_array()) return found;
  for (const fhir::Json& extension : list->items()) {
    if (extension.is_object() && extension.StringOr("url") == url) found.push_back(&extension);
  }
  return found;
}

const fhir::Json* ExtensionValue(const fhir::Json* extension, std::string_view value_key) {
  return extension == nullptr ? nullptr : extension->Find(value_key);
}

}  // namespace duet::mappings
