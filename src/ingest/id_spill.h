#pragma once
// FindRepeatedIds: the duplicate check (DESIGN.md "Rows", check 6) for a whole source in
// memory that does not grow with the number of distinct TransactionIDs.
//
// One pass over the source writes (hash of the ID, record ordinal) of every appearing
// record to 2^k radix partitions (by the hash's top bits) in anonymous temp files. Each
// partition is then resolved alone: its entries are in file order, so an entry whose hash
// is already in the partition's table is a repeat. A partition with too many distinct
// hashes for the table is split again on the next bits, so memory is bounded whatever the
// source. The result is one bit per data record: 20M records take 2.5 MB.
//
// Same 64-bit hashes as IdSet (id_set.h), so the same (tiny) false-duplicate odds.

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/csv_scanner.h"
#include "runlake/status.h"

namespace runlake {

// Where a record's TransactionID is, given the header.
struct IdColumns {
  size_t header_fields = 0;  // a record with another field count is a SCHEMA_ERROR
  size_t id_column = 0;
};

// The contract's "appearance" of a TransactionID: a record without a SCHEMA_ERROR (field
// count as the header's, quoting intact) whose TransactionID, trimmed of spaces, is not
// empty. Returns that trimmed ID; an empty view when the record does not count.
std::string_view AppearingId(const CsvRecord& record, const IdColumns& columns);

// One bit per data record (ordinal 0 = the first record after the header).
class RecordBitmap {
 public:
  void Resize(int64_t records) {
    size_ = records;
    words_.assign(static_cast<size_t>((records + 63) / 64), 0);
  }
  void Set(int64_t i) { words_[static_cast<size_t>(i) >> 6] |= uint64_t{1} << (i & 63); }
  bool Test(int64_t i) const { return (words_[static_cast<size_t>(i) >> 6] >> (i & 63)) & 1; }
  int64_t size() const { return size_; }

 private:
  std::vector<uint64_t> words_;
  int64_t size_ = 0;
};

struct SpillOptions {
  std::string dir;  // existing local directory for the temp files (they have no name)
  // Distinct hashes a partition may hold in memory (16 bytes each, at most) before it is
  // split again.
  size_t max_distinct = 1 << 19;
  int fanout_bits = 7;  // 128 partitions per level
  // When set and true, the scan stops early with Aborted (its owner gave up on it).
  const std::atomic<bool>* cancel = nullptr;
};

// Reads `scanner` from the header (skipped) to the end and returns which data records
// repeat the ID of an earlier one. Errors: the scanner's, as it returned them (the caller
// adds the source and scanner->line()); IOError for the temp files.
Result<RecordBitmap> FindRepeatedIds(CsvScanner* scanner, const IdColumns& columns,
                                     const SpillOptions& options);

}  // namespace runlake
