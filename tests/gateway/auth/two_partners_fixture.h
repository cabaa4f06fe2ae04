// A store holding the practice's two example patients, each shared with a different partner:
// Maria Lopez (plan certified by Dr. Chen of East Valley Internal Medicine, NPI 1620193841) and
// the SLP patient (plan certified by Dr. Whitfield, solo, NPI 1890345626). For the tests of the
// partner access rule; the FHIR API and practice API over it come from PracticeApiTestBase.
#pragma once

#include <string>

#include "tests/gateway/practice_api/practice_api_test_base.h"

namespace duet::gateway::testing {

class TwoPartnersFixture : public PracticeApiTestBase {
 protected:
  static constexpr char kEvimNpi[] = "1620193841";

  void SetUp() override {
    PracticeApiTestBase::SetUp();
    Upload(Batch({Fixture("patient.json"), Fixture("patient-slp.json"), Fixture("provider.json"),
                  Fixture("provider-ot.json"), Fixture("provider-slp.json"),
                  Fixture("provider-referring.json"), Fixture("provider-neurologist.json"),
                  Fixture("referral.json"), Fixture("plan_of_care.json"),
                  Fixture("plan_of_care-slp.json")}));
    maria_id_ = PatientId("PT-004512");
    slp_id_ = PatientId("PT-004619");
  }
  std::string PatientId(const std::string& mrn) {
    return std::string(
        Search("/fhir/Patient?identifier=https://sunrise-pt.example/sid/mrn%7C" + mrn)[0].StringOr(
            "id"));
  }

  std::string maria_id_, slp_id_;
};

}  // namespace duet::gateway::testing
