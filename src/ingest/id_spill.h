#pragma once
// FindRepeatedIds: the duplicate check (DESIGN.md "Rows", check 6) for a whole source in
// memory that does not grow with the number of distinct keys.
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

// Where a record's key is, given the header: the contract's `key` columns (DESIGN.md,
// "Datasets are declared in contracts").
struct KeyColumns {
  size_t header_fields = 0;     // a record with another field count is a SCHEMA_ERROR
  std::vector<uint32_t> fields;  // the key columns' field indexes, in key order
  std::vector<uint8_t> trim;     // per key column: 1 when its text is trimmed of spaces
};

// The contract's "appearance" of a key: a record without a SCHEMA_ERROR (field count as the
// header's, quoting intact) none of whose key fields is empty (after trimming spaces, unless
// the column says `trim: false`; a field of only spaces is empty either way). Returns the
// key's text: the field itself for a one-column key, else the fields each prefixed with its
// length in `*scratch` (so ("ab","c") and ("a","bc") differ); an empty view when the record
// does not count.
std::string_view AppearingKey(const CsvRecord& record, const KeyColumns& columns,
                              std::string* scratch);

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
Result<RecordBitmap> FindRepeatedIds(CsvScanner* scanner, const KeyColumns& columns,
                                     const SpillOptions& options);

}  // namespace runlake
