#include "runlake/gold.h"

#include <filesystem>

#include "common/parse_number.h"
#include "runlake/clock.h"
#include "engine/engine.h"
#include "catalog/catalog.h"
#include "store/local_files.h"
#include "ledger/run_claim.h"
#include "ledger/staging.h"
#include "runlake/version.h"

namespace runlake {
namespace {

using nlohmann::json;

// account_balances (DESIGN.md): for every account x currency in canonical silver and
// every month from the first to the last month with data, the sum of its amounts up to
// that month's end, carried through months without transactions, none before the
// account's first transaction.
const char* kAccountBalancesSql = R"(
WITH tx AS (
  SELECT account_id, currency, strftime(tx_date, '%Y-%m') AS month, amount FROM silver_current),
bounds AS (SELECT min(month) AS lo, max(month) AS hi FROM tx),
months AS (
  SELECT strftime(m, '%Y-%m') AS month
  FROM bounds, range(strptime(lo, '%Y-%m'), strptime(hi, '%Y-%m') + INTERVAL 1 MONTH,
                     INTERVAL 1 MONTH) AS r(m)),
firsts AS (SELECT account_id, currency, min(month) AS first_month FROM tx GROUP BY ALL),
monthly AS (SELECT account_id, currency, month, sum(amount) AS total FROM tx GROUP BY ALL)
SELECT f.account_id, f.currency, m.month,
       CAST(sum(coalesce(mo.total, 0)) OVER (PARTITION BY f.account_id, f.currency ORDER BY m.month)
            AS DECIMAL(38,2)) AS balance
FROM firsts f JOIN months m ON m.month >= f.first_month
LEFT JOIN monthly mo ON mo.account_id = f.account_id AND mo.currency = f.currency AND mo.month = m.month
ORDER BY f.account_id, f.currency, m.month
)";

Status CheckTable(const std::string& table) {
  for (const auto& t : GoldTables()) {
    if (t == table) return Status::OK();
  }
  return Status::InvalidArgument("unknown gold table '" + table + "' (known: account_balances)");
}

DatasetId GoldDataset(const DatasetId& silver, const std::string& table) { return {silver.domain, table}; }

// The silver dataset a gold run was built from: its manifest's built_from_dataset, or for
// builds older than that field, its _SUCCESS's built_from.dataset.
Result<std::string> BuiltFromDataset(ObjectStore& store, const RunManifest& m) {
  if (!m.built_from_dataset.empty()) return m.built_from_dataset;
  auto text = store.Get(layout::SuccessKey(layout::GoldRunDir(m.dataset, m.run_id)));
  if (!text.ok()) return text.status().IsNotFound() ? Result<std::string>(std::string()) : text.status();
  json j = json::parse(*text, nullptr, false);
  if (j.is_object() && j.contains("built_from") && j["built_from"].is_object() &&
      j["built_from"].value("dataset", json()).is_string()) {
    return j["built_from"]["dataset"].get<std::string>();
  }
  return std::string();
}

// A gold table's path holds only its domain (gold/<domain>/<table>), so two datasets of one
// domain would replace each other's build. Until gold tables are models with declared
// inputs, a table belongs to the dataset that built it first: another one is refused.
Status RefuseOtherDatasetsGold(ObjectStore& store, const DatasetId& silver, const std::string& table) {
  DatasetId gold = GoldDataset(silver, table);
  RUNLAKE_ASSIGN_OR_RAISE(auto head, PointerLog(store, "gold", gold).Head());
  if (!head || !head->sources.count(table)) return Status::OK();
  RUNLAKE_ASSIGN_OR_RAISE(auto m, LoadRunManifest(store, head->sources.at(table)));
  if (!m) return Status::OK();  // its run was deleted: nothing left to replace
  RUNLAKE_ASSIGN_OR_RAISE(std::string from, BuiltFromDataset(store, *m));
  if (from.empty() || from == silver.path()) return Status::OK();
  return Status::FailedPrecondition(
      "gold table " + gold.path() + " holds a build of " + from + " (run " + m->run_id + "); building it from " +
      silver.path() + " would replace it: a domain's " + table + " is built from one dataset");
}

}  // namespace

const std::vector<std::string>& GoldTables() {
  static const std::vector<std::string> tables = {"account_balances"};
  return tables;
}

