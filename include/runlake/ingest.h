#pragma once
// Landing raw files in bronze. Bronze is immutable: every ingest creates a new bronze
// run_id under the date, never replaces an object.

#include <string>

#include "runlake/layout.h"
#include "runlake/object_store.h"

namespace runlake {

struct IngestOptions {
  DatasetId dataset;
  std::string ingest_date;  // YYYY-MM-DD
  std::string run_id;       // empty: the UTC time, YYYYMMDDTHHMMSSZ
};

struct IngestResult {
  std::string key;  // bronze/<d>/<ds>/ingest_date=D/run_id=R/<name>.csv.gz
  std::string run_id;
  uint64_t size = 0;    // bytes stored (gzip)
  std::string sha256;   // of the stored bytes
  uint64_t source_bytes = 0;
  bool compressed = false;  // true when runlake gzipped a plain CSV
};

// Stores `local_file` (CSV or CSV.gz) in bronze, gzip-compressing plain CSV, and records
// size and sha256 in bronze/<d>/<ds>/_ingests/<RID>.json. AlreadyExists when the bronze
// run_id exists; NotFound/IOError name the file.
Result<IngestResult> IngestBronze(ObjectStore& store, const std::string& local_file,
                                  const IngestOptions& options);

}  // namespace runlake
