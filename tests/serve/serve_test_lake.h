#pragma once
// A small lake for the dashboard's tests, built through the library (no runlake
// processes), with one date in every state the matrix shows:
//   2024-01-01  canonical run (holding a hostile raw record) + an older identical run
//   2024-01-02  canonical run + a gate-failed run whose figures differ (badge)
//   2024-01-03  no bronze; a FAILED execution that tried to read it
//   2024-01-04  bronze; queued in a RUNNING backfill
//   2024-01-05  bronze; that backfill's RUNNING execution
//   2024-01-06  bronze, never processed

#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "common/temp_dir.h"
#include "runlake/execution_runner.h"
#include "runlake/backfill.h"
#include "runlake/ingest.h"
#include "runlake/object_store.h"
#include "runlake/rules.h"
#include "runlake/sample.h"
#include "serve/dashboard.h"
#include "runlake/state_store.h"

namespace runlake::serve::testing {

inline constexpr const char* kHostile = "<script>alert(1)</script>";
inline constexpr const char* kBackfillId = "backfill-2024-01-04-to-2024-01-05-20261203T000000Z";

inline std::string BronzeKeyOf(const std::string& date, const std::string& bronze_run) {
  return "bronze/mortgages/transactions/ingest_date=" + date + "/run_id=" + bronze_run + "/" +
         date + ".csv.gz";
}

inline std::string InputJson(const std::string& run_key, const std::string& s3_key) {
  return nlohmann::json{{"run_key", run_key},
                        {"s3_bucket", "lake"},
                        {"s3_key", s3_key},
                        {"schema_version", "v1"},
                        {"trigger_source", "test"},
                        {"trigger_event_id", "e-" + run_key},
                        {"trigger_event_time", "2024-01-07T00:00:00Z"}}
      .dump();
}

class ServeTestLake {
 public:
  std::unique_ptr<ObjectStore> store;
  std::unique_ptr<StateStore> state;
  std::string log_dir;
  runlake::testing::TempDir dir;

  // Builds the lake; call under ASSERT_NO_FATAL_FAILURE.
  void Build() {
    store = NewLocalObjectStore(dir.path() + "/lake");
    ASSERT_TRUE(store->PutIfAbsent("_lake.json", "{}").ok());
    auto st = OpenSqliteStateStore(dir.path() + "/state/runlake.sqlite");
    ASSERT_TRUE(st.ok()) << st.status().ToString();
    state = std::move(*st);
    log_dir = dir.path() + "/state/logs";

    // 2024-01-01: 20 valid rows and one whose currency is markup (CURRENCY_ERROR).
    std::string csv = "TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp\n";
    for (int i = 0; i < 20; ++i) {
      csv += "T" + std::to_string(i) + ",C" + std::to_string(i % 3) +
             ",10.50,USD,2024-01-01T10:00:00Z\n";
    }
    csv += "T99,C1,1.00," + std::string(kHostile) + ",2024-01-01T10:00:00Z\n";
    Land("2024-01-01", csv);
    for (const char* date : {"2024-01-02", "2024-01-04", "2024-01-05", "2024-01-06"}) {
      SampleOptions o;
      o.rows = 200;
      o.end_date = date;
      o.invalid_fraction = 0.02;
      std::string file = dir.path() + "/" + date + ".csv";
      ASSERT_TRUE(WriteSample(file, o).ok());
      ASSERT_TRUE(IngestBronze(*store, file, IngestOptions{DatasetId{}, date, "b1"}).ok());
    }
    ExecutionContext ctx{store.get(), state.get(), log_dir, ""};
    Run(ctx, "old-2024-01-01", BronzeKeyOf("2024-01-01", "b1"));
    Run(ctx, "daily-2024-01-01", BronzeKeyOf("2024-01-01", "b1"));
    // Only USD: most sample rows are quarantined, the gate fails, nothing is published.
    auto strict = ParseRules(R"({"currencies": ["USD"]})", "strict");
    ASSERT_TRUE(strict.ok());
    Run(ctx, "strict-2024-01-02", BronzeKeyOf("2024-01-02", "b1"), *strict);
    Run(ctx, "daily-2024-01-02", BronzeKeyOf("2024-01-02", "b1"));
    // An execution whose object never landed, FAILED (`run` now refuses such an input
    // before it starts, so it is recorded here as an older runlake left it).
    ExecutionRecord missing;
    missing.name = "daily-2024-01-03";
    missing.run_id = "daily-2024-01-03";
    missing.input_json = InputJson("daily-2024-01-03", BronzeKeyOf("2024-01-03", "b1"));
    ASSERT_TRUE(state->StartExecution(missing).ok());
    ASSERT_TRUE(state->FinishExecution(missing.name, ExecutionStatus::kFailed, "NotFound",
                                       "bronze object not found", nlohmann::json::object()).ok());

    BackfillRecord b;
    b.id = kBackfillId;
    b.stamp = "20261203T000000Z";
    b.from_date = "2024-01-04";
    b.to_date = "2024-01-05";
    b.status = BackfillStatus::kRunning;
    b.options.concurrency = 1;
    std::string exec5 = BackfillExecutionName(b.id, "2024-01-05", 1);
    std::string run5 = BackfillRunId("2024-01-05", b.stamp, 1);
    b.dates = {{"2024-01-04", BronzeKeyOf("2024-01-04", "b1"), 0, "", ""},
               {"2024-01-05", BronzeKeyOf("2024-01-05", "b1"), 1, run5, exec5}};
    ASSERT_TRUE(state->CreateBackfill(b).ok());
    ExecutionRecord running;
    running.name = exec5;
    running.run_id = run5;
    running.input_json = InputJson(run5, BronzeKeyOf("2024-01-05", "b1"));
    ASSERT_TRUE(state->StartExecution(running).ok());
  }

  DashboardSources Sources() { return {store.get(), state.get(), log_dir, ""}; }

 private:
  void Land(const std::string& date, const std::string& csv) {
    std::string file = dir.path() + "/" + date + ".csv";
    std::ofstream(file, std::ios::binary) << csv;
    auto r = IngestBronze(*store, file, IngestOptions{DatasetId{}, date, "b1"});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }

  void Run(const ExecutionContext& ctx, const std::string& run_key, const std::string& key,
           std::optional<Rules> rules = std::nullopt) {
    StartRequest req;
    req.input_json = InputJson(run_key, key);
    req.rules = std::move(rules);
    req.max_attempts = 1;
    req.publish = PublishesItself(*ParseExecutionInput(req.input_json, "input"), run_key);  // as `runlake run`
    auto out = RunExecution(ctx, req);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
  }
};

}  // namespace runlake::serve::testing
