#pragma once
// Landing raw files in bronze. Bronze is immutable: every ingest creates a new bronze
// run_id under the date, never replaces an object.

#include <string>
#include <vector>

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
  // Earlier bronze run_ids of the same dataset and date that hold the same bytes (sha256):
  // an identical re-ingest is allowed (bronze is immutable, a re-delivery is a fact worth
  // keeping) but is most often a slip, so callers warn. Best effort: empty when the
  // earlier records cannot be read.
  std::vector<std::string> same_content_as;
};

// Stores `local_file` (CSV or CSV.gz) in bronze, gzip-compressing plain CSV, and records
// size and sha256 in bronze/<d>/<ds>/_ingests/<RID>.json, and says which earlier objects
// of the date hold the same bytes. AlreadyExists when the bronze run_id exists;
// NotFound/IOError name the file.
Result<IngestResult> IngestBronze(ObjectStore& store, const std::string& local_file,
                                  const IngestOptions& options);

}  // namespace runlake
