#include "mappings/education_mapper.h"

#include <string>
#include <utility>

#include "mappings/code_tables.h"
#include "mappings/fhir_elements.h"
#include "mappings/mapper_support.h"

namespace duet::mappings {

using fhir::Json;

StatusOr<std::vector<Json>> EducationToFhir(const Json& record, const MappingContext& context,
                                            std::string_view pointer) {
  Problems problems;
  FieldReader in(&record, std::string(pointer), PathStyle::kJsonPointer, &problems);
  in.RejectUnknown({"record", "id", "patient_mrn", "title", "url", "sent_at", "sent_by_npi",
                    "related_icd10", "plan_of_care_id"});
  std::string id = in.String("id");
  std::string mrn = in.String("patient_mrn");
  std::optional<std::string> icd10 = in.OptionalString("related_icd10");
  std::optional<std::string> plan = in.OptionalString("plan_of_care_id");
  Json communication = Obj({
      {"resourceType", Str("Communication")},
      {"identifier", Arr({MakeIdentifier(SystemFor(context, kinds::kEducation), id)})},
      {"basedOn",
       plan ? Arr({KindReference(context, "CarePlan", kinds::kPlanOfCare, *plan)}) : Json()},
      {"status", Str("completed")},
      {"category",
       Arr({MakeConcept(MakeCoding(kCommunicationCategorySystem, "instruction", "Instruction"))})},
      {"subject", PatientReference(context, mrn)},
      {"sent", Str(in.Instant("sent_at"))},
      {"recipient", Arr({PatientReference(context, mrn)})},
      {"sender", PractitionerReference(in.String("sent_by_npi"))},
      {"reasonCode", icd10 ? Arr({MakeConcept(MakeCoding(kIcd10System, *icd10))}) : Json()},
      {"payload", Arr({Obj({{"contentAttachment", Obj({{"url", Str(in.String("url"))},
                                                       {"title", Str(in.String("title"))}})}})})},
  });
  DUET_RETURN_IF_ERROR(problems.ToStatus(StatusCode::kInvalidArgument, "education record"));
  std::vector<Json> resources;
  resources.push_back(std::move(communication));
  return resources;
}

StatusOr<Json> EducationFromFhir(const ResourceSet& resources, std::string_view id,
                                 const MappingContext& context) {
  DUET_ASSIGN_OR_RETURN(
      const Json* communication,
      FindMainResource(resources, "Communication", SystemFor(context, kinds::kEducation), id));
  Problems problems;
  FieldReader in = ResourceReader(*communication, &problems);
  Json record = Obj({{"record", Str("education")}, {"id", Str(id)}});
  record.Set("patient_mrn", Str(SubjectMrn(resources, in, context, &problems)));
  std::vector<FieldReader> payloads = in.Objects("payload");
  if (payloads.empty()) {
    in.Problem("payload", "needs the content attachment");
  } else {
    FieldReader attachment = payloads.front().Object("contentAttachment");
    record.Set("title", Str(attachment.String("title")));
    record.Set("url", Str(attachment.String("url")));
  }
  record.Set("sent_at", Str(in.Instant("sent")));
  record.Set("sent_by_npi", Str(ReferencedNpi(resources, in.Raw("sender"), *communication,
                                              in.PathOf("sender"), &problems)));
  if (auto reasons = in.OptionalObjects("reasonCode"); reasons && !reasons->empty()) {
    for (const FieldReader& coding : reasons->front().Objects("coding")) {
      if (coding.OptionalString("system") == kIcd10System) {
        record.Set("related_icd10", Str(coding.String("code")));
      }
    }
  }
  if (const Json* based_on = in.Raw("basedOn");
      based_on != nullptr && based_on->is_array() && !based_on->items().empty()) {
    record.Set("plan_of_care_id",
               Str(ReferencedId(resources, &based_on->items().front(), *communication,
                                SystemFor(context, kinds::kPlanOfCare), in.PathOf("basedOn", 0),
                                &problems)));
  }
  DUET_RETURN_IF_ERROR(problems.ToStatus(StatusCode::kUnprocessable,
                                         "Communication " + std::string(id) + " cannot be mapped"));
  return record;
}

}  // namespace duet::mappings
