#include "mappings/provider_mapper.h"

#include <string>
#include <utility>

#include "mappings/code_tables.h"
#include "mappings/extensions.h"
#include "mappings/fhir_elements.h"
#include "mappings/mapper_support.h"

namespace duet::mappings {
namespace {

using fhir::Json;

constexpr std::string_view kContainedOrganizationId = "organization";

Json Telecom(const FieldReader& in) {
  Json telecom = Json::MakeArray();
  if (auto phone = in.OptionalString("phone")) {
    telecom.Append(Obj({{"system", Str("phone")}, {"value", Str(*phone)}, {"use", Str("work")}}));
  }
  if (auto fax = in.OptionalString("fax")) {
    telecom.Append(Obj({{"system", Str("fax")}, {"value", Str(*fax)}, {"use", Str("work")}}));
  }
  if (auto email = in.OptionalString("email")) {
    telecom.Append(Obj({{"system", Str("email")}, {"value", Str(*email)}, {"use", Str("work")}}));
  }
  if (auto direct = in.OptionalString("direct_address")) {
    telecom.Append(Obj(
        {{"extension", Arr({MakeExtension(kUsCoreDirectUrl, "valueBoolean", Json::Bool(true))})},
         {"system", Str("email")},
         {"value", Str(*direct)},
         {"use", Str("work")}}));
  }
  return telecom.items().empty() ? Json() : telecom;
}

}  // namespace

StatusOr<std::vector<Json>> ProviderToFhir(const Json& record, const MappingContext& context,
                                           std::string_view pointer) {
  Problems problems;
  FieldReader in(&record, std::string(pointer), PathStyle::kJsonPointer, &problems);
  in.RejectUnknown({"record", "npi", "name", "role", "organization", "phone", "fax", "email",
                    "direct_address", "updated_at"});
  std::string npi = in.String("npi");
  FieldReader name = in.Object("name");
  name.RejectUnknown({"family", "given", "suffix"});
  std::vector<std::string> given = name.Strings("given");
  auto suffix = name.OptionalStrings("suffix");
  std::string role = in.Enum("role", kProviderRoles);

  Json practitioner = Obj({
      {"resourceType", Str("Practitioner")},
      {"meta", MakeMeta(profiles::kPractitioner)},
      {"extension", Arr({UpdatedAtExtension(in.Instant("updated_at"))})},
      {"identifier", Arr({MakeIdentifier(kNpiSystem, npi)})},
      {"active", Json::Bool(true)},
      {"name", Arr({Obj({{"use", Str("official")},
                         {"family", Str(name.String("family"))},
                         {"given", given.empty() ? Json() : StrArr(given)},
                         {"suffix", suffix && !suffix->empty() ? StrArr(*suffix) : Json()}})})},
      {"telecom", Telecom(in)},
  });
  Json practitioner_role = Obj({
      {"resourceType", Str("PractitionerRole")},
      {"meta", MakeMeta(profiles::kPractitionerRole)},
      {"identifier", Arr({MakeIdentifier(SystemFor(context, kinds::kPractitionerRole), npi)})},
      {"active", Json::Bool(true)},
      {"practitioner", PractitionerReference(npi)},
      {"code", Arr({ProviderRoleConcept(role)})},
  });
  Json organization;
  if (auto org = in.OptionalObject("organization")) {
    org->RejectUnknown({"name", "npi"});
    std::optional<std::string> org_npi = org->OptionalString("npi");
    organization =
        Obj({{"resourceType", Str("Organization")},
             {"meta", MakeMeta(profiles::kOrganization)},
             {"identifier", org_npi ? Arr({MakeIdentifier(kNpiSystem, *org_npi)}) : Json()},
             {"active", Json::Bool(true)},
             {"name", Str(org->String("name"))}});
    if (org_npi) {
      practitioner_role.Set("organization",
                            ConditionalReference("Organization", kNpiSystem, *org_npi));
    } else {
      organization.Set("id", Str(kContainedOrganizationId));
      organization.Remove("meta");
      practitioner_role.Set("contained", Arr({std::move(organization)}));
      practitioner_role.Set("organization",
                            Obj({{"reference", Str("#" + std::string(kContainedOrganizationId))}}));
      organization = Json();
    }
  }
  DUET_RETURN_IF_ERROR(problems.ToStatus(StatusCode::kInvalidArgument, "provider record"));
  std::vector<Json> resources;
  resources.push_back(std::move(practitioner));
  resources.push_back(std::move(practitioner_role));
  if (!organization.is_null()) resources.push_back(std::move(organization));
  return resources;
}

namespace {

const Json* FindRole(const ResourceSet& resources, std::string_view npi,
                     const MappingContext& context) {
  if (const Json* own = resources.FindByIdentifier(
          "PractitionerRole", SystemFor(context, kinds::kPractitionerRole), npi)) {
    return own;
  }
  for (const Json* role : resources.OfType("PractitionerRole")) {
    const Json* practitioner = role->Find("practitioner");
    if (practitioner != nullptr &&
        resources.ReferencedIdentifier(*practitioner, kNpiSystem, role) == npi) {
      return role;
    }
  }
  return nullptr;
}

std::string RoleFromFhir(const FieldReader& role) {
  std::vector<FieldReader> codes = role.Objects("code");
  if (codes.empty()) {
    role.Problem("code", "needs the provider role");
    return "";
  }
  return ProviderRoleFromConcept(codes.front());
}

std::optional<Json> OrganizationFromFhir(const ResourceSet& resources, const FieldReader& role,
                                         Problems* problems) {
  const Json* reference = role.Raw("organization");
  if (reference == nullptr) return std::nullopt;
  ResourceSet::Target target = resources.Resolve(*reference, role.json());
  if (target.resource == nullptr) {
    role.Problem("organization", "does not resolve to an Organization among the resources");
    return std::nullopt;
  }
  FieldReader org = ResourceReader(*target.resource, problems);
  Json organization = Obj({{"name", Str(org.String("name"))}});
  if (auto npi = IdentifierValue(*target.resource, kNpiSystem)) {
    organization.Set("npi", Str(*npi));
  }
  return organization;
}

}  // namespace

StatusOr<Json> ProviderFromFhir(const ResourceSet& resources, std::string_view npi,
                                const MappingContext& context) {
  DUET_ASSIGN_OR_RETURN(const Json* practitioner,
                        FindMainResource(resources, "Practitioner", kNpiSystem, npi));
  Problems problems;
  FieldReader in = ResourceReader(*practitioner, &problems);
  Json record = Obj({{"record", Str("provider")}, {"npi", Str(npi)}});
  std::vector<FieldReader> names = in.Objects("name");
  if (names.empty()) {
    in.Problem("name", "needs at least one HumanName");
  } else {
    const FieldReader& name = names.front();
    Json native_name = Obj(
        {{"family", Str(name.String("family"))},
         {"given", StrArr(name.OptionalStrings("given").value_or(std::vector<std::string>{}))}});
    if (auto suffix = name.OptionalStrings("suffix")) native_name.Set("suffix", StrArr(*suffix));
    record.Set("name", std::move(native_name));
  }
  const Json* role_resource = FindRole(resources, npi, context);
  if (role_resource == nullptr) {
    problems.Add("PractitionerRole",
                 "no PractitionerRole refers to Practitioner NPI " + std::string(npi));
  } else {
    FieldReader role = ResourceReader(*role_resource, &problems);
    record.Set("role", Str(RoleFromFhir(role)));
    if (auto organization = OrganizationFromFhir(resources, role, &problems)) {
      record.Set("organization", std::move(*organization));
    }
  }
  if (auto telecoms = in.OptionalObjects("telecom")) {
    for (const FieldReader& telecom : *telecoms) {
      std::string system = telecom.String("system");
      bool direct = telecom.valid() && FindExtension(*telecom.json(), kUsCoreDirectUrl) != nullptr;
      std::string member = system == "email" ? (direct ? "direct_address" : "email") : system;
      if ((member == "phone" || member == "fax" || member == "email" ||
           member == "direct_address") &&
          record.Find(member) == nullptr) {
        record.Set(member, Str(telecom.String("value")));
      }
    }
  }
  SetUpdatedAtFromExtension(in, &record);
  DUET_RETURN_IF_ERROR(problems.ToStatus(StatusCode::kUnprocessable,
                                         "Practitioner " + std::string(npi) + " cannot be mapped"));
  return record;
}

}  // namespace duet::mappings
