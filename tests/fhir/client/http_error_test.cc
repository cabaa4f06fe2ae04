#include "fhir/client/http_error.h"

#include <gtest/gtest.h>

namespace duet::fhir {
namespace {

TEST(HttpErrorTest, MapsHttpStatusesToStatusCodes) {
  const std::pair<int, StatusCode> table[] = {
      {200, StatusCode::kOk},
      {201, StatusCode::kOk},
      {400, StatusCode::kInvalidArgument},
      {401, StatusCode::kUnauthenticated},
      {403, StatusCode::kPermissionDenied},
      {404, StatusCode::kNotFound},
      {408, StatusCode::kDeadlineExceeded},
      {409, StatusCode::kConflict},
      {410, StatusCode::kGone},
      {412, StatusCode::kFailedPrecondition},
      {418, StatusCode::kInvalidArgument},
      {422, StatusCode::kUnprocessable},
      {429, StatusCode::kResourceExhausted},
      {500, StatusCode::kUnavailable},
      {501, StatusCode::kUnimplemented},
      {503, StatusCode::kUnavailable},
      {302, StatusCode::kInternal},
  };
  for (const auto& [http, code] : table) {
    EXPECT_EQ(StatusCodeForHttpStatus(http), code) << http;
  }
}

TEST(HttpErrorTest, MessageNamesTheCallAndTheOperationOutcome) {
  FhirResponse response;
  response.status = 422;
  response.url = "https://partner.example/fhir/CarePlan/cp-1";
  response.attempts = 1;
  response.body = R"({"resourceType":"OperationOutcome","issue":[
      {"severity":"error","code":"required","diagnostics":"CarePlan.status: missing"},
      {"severity":"error","code":"value","details":{"text":"bad intent"}}]})";
  Status status = HttpErrorStatus("PUT", response);
  EXPECT_EQ(status.code(), StatusCode::kUnprocessable);
  EXPECT_EQ(status.message(),
            "PUT https://partner.example/fhir/CarePlan/cp-1: HTTP 422: CarePlan.status: missing; "
            "bad intent");
}

TEST(HttpErrorTest, MessageCountsAttemptsAndIgnoresOtherBodies) {
  FhirResponse response;
  response.status = 503;
  response.url = "https://partner.example/fhir/metadata";
  response.attempts = 8;
  response.body = "<html>busy</html>";
  EXPECT_EQ(HttpErrorStatus("GET", response).message(),
            "GET https://partner.example/fhir/metadata: HTTP 503 after 8 attempts");
}

TEST(HttpErrorTest, MessageLeavesOutTheQueryWhichCanHoldPatientData) {
  FhirResponse response;
  response.status = 400;
  response.url = "https://meds.example/fhir/Patient?family=Lopez&birthdate=1961-04-02";
  response.attempts = 1;
  EXPECT_EQ(HttpErrorStatus("GET", response).message(),
            "GET https://meds.example/fhir/Patient?(query left out): HTTP 400");
}

TEST(HttpErrorTest, SuccessIsOk) {
  FhirResponse response;
  response.status = 204;
  EXPECT_TRUE(HttpErrorStatus("DELETE", response).ok());
}

}  // namespace
}  // namespace duet::fhir
