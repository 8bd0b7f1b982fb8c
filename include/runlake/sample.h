#pragma once
// A realistic, reproducible file of transactions for demos, tests and benchmarks: mostly
// valid rows plus every kind of invalid row of the row contract (DESIGN.md "Rows").

#include <cstdint>
#include <string>

#include "runlake/status.h"

namespace runlake {

struct SampleOptions {
  int64_t rows = 10000;
  uint64_t seed = 42;
  std::string end_date = "2024-01-15";  // the newest transaction day (YYYY-MM-DD)
  int span_days = 1;                    // transactions spread over this many days up to it
  std::string schema_version = "v1";    // v2 adds TransactionType
  double invalid_fraction = 0.05;       // share of rows built to fail a check
  int accounts = 0;                     // 0: rows / 20, at least 10
};

struct SampleSummary {
  int64_t rows = 0;
  int64_t invalid_rows = 0;  // rows built to fail (duplicates included)
};

// Writes the CSV to `path` (gzip when it ends in ".gz"). Same options, same bytes.
Result<SampleSummary> WriteSample(const std::string& path, const SampleOptions& options);

struct Contract;
// The same for any dataset contract (DESIGN.md "Sample data for any contract"): a header of
// its schema version's `from` names, valid rows that pass every check (dates up to
// end_date, the source's ingest_date, over span_days), and invalid rows (invalid_fraction)
// each breaking exactly one check, spread over all of them (a missing field, an empty
// required field, a value that does not parse, one outside its enum, min, max or window, a
// repeated key). InvalidArgument for a version the contract lacks, bad options, or a
// pattern no generated text matches.
Result<SampleSummary> WriteContractSample(const std::string& path, const Contract& contract,
                                          const SampleOptions& options);

}  // namespace runlake
