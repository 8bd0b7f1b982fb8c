#pragma once
// DuplicateIds: answers the key check of a contract (DESIGN.md: "a key is 'seen' by any
// earlier record of the source") record by record, in memory that does not grow with the source.
//
// Small sources stay on the fast path: an in-memory IdSet of 64-bit hashes. When that set
// is half full, the source is opened again and FindRepeatedIds (id_spill.h) starts to
// resolve every record of it through temp files, on its own thread (DuckDB's writer
// threads would otherwise idle while it runs); when the set is full, its answer replaces
// the set: one bit per record from then on. Both paths
// use the same hashes and the same definition of an appearance (AppearingKey), so they give
// the same answers (tests/ingest/duplicate_ids_differential_test.cc).

#include <atomic>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <string_view>

#include "ingest/id_set.h"
#include "ingest/id_spill.h"
#include "runlake/object_store.h"
#include "runlake/status.h"

namespace runlake {

struct DuplicateIdsOptions {
  KeyColumns columns;
  std::string source_name;  // for the second reading's error messages
  // Opens the source again from its first byte. Null: never spill; the in-memory set then
  // grows with the distinct IDs (fine for tests and small inputs, not for a lake).
  std::function<Result<std::unique_ptr<ObjectReader>>()> reopen;
  std::string spill_dir;     // existing local directory for FindRepeatedIds' temp files
  CsvScannerOptions scanner;    // as the first reading's, so both see the same records
  size_t memory_ids = 1 << 19;  // distinct IDs held in memory before spilling (8 MB)
  SpillOptions spill;           // .dir is spill_dir
};

class DuplicateIds {
 public:
  explicit DuplicateIds(DuplicateIdsOptions options) : options_(std::move(options)) {}
  ~DuplicateIds();  // stops a second reading still under way
  DuplicateIds(const DuplicateIds&) = delete;
  DuplicateIds& operator=(const DuplicateIds&) = delete;

  // Optional: hashes `id` and starts fetching its table slot, so that work done before
  // SeenBefore (row hashing) overlaps the memory access.
  void Prepare(std::string_view id) {
    prepared_id_ = id;
    prepared_hash_ = HashId(id);
    if (!spilled_) ids_.Prefetch(prepared_hash_);
  }

  // Whether `id`, the non-empty AppearingKey of data record `ordinal`, appeared in an
  // earlier record. Call once for every appearing record, in file order. Errors come from
  // the second reading of the source: its own (the caller adds the source and line), or
  // IOError for the temp files.
  Result<bool> SeenBefore(std::string_view id, int64_t ordinal);

  bool spilled() const { return spilled_; }

 private:
  void StartSpill();
  Status FinishSpill();

  DuplicateIdsOptions options_;
  IdSet ids_;
  bool spilled_ = false;
  std::future<Result<RecordBitmap>> pending_;  // the second reading, once started
  std::atomic<bool> cancel_{false};
  RecordBitmap repeated_;
  std::string_view prepared_id_;
  uint64_t prepared_hash_ = 0;
};

}  // namespace runlake
