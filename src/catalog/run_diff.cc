#include "runlake/run_diff.h"

#include "common/parse_number.h"
#include "engine/engine.h"
#include "engine/views.h"
#include "catalog/catalog.h"
#include "catalog/reject_transitions.h"
#include "ledger/staging.h"
#include "store/local_files.h"
#include "runlake/builtin_contracts.h"
#include "runlake/contract.h"
#include "runlake/dataset_revisions.h"
#include "runlake/run_manifest.h"

#include <algorithm>

namespace runlake {
namespace {

using nlohmann::json;

Result<RunManifest> MustLoad(ObjectStore& store, const std::string& run_id) {
  RUNLAKE_ASSIGN_OR_RAISE(auto m, LoadRunManifest(store, run_id));
  if (!m) return Status::NotFound("run '" + run_id + "' is not committed (no _runs/" + run_id + ".json)");
  return *m;
}

SourceSide FiguresOf(const RunSource& s) {
  SourceSide side;
  side.has_figures = true;
  side.key = s.key;
  side.input_rows = s.input_rows;
  side.valid_rows = s.valid_rows;
  side.quarantined_rows = s.quarantined_rows;
  side.condemned_rows = s.condemned_rows;
  return side;
}

template <typename Side>
std::optional<Side>& SideOf(SideBySide<Side>& pair, char side) {
  return side == 'a' ? pair.a : pair.b;
}

json SourceSideToJson(const SourceSide& s) {
  json j = json::object();
  if (s.has_figures) {
    j = {{"key", s.key}, {"input_rows", s.input_rows}, {"valid_rows", s.valid_rows},
         {"quarantined_rows", s.quarantined_rows}, {"condemned_rows", s.condemned_rows}};
  }
  if (!s.quarantine_by_reason.empty()) j["quarantine_by_reason"] = s.quarantine_by_reason;
  return j;
}

json PartitionSideToJson(const PartitionSide& p) {
  return {{"valid_rows", p.valid_rows}, {"amount_sum", p.amount_sum}};
}

template <typename Side, typename ToJson>
json SideBySideToJson(const std::map<std::string, SideBySide<Side>>& all, ToJson to_json) {
  json out = json::object();
  for (const auto& [name, pair] : all) {
    json& j = out[name];
    j = json::object();
    if (pair.a) j["a"] = to_json(*pair.a);
    if (pair.b) j["b"] = to_json(*pair.b);
  }
  return out;
}

// A silver view per run named view_a / view_b.
Status SilverViewOf(Engine& engine, ObjectStore& store, const RunManifest& m, const std::string& view,
                    const std::string& scratch) {
  RUNLAKE_ASSIGN_OR_RAISE(auto paths, LocalPathsFor(store, CommittedFileKeys({m}, m.dataset, "silver"), scratch));
  return CreateSilverView(engine, view, paths);
}

Status RejectViewOf(Engine& engine, ObjectStore& store, const RunManifest& m, const std::string& view,
                    const std::string& scratch) {
  return CreateRejectViewOf(engine, store, {m}, m.dataset, "quarantine", view, scratch);
}

Result<int64_t> AsInt(const std::optional<std::string>& v) { return ParseInt64Cell(v, "runs diff: a count"); }

// The key rows are matched by and the columns compared (DESIGN.md "runs diff"): the dataset
// contract's key and its other data columns, as run b recorded its contract (its revision;
// the transactions contract for a run that recorded none), each kept only where both runs'
// files have it. Without a key, rows are matched by every data column (none "changes").
struct DiffColumns {
  std::vector<std::string> key, values;
};

Result<std::vector<std::string>> ViewColumnNames(Engine& engine, const std::string& view) {
  RUNLAKE_ASSIGN_OR_RAISE(QueryResult r, engine.Query("DESCRIBE " + view));
  std::vector<std::string> out;
  for (const auto& row : r.rows) out.push_back(row[0].value_or(""));
  return out;
}

Result<DiffColumns> DiffColumnsOf(ObjectStore& store, Engine& engine, const RunManifest& b) {
  Contract contract = TransactionsContract();
  if (b.contract_revision > 0) {
    auto stored = GetContractRevision(store, b.dataset, b.contract_revision);
    if (stored.ok()) {
      auto parsed = ParseContract(stored->contract, b.dataset.path());
      if (parsed.ok()) contract = std::move(*parsed);
    }
  }
  RUNLAKE_ASSIGN_OR_RAISE(auto in_a, ViewColumnNames(engine, "silver_a"));
  RUNLAKE_ASSIGN_OR_RAISE(auto in_b, ViewColumnNames(engine, "silver_b"));
  auto in_both = [&](const std::string& c) {
    return std::find(in_a.begin(), in_a.end(), c) != in_a.end() &&
           std::find(in_b.begin(), in_b.end(), c) != in_b.end();
  };
  DiffColumns out;
  for (const std::string& k : contract.key) {
    if (in_both(k)) out.key.push_back(k);
  }
  for (const SilverDataColumn& c : SilverDataColumns(contract)) {
    if (!in_both(c.name) || std::find(out.key.begin(), out.key.end(), c.name) != out.key.end()) continue;
    (out.key.empty() && contract.key.empty() ? out.key : out.values).push_back(c.name);
  }
  if (out.key.empty()) return Status::InvalidArgument("runs diff: the runs share no key column");
  return out;
}

// "a.x IS NULL", "coalesce(a.x, b.x)", ... over every column of `columns`.
std::string Each(const std::vector<std::string>& columns, const std::string& pattern,
                 const std::string& separator) {
  std::string out;
  for (const std::string& c : columns) {
    std::string part = pattern;
    for (size_t at; (at = part.find("@")) != std::string::npos;) part.replace(at, 1, Engine::QuoteIdentifier(c));
    out += (out.empty() ? "" : separator) + part;
  }
  return out;
}

}  // namespace

Result<RunDiff> DiffRuns(ObjectStore& store, const std::string& run_a, const std::string& run_b,
                         const std::string& scratch, size_t detail_limit) {
  RUNLAKE_ASSIGN_OR_RAISE(RunManifest a, MustLoad(store, run_a));
  RUNLAKE_ASSIGN_OR_RAISE(RunManifest b, MustLoad(store, run_b));
  if (!(a.dataset == b.dataset)) {
    return Status::InvalidArgument("runs '" + run_a + "' and '" + run_b + "' belong to different datasets");
  }
  RunDiff d;
  d.run_a = run_a;
  d.run_b = run_b;
  for (const auto& s : a.sources) d.sources[s.ingest_date].a = FiguresOf(s);
  for (const auto& s : b.sources) d.sources[s.ingest_date].b = FiguresOf(s);

  EngineOptions eopts;
  eopts.temp_directory = scratch + "/duckdb_tmp";
  RUNLAKE_ASSIGN_OR_RAISE(auto engine, Engine::Open(eopts));
  RUNLAKE_RETURN_NOT_OK(SilverViewOf(*engine, store, a, "silver_a", scratch));
  RUNLAKE_RETURN_NOT_OK(SilverViewOf(*engine, store, b, "silver_b", scratch));
  RUNLAKE_RETURN_NOT_OK(RejectViewOf(*engine, store, a, "quarantine_a", scratch));
  RUNLAKE_RETURN_NOT_OK(RejectViewOf(*engine, store, b, "quarantine_b", scratch));

  // Quarantine by reason per source, from the files (a multi-source run's manifest only
  // has them for the whole run).
  for (const char* side : {"a", "b"}) {
    RUNLAKE_ASSIGN_OR_RAISE(auto r, engine->Query(std::string("SELECT strftime(ingest_date, '%Y-%m-%d'), "
                                                              "validation_error, count(*) FROM quarantine_") +
                                                  side + " GROUP BY ALL ORDER BY ALL"));
    for (const auto& row : r.rows) {
      RUNLAKE_ASSIGN_OR_RAISE(int64_t n, AsInt(row[2]));
      auto& figures = SideOf(d.sources[row[0].value_or("")], side[0]);
      if (!figures) figures = SourceSide{};
      figures->quarantine_by_reason[row[1].value_or("")] = n;
    }
  }
  RUNLAKE_ASSIGN_OR_RAISE(DiffColumns columns, DiffColumnsOf(store, *engine, b));
  // The partitions' sum of `amount` where the dataset has one (the transactions contract).
  const bool amount = std::find(columns.values.begin(), columns.values.end(), "amount") != columns.values.end();
  for (const char* side : {"a", "b"}) {
    RUNLAKE_ASSIGN_OR_RAISE(auto r, engine->Query(std::string("SELECT printf('year=%04d/month=%02d', year, month), "
                                                              "count(*), ") +
                                                  (amount ? "CAST(sum(amount) AS VARCHAR)" : "''") +
                                                  " FROM silver_" + side + " GROUP BY ALL ORDER BY ALL"));
    for (const auto& row : r.rows) {
      RUNLAKE_ASSIGN_OR_RAISE(int64_t valid, AsInt(row[1]));
      SideOf(d.partitions[row[0].value_or("")], side[0]) = PartitionSide{valid, row[2].value_or("0")};
    }
  }
  // Row level, by (ingest_date, the contract's key): keys are unique per source only, and a
  // multi-source run holds several. A row "changed" when any other data column differs. Its
  // id is the key's text ('|' between the columns of a composite key).
  const std::string id = columns.key.size() == 1
                             ? "CAST(coalesce(" + Each(columns.key, "a.@, b.@", "") + ") AS VARCHAR)"
                             : "concat_ws('|', " + Each(columns.key, "coalesce(a.@, b.@)", ", ") + ")";
  const std::string changed = columns.values.empty() ? "false" : Each(columns.values, "a.@ IS DISTINCT FROM b.@", " OR ");
  const std::string first_key = Engine::QuoteIdentifier(columns.key.front());
  RUNLAKE_RETURN_NOT_OK(engine->Execute(
      "CREATE TEMP TABLE row_diff AS SELECT " + id + " AS transaction_id, "
      "CASE WHEN a." + first_key + " IS NULL THEN 'added' WHEN b." + first_key + " IS NULL THEN 'removed' "
      "WHEN " + changed + " THEN 'changed' ELSE 'unchanged' END AS kind "
      "FROM (SELECT * FROM silver_a) a FULL OUTER JOIN (SELECT * FROM silver_b) b ON " +
      Each(columns.key, "a.@ = b.@", " AND ") + " AND a.ingest_date = b.ingest_date"));
  RUNLAKE_ASSIGN_OR_RAISE(auto counts, engine->Query("SELECT kind, count(*) FROM row_diff GROUP BY kind"));
  for (const auto& row : counts.rows) {
    RUNLAKE_ASSIGN_OR_RAISE(int64_t n, AsInt(row[1]));
    if (*row[0] == "added") d.added = n;
    if (*row[0] == "removed") d.removed = n;
    if (*row[0] == "changed") d.changed = n;
    if (*row[0] == "unchanged") d.unchanged = n;
  }
  for (auto [kind, ids] : {std::pair{"added", &d.added_ids}, std::pair{"removed", &d.removed_ids},
                           std::pair{"changed", &d.changed_ids}}) {
    RUNLAKE_ASSIGN_OR_RAISE(auto r, engine->Query(std::string("SELECT transaction_id FROM row_diff WHERE kind = '") +
                                                  kind + "' ORDER BY 1 LIMIT " + std::to_string(detail_limit)));
    for (const auto& row : r.rows) ids->push_back(row[0].value_or(""));
  }
  return d;
}

json RunDiffToJson(const RunDiff& d) {
  return {{"run_a", d.run_a}, {"run_b", d.run_b}, {"sources", SideBySideToJson(d.sources, SourceSideToJson)},
          {"partitions", SideBySideToJson(d.partitions, PartitionSideToJson)},
          {"rows", {{"added", d.added}, {"removed", d.removed}, {"changed", d.changed}, {"unchanged", d.unchanged}}},
          {"added_ids", d.added_ids}, {"removed_ids", d.removed_ids}, {"changed_ids", d.changed_ids}};
}

json TransitionsToJson(const std::map<std::string, RejectTransition>& transitions) {
  json out = json::object();
  for (const auto& [reason, t] : transitions) {
    out[reason] = {{"valid", t.valid}, {"still_failing", t.still_failing}, {"other_reason", t.other_reason},
                   {"not_in_b", t.not_in_b}};
  }
  return out;
}

Result<RunComparison> CompareRuns(ObjectStore& store, const std::string& run_a, const std::string& run_b,
                                  size_t detail_limit) {
  // Outside the lake: comparing runs is a read, which a user who may only read can do.
  RUNLAKE_ASSIGN_OR_RAISE(Staging scratch, Staging::CreateOutsideLake("diff"));
  RUNLAKE_ASSIGN_OR_RAISE(RunDiff diff, DiffRuns(store, run_a, run_b, scratch.dir(), detail_limit));
  RUNLAKE_ASSIGN_OR_RAISE(RunManifest a, MustLoad(store, run_a));
  RUNLAKE_ASSIGN_OR_RAISE(RunManifest b, MustLoad(store, run_b));
  RUNLAKE_ASSIGN_OR_RAISE(auto transitions, RejectTransitions(store, a, b, scratch.dir()));
  return RunComparison{std::move(a), std::move(b), std::move(diff), std::move(transitions)};
}

}  // namespace runlake
