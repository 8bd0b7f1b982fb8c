#pragma once
// AttemptSpill: loop prevention's lookup (DESIGN.md "Rows") in memory that does not grow
// with history. A rerun of a mostly-rejected day used to hold every earlier reject's
// row_hash as a hex string in a hash map: 2 GB for 3.7M earlier rejects.
//
// Both sides go to radix partitions in anonymous temp files, by the top bits of the row
// hash: the earlier attempts (row_hash, attempt_count) as the earlier runs' quarantine and
// condemned files give them, and this run's rejected rows (row_hash, reject ordinal) as the
// transform rejects them. Each partition is then resolved alone: its earlier hashes go to a
// table (the highest count per hash), and its rejected rows are looked up in it. A
// partition with more distinct earlier hashes than the table may hold is split again on the
// next bits, so memory is bounded whatever the history. The result is the highest earlier
// attempt_count of every rejected row, by ordinal: 2 bytes a rejected row.
//
// A row hash is keyed by its first 128 bits (it is a SHA-256: uniform), so two different
// rows share a key with odds of 2^-128 a pair.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runlake/status.h"

namespace runlake {

struct RowKey {
  uint64_t hi = 0, lo = 0;
};

// The key of a row_hash: its first 32 hex digits (of 64). InvalidArgument unless `hex`
// is 64 lowercase or uppercase hex digits.
Result<RowKey> RowKeyOfHex(std::string_view hex);

struct AttemptSpillOptions {
  std::string dir;                  // an existing local directory for the temp files
  size_t max_distinct = 1 << 17;    // earlier hashes a partition may hold in memory (~4 MB)
  int fanout_bits = 6;              // 64 partitions per level
};

class AttemptSpill {
 public:
  explicit AttemptSpill(AttemptSpillOptions options);
  ~AttemptSpill();
  AttemptSpill(const AttemptSpill&) = delete;
  AttemptSpill& operator=(const AttemptSpill&) = delete;

  // An earlier attempt of a row (repeats allowed: the highest count wins). One thread at a
  // time; may run on another thread than AddRejected (the two sides share nothing).
  Status AddEarlier(RowKey key, int attempt_count);
  // This run's rejected row number `ordinal` (0, 1, ... in rejection order).
  Status AddRejected(RowKey key, int64_t ordinal);
  int64_t earlier_entries() const;

  // After every Add: for each rejected ordinal in [0, rejected_rows), the highest earlier
  // attempt_count of its hash (0: none). IOError for the temp files.
  Result<std::vector<uint16_t>> Resolve(int64_t rejected_rows);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace runlake
