#include "mappings/record_converter.h"

#include <functional>
#include <utility>

#include "mappings/code_tables.h"
#include "mappings/education_mapper.h"
#include "mappings/extensions.h"
#include "mappings/fhir_elements.h"
#include "mappings/home_exercise_program_mapper.h"
#include "mappings/mapper_support.h"
#include "mappings/medication_list_mapper.h"
#include "mappings/nps_response_mapper.h"
#include "mappings/patient_mapper.h"
#include "mappings/plan_of_care_mapper.h"
#include "mappings/provider_mapper.h"
#include "mappings/referral_mapper.h"
#include "mappings/resource_set.h"

namespace duet::mappings {
namespace {

using fhir::Json;

// (record, context, JSON pointer of the record in its document).
using ToFhirFunction = std::function<StatusOr<std::vector<Json>>(const Json&, const MappingContext&,
                                                                 std::string_view)>;
// (record, context, JSON pointer, pointers of its empty arrays, where to write): a mapper that
// writes its resources as text.
using WriteFhirFunction = std::function<Status(const Json&, const MappingContext&, std::string_view,
                                               const std::vector<std::string>&, ResourceWriter&)>;
using FromFhirFunction =
    std::function<StatusOr<Json>(const ResourceSet&, std::string_view, const MappingContext&)>;

struct RecordMapping {
  std::string_view record_type;
  std::string_view main_type;
  // The identifier kind of the main resource; empty for providers, which are known by NPI.
  std::string_view kind;
  std::string_view id_member;
  ToFhirFunction to_fhir;        // a mapper that builds trees, or
  WriteFhirFunction write_fhir;  // one that writes text
  FromFhirFunction from_fhir;
};

const std::vector<RecordMapping>& Mappings() {
  static const auto* mappings = new std::vector<RecordMapping>{
      {"patient", "Patient", kinds::kMrn, "mrn", PatientToFhir, nullptr, PatientFromFhir},
      {"provider", "Practitioner", "", "npi", ProviderToFhir, nullptr, ProviderFromFhir},
      {"referral", "ServiceRequest", kinds::kReferral, "id", ReferralToFhir, nullptr,
       ReferralFromFhir},
      {"plan_of_care", "CarePlan", kinds::kPlanOfCare, "id", nullptr, WritePlanOfCareFhir,
       PlanOfCareFromFhir},
      {"home_exercise_program", "CarePlan", kinds::kHep, "id", HomeExerciseProgramToFhir, nullptr,
       HomeExerciseProgramFromFhir},
      {"medication_list", "List", kinds::kMedicationList, "patient_mrn", MedicationListToFhir,
       nullptr, MedicationListFromFhir},
      {"nps_response", "QuestionnaireResponse", kinds::kNps, "id", NpsResponseToFhir, nullptr,
       NpsResponseFromFhir},
      {"education", "Communication", kinds::kEducation, "id", EducationToFhir, nullptr,
       EducationFromFhir},
  };
  return *mappings;
}

const RecordMapping* FindMapping(std::string_view record_type) {
  for (const RecordMapping& mapping : Mappings()) {
    if (mapping.record_type == record_type) return &mapping;
  }
  return nullptr;
}

std::string MainSystem(const RecordMapping& mapping, const MappingContext& context) {
  return std::string(mapping.kind.empty() ? kNpiSystem : SystemFor(context, mapping.kind));
}

// PRF tells an empty array from an absent optional member; FHIR has no empty arrays. The JSON
// pointers of the record's empty arrays ride along in an extension of the main resource.
// Whether CollectEmptyArrays would find anything: the common answer, no, without any pointers.
bool HasEmptyArray(const Json& value) {
  if (value.is_array()) {
    if (value.items().empty()) return true;
    for (const Json& item : value.items()) {
      if (HasEmptyArray(item)) return true;
    }
  } else if (value.is_object()) {
    for (const auto& [key, member] : value.members()) {
      if (HasEmptyArray(member)) return true;
    }
  }
  return false;
}

// `pointer` is the value's JSON pointer on entry and is restored on return (one buffer for the
// whole walk instead of a string per node).
void CollectEmptyArrays(const Json& value, std::string* pointer,
                        std::vector<std::string>* pointers) {
  size_t length = pointer->size();
  if (value.is_array()) {
    if (value.items().empty()) pointers->push_back(*pointer);
    for (size_t i = 0; i < value.items().size(); ++i) {
      pointer->append("/").append(std::to_string(i));
      CollectEmptyArrays(value.items()[i], pointer, pointers);
      pointer->resize(length);
    }
  } else if (value.is_object()) {
    for (const auto& [key, member] : value.members()) {
      pointer->append("/").append(key);
      CollectEmptyArrays(member, pointer, pointers);
      pointer->resize(length);
    }
  }
}

// Creates the empty array at `pointer` when its parent exists and the member is absent.
void RestoreEmptyArray(Json& record, std::string_view pointer) {
  Json* current = &record;
  while (!pointer.empty() && pointer.front() == '/') {
    pointer.remove_prefix(1);
    size_t slash = pointer.find('/');
    std::string segment(pointer.substr(0, slash));
    bool last = slash == std::string_view::npos;
    pointer = last ? std::string_view() : pointer.substr(slash);
    if (current->is_object()) {
      Json* next = current->Find(segment);
      if (next == nullptr) {
        if (last) current->Set(segment, Json::MakeArray());
        return;
      }
      current = next;
    } else if (current->is_array()) {
      size_t index = 0;
      for (char c : segment) {
        if (c < '0' || c > '9') return;
        index = index * 10 + static_cast<size_t>(c - '0');
      }
      if (last || index >= current->items().size()) return;
      current = &current->items()[index];
    } else {
      return;
    }
  }
}

Status RecordToFhir(const Json& record, std::string_view pointer, const MappingContext& context,
                    ResourceWriter& writer) {
  std::string_view type = record.StringOr("record");
  const RecordMapping* mapping = FindMapping(type);
  if (mapping == nullptr) {
    return InvalidArgumentError(
        (pointer.empty() ? std::string("/record") : std::string(pointer) + "/record") +
        ": unknown record type \"" + std::string(type) + "\"");
  }
  std::vector<std::string> empty_arrays;
  if (HasEmptyArray(record)) {
    std::string pointer_buffer;
    CollectEmptyArrays(record, &pointer_buffer, &empty_arrays);
  }
  if (mapping->write_fhir) {
    return mapping->write_fhir(record, context, pointer, empty_arrays, writer);
  }
  auto resources = mapping->to_fhir(record, context, pointer);
  if (!resources.ok()) return resources.status();
  Json& main_resource = resources->front();
  for (const std::string& empty : empty_arrays) {
    AddExtension(main_resource, MakeExtension(ext::kEmptyArray, "valueString", Str(empty)));
  }
  for (Json& resource : *resources) writer.AddResource(std::move(resource));
  return Status::Ok();
}

}  // namespace

std::string MainResourceType(std::string_view record_type) {
  const RecordMapping* mapping = FindMapping(record_type);
  return mapping == nullptr ? "" : std::string(mapping->main_type);
}

std::string MainIdentifierSystem(std::string_view record_type, const MappingContext& context) {
  const RecordMapping* mapping = FindMapping(record_type);
  return mapping == nullptr ? "" : MainSystem(*mapping, context);
}

std::string NativeIdMember(std::string_view record_type) {
  const RecordMapping* mapping = FindMapping(record_type);
  return mapping == nullptr ? "" : std::string(mapping->id_member);
}

Status WriteFhir(const Json& record, const MappingContext& context, ResourceWriter& writer) {
  if (!record.is_object()) {
    return InvalidArgumentError(std::string("(root): expected a record object, found ") +
                                fhir::JsonKindName(record.kind()));
  }
  if (record.StringOr("record") != "batch") return RecordToFhir(record, "", context, writer);
  const Json* records = record.Find("records");
  if (records == nullptr || !records->is_array()) {
    return InvalidArgumentError("/records: a batch needs an array of records");
  }
  std::vector<std::string> problems;
  for (size_t i = 0; i < records->items().size(); ++i) {
    std::string pointer = "/records/" + std::to_string(i);
    const Json& item = records->items()[i];
    if (!item.is_object() || item.StringOr("record") == "batch") {
      problems.push_back(pointer + ": expected a record that is not a batch");
      continue;
    }
    Status written = RecordToFhir(item, pointer, context, writer);
    if (!written.ok()) problems.push_back(written.message());
  }
  if (!problems.empty()) {
    std::string message = "batch";
    for (const std::string& problem : problems) message += "; " + problem;
    return InvalidArgumentError(message);
  }
  return Status::Ok();
}

StatusOr<std::vector<Json>> ToFhir(const Json& record, const MappingContext& context) {
  ResourceCollector collector;
  DUET_RETURN_IF_ERROR(WriteFhir(record, context, collector));
  return collector.Take();
}

StatusOr<Json> ToPractice(const std::vector<Json>& resources, std::string_view record_type,
                          std::string_view native_id, const MappingContext& context) {
  const RecordMapping* mapping = FindMapping(record_type);
  if (mapping == nullptr) {
    return InvalidArgumentError("unknown record type \"" + std::string(record_type) + "\"");
  }
  ResourceSet set(resources);
  DUET_ASSIGN_OR_RETURN(Json record, mapping->from_fhir(set, native_id, context));
  const Json* main_resource =
      set.FindByIdentifier(mapping->main_type, MainSystem(*mapping, context), native_id);
  if (main_resource != nullptr) {
    for (const Json* marker : FindExtensions(*main_resource, ext::kEmptyArray)) {
      RestoreEmptyArray(record, marker->StringOr("valueString"));
    }
  }
  return record;
}

std::vector<RecordRef> FindRecords(const std::vector<Json>& resources,
                                   const MappingContext& context) {
  std::vector<RecordRef> found;
  for (const Json& resource : resources) {
    std::string_view type = resource.StringOr("resourceType");
    for (const RecordMapping& mapping : Mappings()) {
      if (mapping.main_type != type) continue;
      auto id = IdentifierValue(resource, MainSystem(mapping, context));
      if (!id) continue;
      bool seen = false;
      for (const RecordRef& ref : found) {
        seen = seen || (ref.record_type == mapping.record_type && ref.native_id == *id);
      }
      if (!seen) found.push_back({std::string(mapping.record_type), *id});
      break;
    }
  }
  return found;
}

StatusOr<Json> ToPracticeRecords(const std::vector<Json>& resources,
                                 const MappingContext& context) {
  std::vector<RecordRef> refs = FindRecords(resources, context);
  if (refs.empty())
    return NotFoundError("no resource among these is the main resource of a record");
  std::vector<Json> records;
  std::vector<std::string> problems;
  for (const RecordRef& ref : refs) {
    auto record = ToPractice(resources, ref.record_type, ref.native_id, context);
    if (record.ok()) {
      records.push_back(std::move(record).value());
    } else {
      problems.push_back(ref.record_type + " " + ref.native_id + ": " + record.status().message());
    }
  }
  if (!problems.empty()) {
    std::string message = "records cannot be rebuilt";
    for (const std::string& problem : problems) message += "; " + problem;
    return UnprocessableError(message);
  }
  if (records.size() == 1) return std::move(records.front());
  Json list = Json::MakeArray();
  for (Json& record : records) list.Append(std::move(record));
  return Obj({{"record", Str("batch")}, {"records", std::move(list)}});
}

}  // namespace duet::mappings
