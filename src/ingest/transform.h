#pragma once
// RowTransformer: one bronze object in, validated columnar batches out, for any dataset
// contract (DESIGN.md "Datasets are declared in contracts"): the source's header compiles the
// contract's schema version into a RowPlan (row_plan.h), which checks every record; the key
// check, row_hash, loop prevention and the batches are the same for every dataset.
// Streaming: the object is read in ~1 MiB pieces and rows leave in batches of
// batch_rows, so memory does not depend on the object's size. Duplicate detection keeps
// up to memory_ids IDs in memory, then (given reopen and spill_dir) reads the source a
// second time through temp files (duplicate_ids.h): one bit per record from then on.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "ingest/id_spill.h"
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
class RowPlan;
struct RowEvaluation;

struct Contract;

struct TransformOptions {
  // The dataset contract; null: the built-in transactions contract. Not owned: it outlives
  // the transformer.
  const Contract* contract = nullptr;
  std::string schema_version;  // one of the contract's versions: "v1", "v2", ...
  // A rules file's say: the keys it gives (Rules::given) override the contract's:
  // max_attempts and max_record_bytes for any dataset; currencies, timestamp_formats and
  // tx_date_window for the transactions contract's currency and tx_date columns.
  Rules rules = Rules::Defaults();
  std::string source_name;     // for error messages, e.g. the bronze key
  std::string ingest_date;     // the source's YYYY-MM-DD (windows' max_days_after_ingest, and
                               // the partition of an ingest_date-partitioned dataset); "":
                               // unbounded
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
  // Reads the header and compiles the plan. InvalidArgument for a schema_version the
  // contract lacks ("unknown schema_version 'v9' (known: v1, v2)"), an empty source ("<source>: empty file, no
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
  // What every batch of valid rows holds: the schema version's columns, in order.
  const std::vector<BatchField>& fields() const { return fields_; }
  // The loop-prevention limit this source runs with (the rules' when given, else the
  // contract's).
  int max_attempts() const { return max_attempts_; }
  int64_t max_record_bytes() const { return max_record_bytes_; }

  // Loop prevention, after the last Next: each rejected row's attempt_count (its highest
  // earlier count + 1), by rejection order (0 = the first row Next rejected). Rows that
  // reach max_attempts move from quarantined to condemned in stats(). Empty without
  // earlier_attempts (every rejected row was a first attempt, decided in Next). Errors:
  // the spill's (IOError).
  Result<std::vector<uint16_t>> ResolveAttempts();

 private:
  explicit RowTransformer(TransformOptions options);
  Status ReadHeader();
  Status CompilePlan(const CsvRecord& header);
  Status AddRecord(const CsvRecord& record, ValidRows* valid, RejectedRows* rejected);
  void AddValid(const CsvRecord& record, std::string_view hash, ValidRows* valid);
  Status AddRejected(const CsvRecord& record, std::string_view hash, bool clean,
                     RejectedRows* rejected);
  void RefreshReasons();
  Status InStream(const Status& st) const;
  CsvScannerOptions ScannerOptions() const;

  TransformOptions options_;
  const Contract* contract_ = nullptr;
  TransformStats stats_;
  std::unique_ptr<ByteSource> bytes_;
  std::unique_ptr<CsvScanner> scanner_;
  std::unique_ptr<RowPlan> plan_;
  std::unique_ptr<DuplicateIds> duplicates_;
  std::vector<BatchField> fields_;
  int max_attempts_ = 3;
  int64_t max_record_bytes_ = 0;
  std::optional<int64_t> ingest_day_;
  int64_t partition_slot_ = -1;      // the partition_by column's slot; -1: ingest_date
  int64_t ingest_partition_micros_ = 0;
  KeyColumns key_;                   // no fields: the contract has no key
  uint16_t key_reason_ = 0;
  std::string key_scratch_;
  std::unique_ptr<RowEvaluation> eval_;  // reused for every record
  bool exhausted_ = false;
  std::vector<int64_t> quarantined_by_reason_;  // by reason id of the first failure
  std::string errors_;                          // reused for validation_errors
  std::string clean_;                           // reused for raw_record of bad bytes
  // With earlier_attempts: rows rejected so far, and each one's first failure (to move it
  // from its reason to condemned once its attempt is known).
  int64_t rejected_rows_ = 0;
  std::vector<uint16_t> rejected_reason_;
};

}  // namespace runlake