Result<GoldBuildResult> BuildGold(ObjectStore& store, const GoldBuildRequest& req) {
  RUNLAKE_RETURN_NOT_OK(CheckTable(req.table));
  RUNLAKE_RETURN_NOT_OK(RefuseOtherDatasetsGold(store, req.silver, req.table));
  PointerLog silver_log(store, "silver", req.silver);
  if (req.at_version < 0) {
    return Status::InvalidArgument("a silver pointer version is >= 1 (0: the newest), not " +
                                   std::to_string(req.at_version));
  }
  int64_t version = req.at_version;
  if (version == 0) {
    RUNLAKE_ASSIGN_OR_RAISE(auto head, silver_log.Head());
    if (!head) {
      return Status::FailedPrecondition("silver " + req.silver.path() +
                                        " has no canonical data yet (no pointer version): run or promote first");
    }
    version = head->version;
  }
  const std::string base = req.run_id.empty() ? "gold-" + req.table + "-" + NowRunIdTimestamp() : req.run_id;
  RUNLAKE_RETURN_NOT_OK(ValidateRunId(base));
  RUNLAKE_ASSIGN_OR_RAISE(Staging staging, Staging::Create(store, "gold-" + base));
  RUNLAKE_ASSIGN_OR_RAISE(auto engine,
                          OpenCatalog(store, CatalogOptions{req.silver, staging.dir(), version}));

  // The run_id is claimed once the version is known to exist. A generated one taken by
  // another build in the same second gets a suffix, as `ingest` does; a chosen one is refused.
  std::string run_id;
  for (int attempt = 0;; ++attempt) {
    run_id = attempt == 0 ? base : base + "-" + std::to_string(attempt);
    Status claimed = ClaimRunId(store, run_id, "gold build", "silver@v" + std::to_string(version));
    if (claimed.ok()) break;
    if (!claimed.IsAlreadyExists() || !req.run_id.empty() || attempt >= 100) return claimed;
  }
  RunManifest m;
  m.run_id = run_id;
  m.kind = "gold";
  m.built_from_version = version;
  m.built_from_dataset = req.silver.path();
  m.dataset = GoldDataset(req.silver, req.table);
  m.schema_version = "gold";
  m.trigger_source = "gold build";
  m.started_at = NowIso8601Utc();
  m.code_version = CodeVersion();
  auto started = std::chrono::steady_clock::now();

  std::string local = staging.dir() + "/part-00000.parquet";
  RUNLAKE_RETURN_NOT_OK(engine->Execute("COPY (" + std::string(kAccountBalancesSql) + ") TO " +
                                        Engine::Quote(local) + " (FORMAT parquet, COMPRESSION zstd)"));
  RUNLAKE_ASSIGN_OR_RAISE(auto counted,
                          engine->Query("SELECT count(*) FROM read_parquet(" + Engine::Quote(local) + ")"));
  RUNLAKE_ASSIGN_OR_RAISE(int64_t rows, ParseInt64Cell(counted.rows.at(0).at(0), "gold build: the row count"));
  uint64_t bytes = std::filesystem::file_size(local);

  std::string dir = layout::GoldRunDir(m.dataset, run_id);
  std::string key = dir + "/part-00000.parquet";
  RUNLAKE_RETURN_NOT_OK(store.PutFile(key, local));
  m.files.push_back(RunFile{key, "gold", "", rows, bytes});
  m.metrics.input_rows = rows;
  m.metrics.valid_rows = rows;
  m.metrics.bytes_written = bytes;
  m.metrics.duration_seconds = SecondsSince(started);
  m.completed_at = NowIso8601Utc();
  json success = {{"run_id", run_id}, {"table", req.table}, {"partition_rows", rows},
                  {"built_from", {{"layer", "silver"}, {"dataset", req.silver.path()},
                                  {"pointer_version", version}}},
                  {"completed_at", m.completed_at}, {"metrics", MetricsToJson(m.metrics)}};
  RUNLAKE_RETURN_NOT_OK(store.Put(layout::SuccessKey(dir), success.dump(2) + "\n"));
  RUNLAKE_RETURN_NOT_OK(store.PutIfAbsent(layout::RunManifestKey(run_id), ManifestToJson(m).dump(2) + "\n"));

  PointerLog gold_log(store, "gold", m.dataset);
  RUNLAKE_ASSIGN_OR_RAISE(PointerVersion pv, gold_log.Commit([&](const std::optional<PointerVersion>& head)
                                                                 -> Result<PointerVersion> {
    PointerVersion v;
    v.sources[req.table] = run_id;
    std::string old = head && head->sources.count(req.table) ? head->sources.at(req.table) : "";
    v.replaced.push_back(PointerChange{req.table, old, run_id});
    v.action = "build";
    v.run_id = run_id;
    v.run_ids = {run_id};
    v.reason = req.reason.empty() ? "built from silver pointer version " + std::to_string(version) : req.reason;
    return v;
  }));
  return GoldBuildResult{m, pv, rows};
}

