#pragma once
// `runlake backfill plan`: what a backfill of [from, to] would do, without doing it. The
// plan is also the first step of `backfill run`, so what the dry run shows is what runs.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runlake/state_store.h"
#include "runlake/backfill.h"
#include "runlake/object_store.h"

namespace runlake {

struct BackfillPlanRequest {
  std::string from, to;          // YYYY-MM-DD, inclusive
  DatasetId dataset;
  std::string bronze_run;        // "" the newest bronze run of each date
  std::string schema_version = "v1";
  bool one_run = false;          // one run (one execution) reading every date's bronze
  std::string stamp;             // "" now (YYYYMMDDTHHMMSSZ)
};

struct DatePlan {
  std::string date;
  std::string bronze_run_id;
  std::vector<std::string> bronze_keys;  // objects of that bronze run
  uint64_t bronze_bytes = 0;             // compressed, as stored
  std::string source_key;                // what the run reads; "" when `problem` is set
  std::string problem;                   // why this date cannot run ("" when it can)
  std::string canonical_run_id;          // "" when the date has no canonical run yet
  int64_t canonical_input_rows = -1;     // -1 unknown; the rows this backfill will read
  int64_t canonical_valid_rows = -1, canonical_quarantined_rows = -1;
  std::string run_id, execution;         // what the backfill will create (attempt 1)
  std::vector<std::string> overlaps;     // active backfills that also cover this date
};

struct BackfillPlan {
  std::string id, stamp;
  DatasetId dataset;
  std::string from, to, schema_version;
  bool one_run = false;  // --one-run over more than one date: every date shares one run
  std::vector<DatePlan> dates;
  std::vector<std::string> problem_dates;         // dates that cannot run
  std::vector<std::string> overlapping_backfills;  // active backfills sharing a date
};

// Plans the backfill. InvalidArgument for malformed dates, from after to, an unknown
// schema version or a bad bronze run id; dates without bronze are reported in the plan
// (problem / problem_dates), never an error here.
Result<BackfillPlan> PlanBackfill(ObjectStore& store, StateStore& state,
                                  const BackfillPlanRequest& request);

nlohmann::json PlanToJson(const BackfillPlan& plan);

// "no bronze data for 2024-02-01, 2024-02-02" for the refusal of `backfill run`.
std::string DescribeProblems(const BackfillPlan& plan);

}  // namespace runlake
