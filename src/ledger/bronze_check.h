#pragma once
// A bronze object must be the bytes that were ingested: its ingest record
// (bronze/<d>/<ds>/_ingests/<date>/<run_id>.json) holds their size and sha256, and a run
// checks both, so an object changed or damaged after ingest is reported as corruption,
// never turned into silver. An object without a record (put there by another tool, as the
// runbook's `aws s3 cp` does) cannot be checked and is read as it is.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "common/sha256.h"
#include "runlake/layout.h"
#include "runlake/object_store.h"

namespace runlake {

struct IngestedObject {
  std::string record_key;  // the ingest record it came from
  uint64_t size = 0;
  std::string sha256;
};

// The ingest record of bronze object `key`, when there is one that describes it. Corruption
// naming the record when it exists but does not parse.
Result<std::optional<IngestedObject>> LoadIngestedObject(ObjectStore& store,
                                                         const BronzeKeyParts& parts,
                                                         const std::string& key);

// Corruption naming the object when `size` differs from the record's.
Status CheckIngestedSize(const std::string& key, const IngestedObject& record, uint64_t size);

// Passes reads through and hashes them, so the run's one reading of the object checks it.
class HashingReader : public ObjectReader {
 public:
  explicit HashingReader(std::unique_ptr<ObjectReader> inner) : inner_(std::move(inner)) {}
  Result<size_t> Read(char* buf, size_t n) override;

  // Corruption naming the object when what was read (call after the last read: the end of
  // the object) differs from the record in size or sha256.
  Status Verify(const std::string& key, const IngestedObject& record);

 private:
  std::unique_ptr<ObjectReader> inner_;
  Sha256 hash_;
  uint64_t bytes_ = 0;
};

}  // namespace runlake