Result<GoldStatus> GetGoldStatus(ObjectStore& store, const DatasetId& silver, const std::string& table) {
  RUNLAKE_RETURN_NOT_OK(CheckTable(table));
  GoldStatus st;
  st.table = table;
  RUNLAKE_ASSIGN_OR_RAISE(auto silver_head, PointerLog(store, "silver", silver).Head());
  st.silver_head_version = silver_head ? silver_head->version : 0;
  RUNLAKE_ASSIGN_OR_RAISE(auto gold_head, PointerLog(store, "gold", GoldDataset(silver, table)).Head());
  if (!gold_head || !gold_head->sources.count(table)) {
    st.stale = st.silver_head_version > 0;
    return st;
  }
  st.run_id = gold_head->sources.at(table);
  RUNLAKE_ASSIGN_OR_RAISE(auto m, LoadRunManifest(store, *st.run_id));
  if (m) {
    st.built_from_version = m->built_from_version;
    RUNLAKE_ASSIGN_OR_RAISE(st.built_from_dataset, BuiltFromDataset(store, *m));
  }
  if (st.built_from_dataset.empty()) st.built_from_dataset = silver.path();
  // Another dataset's build says nothing about this one's silver: never "up to date".
  st.stale = st.built_from_dataset != silver.path() || st.built_from_version != st.silver_head_version;
  return st;
}

Status CreateGoldViews(Engine& engine, ObjectStore& store, const std::vector<RunManifest>& runs,
                       const std::string& domain, const std::string& scratch_dir) {
  for (const auto& table : GoldTables()) {
    DatasetId gold{domain, table};
    RUNLAKE_ASSIGN_OR_RAISE(auto head, PointerLog(store, "gold", gold).Head());
    std::vector<std::string> keys;
    if (head && head->sources.count(table)) {
      for (const auto& m : runs) {
        if (m.run_id == head->sources.at(table)) keys = CommittedFileKeys({m}, gold, "gold");
      }
    }
    std::string view = "gold_" + table;
    if (keys.empty()) {
      RUNLAKE_RETURN_NOT_OK(engine.Execute(
          "CREATE OR REPLACE VIEW " + view +
          " AS SELECT NULL::VARCHAR AS account_id, NULL::VARCHAR AS currency, NULL::VARCHAR AS month, "
          "NULL::DECIMAL(38,2) AS balance WHERE false"));
      continue;
    }
    RUNLAKE_ASSIGN_OR_RAISE(auto paths, LocalPathsFor(store, keys, scratch_dir));
    std::string list;
    for (const auto& p : paths) list += (list.empty() ? "" : ", ") + Engine::Quote(p);
    RUNLAKE_RETURN_NOT_OK(engine.Execute("CREATE OR REPLACE VIEW " + view + " AS SELECT * FROM read_parquet([" +
                                         list + "])"));
  }
  return Status::OK();
}

nlohmann::json GoldBuildResultToJson(const std::string& table, const GoldBuildResult& r) {
  return {{"table", table}, {"run_id", r.manifest.run_id}, {"rows", r.rows},
          {"built_from_version", r.manifest.built_from_version}, {"gold_pointer_version", r.pointer.version}};
}

nlohmann::json GoldStatusToJson(const GoldStatus& st) {
  return {{"table", st.table}, {"run_id", st.run_id ? nlohmann::json(*st.run_id) : nlohmann::json()},
          {"built_from_version", st.built_from_version}, {"built_from_dataset", st.built_from_dataset},
          {"silver_version", st.silver_head_version}, {"stale", st.stale}};
}

}  // namespace runlake
