#pragma once
// RejectSink: rejected rows, kept out of memory until their COPY.
//
// Rejected rows arrive interleaved with valid ones while the silver COPY owns the main
// connection, so they wait in an anonymous temp file (common/temp_file.h) in the run's
// staging directory, in file order, and runlake_rejects(id, condemned) streams them back
// for one COPY per layer afterwards. Memory is one write buffer and one read buffer,
// whatever the share of bad rows: a source that is all rejects costs disk, not RAM.

#include <duckdb.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/temp_file.h"
#include "engine/engine_internal.h"
#include "runlake/row_batch.h"
#include "runlake/status.h"

namespace runlake {

class RejectSink {
 public:
  // Creates the temp file in `dir` (an existing local directory).
  Status Open(const std::string& dir);
  // Appends the rows, in order. Producer thread only (BatchPipe).
  Status Append(const RejectedRows& rows);
  // Flushes the write buffer; after this the rows can be read back.
  Status Close();

  int64_t quarantined() const { return quarantined_; }
  int64_t condemned() const { return condemned_; }

  // Loop prevention's late half (RowTransformer::ResolveAttempts), after Close(): the final
  // attempt_count of every row, in append order. Rows that reach max_attempts are read back
  // as condemned (validation_error MAX_ATTEMPTS, appended to validation_errors), and the
  // counts above change with them. Rows appended condemned stay so.
  void SetFinalAttempts(std::vector<uint16_t> attempts, int max_attempts);

  // Reads the rows back in order, from the start; any number of readers after Close().
  class Reader {
   public:
    explicit Reader(const RejectSink* sink) : file_(sink->file_.get()), sink_(sink) {}
    // Fills *rows (cleared first) with up to max_rows rows of the layer; false at the end.
    Result<bool> Next(bool condemned, size_t max_rows, RejectedRows* rows);

   private:
    Status Need(size_t bytes);  // makes at least `bytes` unread bytes available
    const TempFile* file_;
    const RejectSink* sink_;
    int64_t ordinal_ = 0;  // rows read so far, of both layers
    std::string errors_;   // validation_errors with MAX_ATTEMPTS appended
    std::string buf_;
    size_t pos_ = 0;
    uint64_t offset_ = 0;  // file offset of buf_'s end
  };
  Reader NewReader() const { return Reader(this); }

 private:
  Status Flush();
  std::unique_ptr<TempFile> file_;
  std::string out_;
  int64_t quarantined_ = 0;
  int64_t condemned_ = 0;
  std::vector<uint16_t> final_attempts_;  // empty: the rows' own counts stand
  int max_attempts_ = 0;
};

// Registers runlake_rejects(BIGINT, BOOLEAN) in the engine's database (done once by
// Engine::Open): the rows of the RejectSink of the run scan registered under that id (see
// ScanRegistration in run_scan_internal.h), condemned ones or the others, in file order,
// as columns raw_record, raw_bytes (BLOB, NULL unless the exact bytes differ), source_line,
// validation_error, validation_errors, row_hash, attempt_count.
Status RegisterRejectScan(Engine::Impl* impl);

}  // namespace runlake
