#pragma once
// What bronze holds: every object of a dataset per ingest_date, with what its ingest
// record (bronze/<d>/<ds>/_ingests/<date>/<RID>.json) says about it, and which one a run
// of that date reads by default. The runbook's "verify bronze data exists" and "identify
// source data" (`aws s3 ls …/ingest_date=D/ --recursive`) as a library call.

#include <cstdint>
#include <string>
#include <vector>

#include "runlake/layout.h"
#include "runlake/object_store.h"

namespace runlake {

struct BronzeObject {
  std::string ingest_date;
  std::string bronze_run_id;
  std::string key;
  bool exists = true;     // false: only its ingest record is there (key is the record's)
  uint64_t size = 0;      // bytes stored, as listed (0 when the object is absent)
  bool has_record = false;
  uint64_t recorded_size = 0;  // what the ingest record says (when has_record)
  std::string sha256;          // from the ingest record: listing does not read the bytes
  std::string ingested_at;     // ISO-8601 UTC, from the ingest record
  bool is_default = false;     // what a run of this date reads unless told otherwise
  std::string problem;         // "" or what is wrong: no record, sizes differ, no object
};

struct BronzeDate {
  std::string date;
  std::vector<BronzeObject> objects;  // by bronze run_id, then key
  std::string default_key;            // "" when nothing would be read (see problem)
  std::string default_run_id;
  std::string problem;  // "" or why no run can read this date by default
};

struct BronzeListRequest {
  DatasetId dataset;
  std::string from, to;  // YYYY-MM-DD, inclusive; both empty: every date that has bronze
};

// The bronze run a run of a date reads by default among the bronze run_ids that hold
// objects: the greatest, since ids are the ingest's UTC time by default (an upstream
// correction lands as a newer run and wins). "" when `run_ids` is empty.
std::string DefaultBronzeRunId(const std::vector<std::string>& run_ids);

// Lists bronze for the request. With a range, every date in it appears, those without
// objects with problem "no bronze data"; without one, only dates that hold something.
// InvalidArgument for a date that is not YYYY-MM-DD, from after to, only one of the two,
// or a range longer than 3660 days. An ingest record that does not parse is reported as
// that object's problem, not an error (one bad record must not hide the rest).
Result<std::vector<BronzeDate>> ListBronze(ObjectStore& store, const BronzeListRequest& request);

}  // namespace runlake
