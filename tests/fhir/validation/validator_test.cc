// Validator rejections: real R4 examples broken one way at a time must be reported with the
// exact element path, issue code and message.
#include "fhir/validation/validator.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "fhir/json.h"

namespace duet::fhir {
namespace {

namespace fs = std::filesystem;

Json Example(const std::string& file) {
  std::ifstream in(fs::path(DUET_FIXTURES_DIR) / "fhir" / "spec-examples" / file, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto parsed = ParseJson(buffer.str());
  EXPECT_TRUE(parsed.ok()) << file << ": " << parsed.status().ToString();
  return parsed.ok() ? std::move(parsed).value() : Json();
}

Json Parse(std::string_view text) {
  auto parsed = ParseJson(text);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  return parsed.ok() ? std::move(parsed).value() : Json();
}

std::string Describe(const std::vector<ValidationIssue>& issues) {
  std::string text;
  for (const ValidationIssue& issue : issues) {
    text += "  " + issue.code + " " + issue.path + ": " + issue.message + "\n";
  }
  return text;
}

std::vector<ValidationIssue> Validate(const Json& resource) {
  return Validator().Validate(resource);
}

// Expects exactly one issue, at `path`, with `code`; returns its message.
std::string SingleIssue(const Json& resource, const std::string& path, const std::string& code) {
  std::vector<ValidationIssue> issues = Validate(resource);
  EXPECT_EQ(issues.size(), 1u) << Describe(issues);
  if (issues.empty()) return "";
  EXPECT_EQ(issues[0].path, path) << Describe(issues);
  EXPECT_EQ(issues[0].code, code) << Describe(issues);
  EXPECT_EQ(issues[0].severity, IssueSeverity::kError);
  return issues[0].message;
}

Json& Detail(Json& care_plan) { return *care_plan.Find("activity")->items()[0].Find("detail"); }

TEST(ValidatorTest, UntouchedExamplesAreValid) {
  EXPECT_TRUE(Validate(Example("CarePlan-example.json")).empty());
  EXPECT_TRUE(Validate(Example("Patient-example.json")).empty());
}

TEST(ValidatorTest, UnknownElementInABackboneElement) {
  Json care_plan = Example("CarePlan-example.json");
  Detail(care_plan).Set("foo", Json::String("bar"));
  EXPECT_EQ(SingleIssue(care_plan, "CarePlan.activity[0].detail.foo", "structure"),
            "unknown element \"foo\"");
}

TEST(ValidatorTest, WrongChoiceSuffixNamesTheAllowedOnes) {
  Json care_plan = Example("CarePlan-example.json");
  Detail(care_plan).Remove("scheduledTiming");
  Detail(care_plan).Set("scheduledFoo", Json::String("daily"));
  EXPECT_EQ(SingleIssue(care_plan, "CarePlan.activity[0].detail.scheduledFoo", "structure"),
            "unknown element \"scheduledFoo\": scheduled[x] allows scheduledPeriod, "
            "scheduledString or scheduledTiming");
}

TEST(ValidatorTest, TwoChoiceVariants) {
  Json care_plan = Example("CarePlan-example.json");
  Detail(care_plan).Set("scheduledString", Json::String("daily"));
  EXPECT_EQ(SingleIssue(care_plan, "CarePlan.activity[0].detail.scheduledString", "structure"),
            "scheduled[x] has more than one type: scheduledTiming and scheduledString (only one "
            "is allowed)");
}

TEST(ValidatorTest, StatusNotInTheRequiredValueSet) {
  Json care_plan = Example("CarePlan-example.json");
  care_plan.Set("status", Json::String("actve"));
  EXPECT_EQ(SingleIssue(care_plan, "CarePlan.status", "code-invalid"),
            "value \"actve\" is not in the required value set "
            "http://hl7.org/fhir/ValueSet/request-status");
}

TEST(ValidatorTest, NestedStatusNotInItsValueSet) {
  Json care_plan = Example("CarePlan-example.json");
  Detail(care_plan).Set("status", Json::String("active"));  // a request status, not an activity's
  Detail(care_plan).Set("status", Json::String("done"));
  EXPECT_EQ(SingleIssue(care_plan, "CarePlan.activity[0].detail.status", "code-invalid"),
            "value \"done\" is not in the required value set "
            "http://hl7.org/fhir/ValueSet/care-plan-activity-status");
}

TEST(ValidatorTest, WrongJsonKindForAPrimitive) {
  Json care_plan = Example("CarePlan-example.json");
  care_plan.Set("status", Json::Integer(5));
  EXPECT_EQ(SingleIssue(care_plan, "CarePlan.status", "structure"),
            "expected a JSON string for code, found number");
  Json patient = Example("Patient-example.json");
  patient.Set("active", Json::String("true"));
  EXPECT_EQ(SingleIssue(patient, "Patient.active", "structure"),
            "expected a JSON boolean for boolean, found string");
}

TEST(ValidatorTest, ObjectWhereAPrimitiveBelongsAndViceVersa) {
  Json patient = Example("Patient-example.json");
  patient.Set("gender", Parse(R"({"code":"male"})"));
  EXPECT_EQ(SingleIssue(patient, "Patient.gender", "structure"),
            "expected a JSON string for code, found object");
  Json care_plan = Example("CarePlan-example.json");
  care_plan.Set("subject", Json::String("Patient/example"));
  EXPECT_EQ(SingleIssue(care_plan, "CarePlan.subject", "structure"),
            "expected an object (Reference), found string");
}

TEST(ValidatorTest, MissingRequiredElement) {
  Json care_plan = Example("CarePlan-example.json");
  care_plan.Remove("intent");
  EXPECT_EQ(SingleIssue(care_plan, "CarePlan.intent", "required"),
            "missing required element intent (min cardinality 1)");
}

TEST(ValidatorTest, MissingRequiredChoice) {
  Json observation = Parse(R"({"resourceType":"Observation","status":"final",
    "code":{"text":"x"},"component":[{"code":{"text":"y"},"valueQuantity":{"value":1}}]})");
  EXPECT_TRUE(Validate(observation).empty()) << Describe(Validate(observation));
  Json extension = Parse(R"({"resourceType":"Patient","extension":[{"url":"http://x.org/e"}]})");
  EXPECT_EQ(SingleIssue(extension, "Patient.extension[0]", "invariant"),
            "ext-1: an extension must have either extensions or a value[x]");
}

TEST(ValidatorTest, ArrayWhereASingleValueIsExpected) {
  Json care_plan = Example("CarePlan-example.json");
  Json statuses = Json::MakeArray();
  statuses.Append(Json::String("active"));
  care_plan.Set("status", std::move(statuses));
  EXPECT_EQ(SingleIssue(care_plan, "CarePlan.status", "structure"),
            "expected a single value, found an array (max cardinality 1)");
}

TEST(ValidatorTest, SingleValueWhereAnArrayIsExpected) {
  Json care_plan = Example("CarePlan-example.json");
  care_plan.Set("category", Parse(R"({"text":"weight"})"));
  EXPECT_EQ(SingleIssue(care_plan, "CarePlan.category", "structure"),
            "expected an array (max cardinality *), found object");
}

TEST(ValidatorTest, ImpossibleCalendarDate) {
  Json patient = Example("Patient-example.json");
  patient.Set("birthDate", Json::String("2023-02-30"));
  EXPECT_EQ(SingleIssue(patient, "Patient.birthDate", "value"),
            "\"2023-02-30\" is not a valid date: February 2023 has 28 days");
}

TEST(ValidatorTest, DateTimeWithoutTimeZoneInAnExtension) {
  Json patient = Example("Patient-example.json");
  patient.Find("_birthDate")
      ->Find("extension")
      ->items()[0]
      .Set("valueDateTime", Json::String("1974-12-25T14:35:45"));
  EXPECT_EQ(SingleIssue(patient, "Patient._birthDate.extension[0].valueDateTime", "value"),
            "\"1974-12-25T14:35:45\" is not a valid dateTime: a time zone (Z or +hh:mm) is "
            "required when a time is given");
}

TEST(ValidatorTest, EmptyStringEmptyObjectEmptyArray) {
  Json patient = Example("Patient-example.json");
  patient.Find("name")->items()[0].Set("family", Json::String(""));
  patient.Set("maritalStatus", Json::MakeObject());
  patient.Set("photo", Json::MakeArray());
  std::vector<ValidationIssue> issues = Validate(patient);
  ASSERT_EQ(issues.size(), 3u) << Describe(issues);
  EXPECT_EQ(issues[0].path, "Patient.name[0].family");
  EXPECT_EQ(issues[0].message, "empty string (FHIR forbids empty strings)");
  EXPECT_EQ(issues[1].path, "Patient.maritalStatus");
  EXPECT_EQ(issues[1].message, "empty object (FHIR forbids empty objects: omit the element)");
  EXPECT_EQ(issues[2].path, "Patient.photo");
  EXPECT_EQ(issues[2].message, "empty array (FHIR forbids empty arrays: omit the element)");
}

TEST(ValidatorTest, BadResourceId) {
  Json patient = Example("Patient-example.json");
  patient.Set("id", Json::String("bad id!"));
  EXPECT_EQ(SingleIssue(patient, "Patient.id", "value"),
            "\"bad id!\" is not a valid id: only A-Z, a-z, 0-9, '-' and '.' are allowed");
  patient.Set("id", Json::String(std::string(65, 'a')));
  SingleIssue(patient, "Patient.id", "value");
}

TEST(ValidatorTest, NullsOnlyAlignWithPrimitiveExtensions) {
  Json patient = Example("Patient-example.json");
  patient.Set("active", Json());
  EXPECT_EQ(SingleIssue(patient, "Patient.active", "structure"),
            "null is not allowed: omit the element instead");

  Json aligned = Example("Patient-example.json");
  Json& name = aligned.Find("name")->items()[0];
  name.Set("given", Parse(R"(["Peter", null])"));
  name.Set("_given", Parse(R"([null, {"extension":[{"url":"http://x.org/e","valueCode":"x"}]}])"));
  EXPECT_TRUE(Validate(aligned).empty()) << Describe(Validate(aligned));

  name.Set("_given", Parse(R"([null])"));
  std::vector<ValidationIssue> issues = Validate(aligned);
  ASSERT_EQ(issues.size(), 2u) << Describe(issues);
  EXPECT_EQ(issues[0].path, "Patient.name[0].given[1]");
  EXPECT_EQ(issues[0].message,
            "null is only allowed in a primitive array when _given has an extension at the same "
            "index");
  EXPECT_EQ(issues[1].path, "Patient.name[0]._given");
  EXPECT_EQ(issues[1].message, "has 1 entries but given has 2; the arrays must align");

  name.Set("given", Parse(R"(["Peter", "James"])"));
  name.Set("_given", Parse(R"([null, null])"));
  EXPECT_TRUE(Validate(aligned).empty()) << Describe(Validate(aligned));
  name.Remove("given");
  name.Set("_given", Parse(R"([{"id":"a"}, null])"));
  EXPECT_EQ(SingleIssue(aligned, "Patient.name[0]._given[1]", "structure"),
            "null here and no value in given at the same index");
  name.Set("given", Parse(R"(["Peter", null])"));
  EXPECT_EQ(SingleIssue(aligned, "Patient.name[0].given[1]", "structure"),
            "null is only allowed in a primitive array when _given has an extension at the same "
            "index");
}

TEST(ValidatorTest, PrimitiveExtensionShape) {
  Json patient = Example("Patient-example.json");
  patient.Set("_birthDate", Parse(R"([{"id":"x"}])"));
  EXPECT_EQ(SingleIssue(patient, "Patient._birthDate", "structure"),
            "expected an object with id/extension, found array");

  patient = Example("Patient-example.json");
  patient.Find("_birthDate")->Set("value", Json::String("1974-12-25"));
  EXPECT_EQ(SingleIssue(patient, "Patient._birthDate.value", "structure"),
            "unknown element \"value\"");

  patient = Example("Patient-example.json");
  patient.Set("_name", Parse(R"({"id":"x"})"));
  EXPECT_EQ(SingleIssue(patient, "Patient._name", "structure"),
            "unknown element \"_name\": name is not a primitive, so it has no _name");

  // An extension-only primitive (no value) is allowed, also for required elements.
  Json care_plan = Example("CarePlan-example.json");
  care_plan.Remove("status");
  care_plan.Set(
      "_status",
      Parse(
          R"({"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/data-absent-reason","valueCode":"unknown"}]})"));
  EXPECT_TRUE(Validate(care_plan).empty()) << Describe(Validate(care_plan));
}

TEST(ValidatorTest, ExtensionWithBothValueAndExtensions) {
  Json patient = Example("Patient-example.json");
  Json& extension = patient.Find("_birthDate")->Find("extension")->items()[0];
  extension.Set("extension", Parse(R"([{"url":"part","valueString":"x"}])"));
  EXPECT_EQ(SingleIssue(patient, "Patient._birthDate.extension[0]", "invariant"),
            "ext-1: an extension must have either extensions or value[x], not both");
}

TEST(ValidatorTest, ContainedResourcesAreValidatedAsResources) {
  Json care_plan = Example("CarePlan-example.json");
  Json& condition = care_plan.Find("contained")->items()[0];
  condition.Find("clinicalStatus")->Find("coding")->items()[0].Set("code", Json::String("bogus"));
  EXPECT_EQ(SingleIssue(care_plan, "CarePlan.contained[0].clinicalStatus.coding", "code-invalid"),
            "none of the codings (http://terminology.hl7.org/CodeSystem/condition-clinical|bogus) "
            "is in the required value set http://hl7.org/fhir/ValueSet/condition-clinical");

  care_plan = Example("CarePlan-example.json");
  care_plan.Find("contained")
      ->items()[0]
      .Set("contained", Parse(R"([{"resourceType":"Basic","code":{"text":"x"}}])"));
  EXPECT_EQ(SingleIssue(care_plan, "CarePlan.contained[0].contained", "invariant"),
            "dom-2: a contained resource SHALL NOT contain other resources");
}

TEST(ValidatorTest, LocalReferenceMustMatchAContainedResource) {
  Json care_plan = Example("CarePlan-example.json");
  care_plan.Find("addresses")->items()[0].Set("reference", Json::String("#p2"));
  EXPECT_EQ(SingleIssue(care_plan, "CarePlan.addresses[0].reference", "invariant"),
            "ref-1: local reference \"#p2\" does not match the id of a contained resource");
}

TEST(ValidatorTest, ReferenceSyntaxAndTargetType) {
  Json care_plan = Example("CarePlan-example.json");
  Json& subject = *care_plan.Find("subject");
  subject.Set("reference", Json::String("Group/g1"));
  EXPECT_TRUE(Validate(care_plan).empty()) << Describe(Validate(care_plan));
  subject.Set("reference", Json::String("Patient?identifier=http://x.org|123"));
  EXPECT_TRUE(Validate(care_plan).empty()) << Describe(Validate(care_plan));
  subject.Set("reference", Json::String("urn:uuid:bf823ea4-d765-40f8-b243-bdfdb6521408"));
  EXPECT_TRUE(Validate(care_plan).empty()) << Describe(Validate(care_plan));
  subject.Set("reference", Json::String("https://ehr.example.org/fhir/Patient/7/_history/2"));
  EXPECT_TRUE(Validate(care_plan).empty()) << Describe(Validate(care_plan));

  subject.Set("reference", Json::String("Practitioner/f001"));
  EXPECT_EQ(SingleIssue(care_plan, "CarePlan.subject.reference", "invalid"),
            "a reference to Practitioner is not allowed here (allowed: Patient, Group)");
  subject.Set("reference", Json::String("https://ehr.example.org/fhir/Practitioner/7?x=1"));
  EXPECT_EQ(SingleIssue(care_plan, "CarePlan.subject.reference", "invalid"),
            "a reference to Practitioner is not allowed here (allowed: Patient, Group)");
  subject.Set("reference", Json::String("patient/example"));
  EXPECT_EQ(SingleIssue(care_plan, "CarePlan.subject.reference", "value"),
            "reference \"patient/example\" names \"patient\", which is not a resource type");
  subject.Set("reference", Json::String("Patient"));
  EXPECT_EQ(SingleIssue(care_plan, "CarePlan.subject.reference", "value"),
            "reference \"Patient\" is not a valid reference: expected Type/id, an absolute URL, "
            "urn:uuid:, urn:oid: or #id");
  subject.Set("reference", Json::String("Patient/a_b"));
  SingleIssue(care_plan, "CarePlan.subject.reference", "value");
  subject.Set("reference", Json::String("urn:uuid:BF823EA4"));
  SingleIssue(care_plan, "CarePlan.subject.reference", "value");
}

TEST(ValidatorTest, BundleEntriesAreValidatedAsResources) {
  Json bundle = Parse(R"({"resourceType":"Bundle","type":"collection","entry":[
    {"fullUrl":"urn:uuid:bf823ea4-d765-40f8-b243-bdfdb6521408",
     "resource":{"resourceType":"Patient","gender":"male"}},
    {"resource":{"resourceType":"Patient","gender":"mal"}}]})");
  EXPECT_EQ(SingleIssue(bundle, "Bundle.entry[1].resource.gender", "code-invalid"),
            "value \"mal\" is not in the required value set "
            "http://hl7.org/fhir/ValueSet/administrative-gender");

  bundle = Parse(R"({"resourceType":"Bundle","type":"batch-response","entry":[
    {"response":{"status":"400","outcome":{"resourceType":"Patient"}}}]})");
  EXPECT_EQ(SingleIssue(bundle, "Bundle.entry[0].response.outcome", "structure"),
            "expected a OperationOutcome resource, found \"Patient\"");

