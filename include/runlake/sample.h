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

}  // namespace runlake
