#include "mappings/nps_response_mapper.h"

#include <string>
#include <utility>

#include "mappings/code_tables.h"
#include "mappings/extensions.h"
#include "mappings/fhir_elements.h"
#include "mappings/mapper_support.h"

namespace duet::mappings {
namespace {

using fhir::Json;

constexpr std::string_view kTouchpointSystem =
    "https://duet.example/fhir/CodeSystem/nps-touchpoint";
constexpr std::string_view kItemControlSystem = "http://hl7.org/fhir/questionnaire-item-control";
constexpr std::string_view kScoreQuestion =
    "How likely are you to recommend us to a friend or family member?";
constexpr std::string_view kCommentQuestion = "What is the main reason for your score?";
constexpr std::string_view kTouchpointQuestion = "When was the question asked?";
const std::initializer_list<std::string_view> kTouchpoints = {"visit", "discharge"};

std::string_view TouchpointDisplay(std::string_view touchpoint) {
  return touchpoint == "discharge" ? "At discharge" : "After a visit";
}

Json TouchpointCoding(std::string_view touchpoint) {
  return MakeCoding(kTouchpointSystem, touchpoint, TouchpointDisplay(touchpoint));
}

Json Answer(std::string_view link_id, std::string_view text, std::string_view value_key,
            Json value) {
  return Obj({{"linkId", Str(link_id)},
              {"text", Str(text)},
              {"answer", Arr({Obj({{value_key, std::move(value)}})})}});
}

// The first answer of the item with this linkId, or nullptr.
const Json* FindAnswer(const Json& response, std::string_view link_id) {
  const Json* items = response.Find("item");
  if (items == nullptr || !items->is_array()) return nullptr;
  for (const Json& item : items->items()) {
    if (item.StringOr("linkId") != link_id) continue;
    const Json* answers = item.Find("answer");
    if (answers != nullptr && answers->is_array() && !answers->items().empty()) {
      return &answers->items().front();
    }
  }
  return nullptr;
}

}  // namespace

Json NpsQuestionnaire(const MappingContext& context) {
  Json slider = MakeConcept(MakeCoding(kItemControlSystem, "slider", "Slider"));
  return Obj({
      {"resourceType", Str("Questionnaire")},
      {"url", Str(kNpsQuestionnaireUrl)},
      {"identifier",
       Arr({MakeIdentifier(SystemFor(context, kinds::kQuestionnaire), "net-promoter-score")})},
      {"version", Str("1")},
      {"name", Str("NetPromoterScore")},
      {"title", Str("Net Promoter Score")},
      {"status", Str("active")},
      {"subjectType", Arr({Str("Patient")})},
      {"item", Arr({Obj({{"extension",
                          Arr({MakeExtension(kMinValueUrl, "valueInteger", Json::Integer(0)),
                               MakeExtension(kMaxValueUrl, "valueInteger", Json::Integer(10)),
                               MakeExtension(kItemControlUrl, "valueCodeableConcept", slider)})},
                         {"linkId", Str("score")},
                         {"text", Str(kScoreQuestion)},
                         {"type", Str("integer")},
                         {"required", Json::Bool(true)}}),
                    Obj({{"linkId", Str("comment")},
                         {"text", Str(kCommentQuestion)},
                         {"type", Str("text")}}),
                    Obj({{"linkId", Str("touchpoint")},
                         {"text", Str(kTouchpointQuestion)},
                         {"type", Str("choice")},
                         {"required", Json::Bool(true)},
                         {"answerOption",
                          Arr({Obj({{"valueCoding", TouchpointCoding("visit")}}),
                               Obj({{"valueCoding", TouchpointCoding("discharge")}})})}})})},
  });
}

StatusOr<std::vector<Json>> NpsResponseToFhir(const Json& record, const MappingContext& context,
                                              std::string_view pointer) {
  Problems problems;
  FieldReader in(&record, std::string(pointer), PathStyle::kJsonPointer, &problems);
  in.RejectUnknown({"record", "id", "patient_mrn", "score", "comment", "answered_at",
                    "therapist_npi", "touchpoint"});
  std::string id = in.String("id");
  std::string mrn = in.String("patient_mrn");
  Json score = in.Integer("score");
  if (score.is_number() && IsIntegerText(score.number_text())) {
    const std::string& text = score.number_text();
    if (text.size() > 2 || text.front() == '-' || (text.size() == 2 && text != "10")) {
      in.Problem("score", "must be an integer from 0 to 10");
    }
  }
  Json items = Arr({Answer("score", kScoreQuestion, "valueInteger", score)});
  if (auto comment = in.OptionalString("comment")) {
    items.Append(Answer("comment", kCommentQuestion, "valueString", Str(*comment)));
  }
  items.Append(Answer("touchpoint", kTouchpointQuestion, "valueCoding",
                      TouchpointCoding(in.Enum("touchpoint", kTouchpoints))));
  Json extensions;
  if (auto therapist = in.OptionalString("therapist_npi")) {
    extensions = Arr(
        {MakeExtension(ext::kNpsTherapist, "valueReference", PractitionerReference(*therapist))});
  }
  Json response = Obj({
      {"resourceType", Str("QuestionnaireResponse")},
      {"meta", MakeMeta(profiles::kQuestionnaireResponse)},
      {"extension", std::move(extensions)},
      {"identifier", MakeIdentifier(SystemFor(context, kinds::kNps), id)},
      {"questionnaire", Str(kNpsQuestionnaireUrl)},
      {"status", Str("completed")},
      {"subject", PatientReference(context, mrn)},
      {"authored", Str(in.Instant("answered_at"))},
      {"source", PatientReference(context, mrn)},
      {"item", std::move(items)},
  });
  DUET_RETURN_IF_ERROR(problems.ToStatus(StatusCode::kInvalidArgument, "nps_response record"));
  std::vector<Json> resources;
  resources.push_back(std::move(response));
  resources.push_back(NpsQuestionnaire(context));
  return resources;
}

StatusOr<Json> NpsResponseFromFhir(const ResourceSet& resources, std::string_view id,
                                   const MappingContext& context) {
  DUET_ASSIGN_OR_RETURN(
      const Json* response,
      FindMainResource(resources, "QuestionnaireResponse", SystemFor(context, kinds::kNps), id));
  Problems problems;
  FieldReader in = ResourceReader(*response, &problems);
  Json record = Obj({{"record", Str("nps_response")}, {"id", Str(id)}});
  record.Set("patient_mrn", Str(SubjectMrn(resources, in, context, &problems)));
  const Json* score = FindAnswer(*response, "score");
  if (score == nullptr || score->Find("valueInteger") == nullptr) {
    in.Problem("item", "has no answer to \"score\"");
  } else {
    record.Set("score", *score->Find("valueInteger"));
  }
  if (const Json* comment = FindAnswer(*response, "comment")) {
    if (comment->StringOr("valueString").empty()) {
      in.Problem("item", "the answer to \"comment\" needs a valueString");
    } else {
      record.Set("comment", Str(comment->StringOr("valueString")));
    }
  }
  record.Set("answered_at", Str(in.Instant("authored")));
  if (const Json* therapist =
          ExtensionValue(FindExtension(*response, ext::kNpsTherapist), "valueReference")) {
    record.Set("therapist_npi", Str(ReferencedNpi(resources, therapist, *response,
                                                  in.PathOf("extension"), &problems)));
  }
  const Json* touchpoint = FindAnswer(*response, "touchpoint");
  const Json* coding = touchpoint == nullptr ? nullptr : touchpoint->Find("valueCoding");
  if (coding == nullptr || coding->StringOr("system") != kTouchpointSystem) {
    in.Problem("item", "has no answer to \"touchpoint\"");
  } else {
    record.Set("touchpoint", Str(coding->StringOr("code")));
  }
  DUET_RETURN_IF_ERROR(
      problems.ToStatus(StatusCode::kUnprocessable,
                        "QuestionnaireResponse " + std::string(id) + " cannot be mapped"));
  return record;
}

}  // namespace duet::mappings