  bundle = Parse(R"({"resourceType":"Bundle","type":"collection","entry":[
    {"resource":{"resourceType":"Nonsense"}}]})");
  EXPECT_EQ(SingleIssue(bundle, "Bundle.entry[0].resource", "not-supported"),
            "unknown resource type \"Nonsense\"");
}

TEST(ValidatorTest, ParametersResourcesAreValidated) {
  Json parameters = Parse(R"({"resourceType":"Parameters","parameter":[
    {"name":"a","valueInteger":2147483648},
    {"name":"b","resource":{"resourceType":"Patient","birthDate":"1990-13-01"}},
    {"name":"c","part":[{"name":"d","valuePositiveInt":0}]}]})");
  std::vector<ValidationIssue> issues = Validate(parameters);
  ASSERT_EQ(issues.size(), 3u) << Describe(issues);
  EXPECT_EQ(issues[0].path, "Parameters.parameter[0].valueInteger");
  EXPECT_EQ(issues[0].message,
            "\"2147483648\" is out of range for integer (-2147483648 to 2147483647)");
  EXPECT_EQ(issues[1].path, "Parameters.parameter[1].resource.birthDate");
  EXPECT_EQ(issues[1].message, "\"1990-13-01\" is not a valid date: month 13 does not exist");
  EXPECT_EQ(issues[2].path, "Parameters.parameter[2].part[0].valuePositiveInt");
}

