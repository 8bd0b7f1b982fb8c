#pragma once
// Gold tables, built from canonical silver at one pointer version and recorded with it,
// so gold is reproducible and its staleness visible. Layout:
// gold/<domain>/<table>/run_id=<RID>/part-00000.parquet + _SUCCESS, the manifest
// _runs/<RID>.json (kind "gold", built_from_version), and the table's own pointer log
// gold/<domain>/<table>/_pointer_log/ whose single source is the table name.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runlake/object_store.h"
#include "runlake/pointer.h"
#include "runlake/query_result.h"
#include "runlake/run_manifest.h"

namespace runlake {

class Engine;

// The tables runlake can build.
const std::vector<std::string>& GoldTables();  // {"account_balances"}

struct GoldBuildRequest {
  DatasetId silver;                      // the silver dataset it reads
  std::string table = "account_balances";
  int64_t at_version = 0;                // silver pointer version; 0: the newest
  std::string run_id;                    // "": gold-<table>-<UTC timestamp>
  std::string reason;
};

struct GoldBuildResult {
  RunManifest manifest;
  PointerVersion pointer;  // the gold table's new pointer version
  int64_t rows = 0;
};

// Builds the table and makes it the gold table's canonical run. Errors: InvalidArgument
// for an unknown table, FailedPrecondition when silver has no pointer version yet,
// NotFound for an unknown --at-version, FailedPrecondition when that version references a
// deleted run, or when the table (gold/<domain>/<table>) holds another dataset's build,
// AlreadyExists for a taken run_id.
Result<GoldBuildResult> BuildGold(ObjectStore& store, const GoldBuildRequest& request);

struct GoldStatus {
  std::string table;
  std::optional<std::string> run_id;  // the canonical gold run; nullopt: never built
  int64_t built_from_version = 0;
  std::string built_from_dataset;     // the silver dataset of the canonical gold run
  int64_t silver_head_version = 0;
  bool stale = false;                 // silver's pointer moved since the build, or another
                                      // dataset built it
};
Result<GoldStatus> GetGoldStatus(ObjectStore& store, const DatasetId& silver, const std::string& table);

// `gold build --json`: {"table", "run_id", "rows", "built_from_version", "gold_pointer_version"}.
nlohmann::json GoldBuildResultToJson(const std::string& table, const GoldBuildResult& result);
// `gold status --json`: {"table", "run_id" (null: never built), "built_from_version",
// "built_from_dataset", "silver_version", "stale"}.
nlohmann::json GoldStatusToJson(const GoldStatus& status);

// Lineage of one gold balance (`runlake trace`): the balance rows of an account for a month
// and the silver rows (with their bronze file and line) that sum to them, read at the
// silver pointer version the canonical gold build was made from.
struct TraceRequest {
  DatasetId silver;
  std::string account;   // account_id
  std::string month;     // YYYY-MM
  std::string currency;  // "": every currency
};
struct BalanceTrace {
  int64_t silver_version = 0;  // the version the gold table was built from
  QueryResult balance;         // account_id, currency, month, balance
  QueryResult rows;            // transaction_id, currency, amount, tx_date, run_id,
                               // source_key, source_line, row_hash
};
// InvalidArgument for a month that is not YYYY-MM; FailedPrecondition when the gold table
// has not been built, or was built from another dataset.
Result<BalanceTrace> TraceBalance(ObjectStore& store, const TraceRequest& request);

// Creates view gold_<table> over each built table's canonical run (used by the catalog).
Status CreateGoldViews(Engine& engine, ObjectStore& store, const std::vector<RunManifest>& runs,
                       const std::string& domain, const std::string& scratch_dir);

}  // namespace runlake
