#pragma once
// RowTransformer: one bronze object in, validated columnar batches out (DESIGN.md "Rows").
// Streaming: the object is read in ~1 MiB pieces and rows leave in batches of
// batch_rows, so memory does not depend on the object's size. Duplicate detection keeps
// up to memory_ids IDs in memory, then (given reopen and spill_dir) reads the source a
// second time through temp files (duplicate_ids.h): one bit per record from then on.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "runlake/object_store.h"
#include "runlake/row_batch.h"
#include "runlake/rules.h"
#include "runlake/status.h"

namespace runlake {

class AttemptSpill;
class ByteSource;
class DuplicateIds;
struct CsvRecord;
class CsvScanner;
struct CsvScannerOptions;
class RowValidator;

struct TransformOptions {
  Rules rules = Rules::Defaults();
  std::string schema_version;  // "v1" or "v2"
  std::string source_name;     // for error messages, e.g. the bronze key
  std::string ingest_date;     // the source's YYYY-MM-DD (rules' tx_date_window); "": unbounded
  // The earlier attempts of this source's rows (loop prevention); nullptr: none. Not
  // owned: it outlives the transformer. With it, rejected rows leave Next with
  // attempt_count 1 and their final counts come from ResolveAttempts.
  AttemptSpill* earlier_attempts = nullptr;
  size_t batch_rows = 16384;
  // Duplicate detection beyond memory_ids distinct IDs: opens the source again from its
  // first byte, with temp files in spill_dir (an existing local directory). Without
  // reopen, the in-memory set grows with the distinct IDs.
  std::function<Result<std::unique_ptr<ObjectReader>>()> reopen;
  std::string spill_dir;
  // 2^19 IDs (8 MB): with DuckDB's writer buffers this keeps a run under 128 MB RSS; a
  // source with more distinct IDs pays a second reading (bench/README.md).
  size_t memory_ids = 1 << 19;
};

struct TransformStats {
  int64_t input_rows = 0, valid_rows = 0, quarantined_rows = 0, condemned_rows = 0;
  // Quarantined (not condemned) rows by validation_error.
  std::map<std::string, int64_t> quarantine_by_reason;
  uint64_t bytes_read = 0;  // bytes taken from the object (compressed bytes for gzip)
  std::vector<std::string> extra_columns;  // header columns the schema does not use (as
                                           // valid UTF-8)
  int64_t overlong_records = 0;  // longer than the rules' max_record_bytes: SCHEMA_ERROR
  int64_t first_overlong_line = 0;
};

class RowTransformer {
 public:
  // Reads the header. InvalidArgument for an unknown schema_version ("unknown
  // schema_version 'v9' (known: v1, v2)"), an empty source ("<source>: empty file, no
  // header"), a header missing required columns ("<source>: line 1: header is missing
  // required column(s) Currency"), a duplicated required column, or a first line that is
  // not a CSV header of this schema at all (binary data: "<source>: line 1: header is not
  // a CSV header of schema v1 (...)"). Corruption for gzip errors; the reader's errors
  // otherwise, prefixed with the source.
  static Result<std::unique_ptr<RowTransformer>> Open(std::unique_ptr<ObjectReader> source,
                                                      TransformOptions options);
  ~RowTransformer();

  // Clears both batches, then fills them with up to batch_rows records in total. Returns
  // false when the source is exhausted (then both batches are empty); true otherwise,
  // possibly with the last rows. A source with a header and no data rows: InvalidArgument
  // "<source>: header only, no data rows". Gzip corruption mid-stream: Corruption
  // "<source>: truncated gzip stream (reached line N)" or "... corrupt gzip data (...)".
  Result<bool> Next(ValidRows* valid, RejectedRows* rejected);

  const TransformStats& stats() const { return stats_; }

  // Loop prevention, after the last Next: each rejected row's attempt_count (its highest
  // earlier count + 1), by rejection order (0 = the first row Next rejected). Rows that
  // reach max_attempts move from quarantined to condemned in stats(). Empty without
  // earlier_attempts (every rejected row was a first attempt, decided in Next). Errors:
  // the spill's (IOError).
  Result<std::vector<uint16_t>> ResolveAttempts();

 private:
  explicit RowTransformer(TransformOptions options);
  Status ReadHeader();
  Status AddRecord(const CsvRecord& record, ValidRows* valid, RejectedRows* rejected);
  Status AddRejected(const CsvRecord& record, uint32_t failures, std::string_view hash,
                     bool clean, RejectedRows* rejected);
  void RefreshReasons();
  Status InStream(const Status& st) const;
  CsvScannerOptions ScannerOptions() const;

  TransformOptions options_;
  TransformStats stats_;
  std::unique_ptr<ByteSource> bytes_;
  std::unique_ptr<CsvScanner> scanner_;
  std::unique_ptr<RowValidator> validator_;
  std::unique_ptr<DuplicateIds> duplicates_;
  bool v2_ = false;
  size_t header_fields_ = 0;
  // Field index of TransactionID, CustomerID, TransactionAmount, Currency,
  // TransactionTimestamp, TransactionType (v2).
  size_t column_[6] = {0, 0, 0, 0, 0, 0};
  bool exhausted_ = false;
  static constexpr int kChecks = 7;  // = kCheckCount of row_validator.h (checked there)
  int64_t quarantined_by_check_[kChecks] = {};  // by bit of the first failing check
  std::string errors_;                              // reused for validation_errors
  std::string clean_;                               // reused for raw_record of bad bytes
  // With earlier_attempts: rows rejected so far, and each one's first failing check (to
  // move it from its reason to condemned once its attempt is known).
  int64_t rejected_rows_ = 0;
  std::vector<uint8_t> rejected_check_;
};

}  // namespace runlake