TEST(ValidatorTest, ContentReferenceRecursesIntoNestedItems) {
  Json questionnaire = Parse(R"({"resourceType":"Questionnaire","status":"active","item":[
    {"linkId":"1","type":"group","item":[
      {"linkId":"1.1","type":"group","item":[{"linkId":"1.1.1","type":"strng"}]},
      {"type":"display","text":"no link id"}]}]})");
  std::vector<ValidationIssue> issues = Validate(questionnaire);
  ASSERT_EQ(issues.size(), 2u) << Describe(issues);
  EXPECT_EQ(issues[0].path, "Questionnaire.item[0].item[0].item[0].type");
  EXPECT_EQ(issues[0].code, "code-invalid");
  EXPECT_EQ(issues[1].path, "Questionnaire.item[0].item[1].linkId");
  EXPECT_EQ(issues[1].code, "required");
}

TEST(ValidatorTest, NarrativeRules) {
  Json patient = Example("Patient-example.json");
  patient.Find("text")->Set("div", Json::String("<div>no namespace</div>"));
  EXPECT_EQ(SingleIssue(patient, "Patient.text.div", "value"),
            "invalid XHTML narrative: the <div> must declare "
            "xmlns=\"http://www.w3.org/1999/xhtml\"");
  patient.Find("text")->Set(
      "div", Json::String(R"(<div xmlns="http://www.w3.org/1999/xhtml"><script>x</script></div>)"));
  EXPECT_EQ(SingleIssue(patient, "Patient.text.div", "invariant"),
            "txt-1: the narrative may only use basic HTML: element <script> is not allowed");
  patient.Find("text")->Set("status", Json::String("made-up"));
  patient.Find("text")->Set("div",
                            Json::String(R"(<div xmlns="http://www.w3.org/1999/xhtml">ok</div>)"));
  SingleIssue(patient, "Patient.text.status", "code-invalid");
}

TEST(ValidatorTest, ResourceTypeProblems) {
  EXPECT_EQ(SingleIssue(Parse(R"({"id":"x"})"), "", "required"),
            "missing resourceType: not a FHIR resource");
  EXPECT_EQ(SingleIssue(Parse(R"({"resourceType":"Patiant"})"), "", "not-supported"),
            "unknown resource type \"Patiant\"");
  EXPECT_EQ(SingleIssue(Parse(R"({"resourceType":"DomainResource"})"), "", "not-supported"),
            "resource type DomainResource is abstract");
  EXPECT_EQ(SingleIssue(Parse(R"({"resourceType":"HumanName"})"), "", "not-supported"),
            "unknown resource type \"HumanName\"");
  EXPECT_EQ(SingleIssue(Parse(R"(["Patient"])"), "", "structure"),
            "expected a resource (a JSON object), found array");
  EXPECT_EQ(SingleIssue(Parse(R"({"resourceType":"Patient","resourceType2":1})"),
                        "Patient.resourceType2", "structure"),
            "unknown element \"resourceType2\"");
}

TEST(ValidatorTest, CollectsEveryIssueInDocumentOrder) {
  Json care_plan = Example("CarePlan-example.json");
  care_plan.Set("status", Json::String("actve"));
  care_plan.Set("created", Json::String("2023-02-29"));
  Detail(care_plan).Set("foo", Json::Bool(true));
  care_plan.Remove("intent");
  std::vector<ValidationIssue> issues = Validate(care_plan);
  ASSERT_EQ(issues.size(), 4u) << Describe(issues);
  EXPECT_EQ(issues[0].path, "CarePlan.status");
  EXPECT_EQ(issues[1].path, "CarePlan.created");
  EXPECT_EQ(issues[2].path, "CarePlan.activity[0].detail.foo");
  EXPECT_EQ(issues[3].path, "CarePlan.intent");
}

TEST(ValidatorTest, StopsAtTheIssueLimit) {
  Json patient = Parse(R"({"resourceType":"Patient"})");
  Json names = Json::MakeArray();
  for (int i = 0; i < 50; ++i) names.Append(Parse(R"({"family":""})"));
  patient.Set("name", std::move(names));
  std::vector<ValidationIssue> issues =
      Validator(StructureDefinitions::R4(), ValidatorOptions{10}).Validate(patient);
  ASSERT_EQ(issues.size(), 11u);
  EXPECT_EQ(issues.back().severity, IssueSeverity::kInformation);
  EXPECT_EQ(issues.back().message, "stopped after 10 issues");
}

TEST(ValidatorTest, SharedAcrossThreads) {
  const Validator validator;
  Json valid = Example("CarePlan-example.json");
  Json invalid = Example("CarePlan-example.json");
  invalid.Set("status", Json::String("actve"));
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        if (!validator.Validate(valid).empty()) ++failures[t];
        if (validator.Validate(invalid).size() != 1) ++failures[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < 4; ++t) EXPECT_EQ(failures[t], 0);
}

// Validation runs on every write: a typical 3 KB CarePlan must take well under 100 µs. The bound
// here is loose (sanitizer builds, a busy CI machine) but catches an order-of-magnitude slip.
TEST(ValidatorTest, ValidatesATypicalCarePlanQuickly) {
  const Validator validator;
  Json care_plan = Example("CarePlan-example.json");
  ASSERT_TRUE(validator.Validate(care_plan).empty());
  constexpr int kRounds = 2000;
  auto start = std::chrono::steady_clock::now();
  size_t issues = 0;
  for (int i = 0; i < kRounds; ++i) issues += validator.Validate(care_plan).size();
  auto elapsed = std::chrono::steady_clock::now() - start;
  double micros =
      std::chrono::duration<double, std::micro>(elapsed).count() / static_cast<double>(kRounds);
  RecordProperty("microseconds_per_careplan", std::to_string(micros));
  EXPECT_EQ(issues, 0u);
  EXPECT_LT(micros, 500.0);
}

}  // namespace
}  // namespace duet::fhir
