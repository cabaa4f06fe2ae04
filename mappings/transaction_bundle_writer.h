// TransactionBundleWriter: the transaction Bundle of fhir_bundle_writer.h made as text, from
// resources written as text (the plan of care mapper) or given as trees (the other mappers),
// without building the Bundle's tree. What `duet convert to-fhir` prints (docs/mapping.md,
// "Transaction Bundle").
#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/json.h"
#include "fhir/json_text_writer.h"
#include "mappings/bundle_entries.h"
#include "mappings/resource_writer.h"

namespace duet::mappings {

// The text of the same Bundle, made without its tree: the resources written as text one after
// the other as the mappers give them, each reference that names an entry replaced by the entry's
// fullUrl when the Bundle is finished (a reference may name an entry written after it: a batch's
// plan of care names its patient, whose record may come later). Byte for byte
// fhir::WriteJson(ToTransactionBundle(resources)) for the same resources, compact or indented.
//
// Holds the text of every resource until Finish. One Bundle per writer, on one thread.
class TransactionBundleWriter : public ResourceWriter {
 public:
  TransactionBundleWriter();
  TransactionBundleWriter(const TransactionBundleWriter&) = delete;
  TransactionBundleWriter& operator=(const TransactionBundleWriter&) = delete;

  fhir::JsonTextWriter& BeginResource(std::string_view type, std::string_view system,
                                      std::string_view value) override;
  void EndResource() override;
  void AddResource(fhir::Json resource) override;

  // The Bundle of the resources given so far, compact or indented (two spaces, as
  // fhir::WriteJson).
  std::string Finish(bool pretty);
  // The same written to `out`; check `out` afterwards for a failed write.
  void Finish(bool pretty, std::ostream& out);

 private:
  // The string value of a "reference" member that may name an entry: its written text is
  // [begin, end) of resources_, quotes included.
  struct Candidate {
    size_t begin;
    size_t end;
  };
  struct Entry {
    size_t begin;  // the resource's text in resources_
    size_t end;
    size_t first_candidate;  // its references in candidates_
    size_t end_candidate;
    std::string full_url;
    bool conditional;  // PUT <type>?identifier=... rather than POST <type>
    std::string request_url;
  };
  class CandidateRecorder : public fhir::JsonTextWriter::StringWatcher {
   public:
    explicit CandidateRecorder(std::vector<Candidate>* candidates) : candidates_(candidates) {}
    void Written(std::string_view value, size_t begin, size_t end) override;

   private:
    std::vector<Candidate>* candidates_;
  };

  // The entry of the resource written at [begin, end of resources_): its business identifier
  // (system, value) names it, "" when it has none; `keys` are the "Type|system|value" keys of
  // all its identifiers, the business identifier's among them (null: that one alone).
  void AddEntry(std::string_view type, std::string_view system, std::string_view value,
                const std::vector<std::string>* keys, size_t begin, size_t first_candidate);
  // The resource's text with the references that name entries replaced by their fullUrls.
  void WriteResource(const Entry& entry, EntryReferences& references,
                     fhir::JsonTextWriter& bundle) const;
  void WriteBundle(fhir::JsonTextWriter& bundle) const;

  fhir::JsonTextWriter resources_;
  std::vector<Candidate> candidates_;
  CandidateRecorder recorder_;
  std::vector<Entry> entries_;
  FullUrls full_urls_;
  // The text resource being written: "Type|system|value" of its business identifier, the
  // lengths of the type and system in it, and where its text starts.
  std::string open_key_;
  size_t open_type_size_ = 0;
  size_t open_system_size_ = 0;
  size_t open_begin_ = 0;
  size_t open_first_candidate_ = 0;
};

}  // namespace duet::mappings
