#include "runlake/run_admin.h"

#include "engine/engine.h"
#include "engine/views.h"
#include "lake/catalog.h"
#include "lake/local_files.h"
#include "lake/staging.h"
#include "runlake/pointer.h"
#include "runlake/run.h"

namespace runlake {
namespace {

using nlohmann::json;

Result<RunManifest> MustLoad(ObjectStore& store, const std::string& run_id) {
  RUNLAKE_ASSIGN_OR_RAISE(auto m, LoadRunManifest(store, run_id));
  if (!m) return Status::NotFound("run '" + run_id + "' is not committed (no _runs/" + run_id + ".json)");
  return *m;
}

json SourceFigures(const RunSource& s) {
  return {{"key", s.key}, {"input_rows", s.input_rows}, {"valid_rows", s.valid_rows},
          {"quarantined_rows", s.quarantined_rows}, {"condemned_rows", s.condemned_rows}};
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

int64_t AsInt(const std::optional<std::string>& v) { return v ? std::stoll(*v) : 0; }

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
  d.sources = json::object();
  for (const auto& s : a.sources) d.sources[s.ingest_date]["a"] = SourceFigures(s);
  for (const auto& s : b.sources) d.sources[s.ingest_date]["b"] = SourceFigures(s);

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
    for (const auto& row : r.rows) d.sources[*row[0]][side]["quarantine_by_reason"][*row[1]] = AsInt(row[2]);
  }
  d.partitions = json::object();
  for (const char* side : {"a", "b"}) {
    RUNLAKE_ASSIGN_OR_RAISE(auto r, engine->Query(std::string("SELECT printf('year=%04d/month=%02d', year, month), "
                                                              "count(*), CAST(sum(amount) AS VARCHAR) FROM silver_") +
                                                  side + " GROUP BY ALL ORDER BY ALL"));
    for (const auto& row : r.rows) {
      d.partitions[*row[0]][side] = {{"valid_rows", AsInt(row[1])}, {"amount_sum", row[2].value_or("0")}};
    }
  }
  // Row level, by (ingest_date, transaction_id): ids are unique per source only, and a
  // multi-source run holds several. A row "changed" when any business column differs.
  RUNLAKE_RETURN_NOT_OK(engine->Execute(R"(
    CREATE TEMP TABLE row_diff AS
    SELECT coalesce(a.transaction_id, b.transaction_id) AS transaction_id,
           CASE WHEN a.transaction_id IS NULL THEN 'added'
                WHEN b.transaction_id IS NULL THEN 'removed'
                WHEN a.account_id IS DISTINCT FROM b.account_id OR a.amount IS DISTINCT FROM b.amount
                  OR a.currency IS DISTINCT FROM b.currency OR a.tx_date IS DISTINCT FROM b.tx_date
                  OR a.transaction_type IS DISTINCT FROM b.transaction_type THEN 'changed'
                ELSE 'unchanged' END AS kind
    FROM (SELECT * FROM silver_a) a FULL OUTER JOIN (SELECT * FROM silver_b) b
      ON a.transaction_id = b.transaction_id AND a.ingest_date = b.ingest_date)"));
  RUNLAKE_ASSIGN_OR_RAISE(auto counts, engine->Query("SELECT kind, count(*) FROM row_diff GROUP BY kind"));
  for (const auto& row : counts.rows) {
    int64_t n = AsInt(row[1]);
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
  return {{"run_a", d.run_a}, {"run_b", d.run_b}, {"sources", d.sources}, {"partitions", d.partitions},
          {"rows", {{"added", d.added}, {"removed", d.removed}, {"changed", d.changed}, {"unchanged", d.unchanged}}},
          {"added_ids", d.added_ids}, {"removed_ids", d.removed_ids}, {"changed_ids", d.changed_ids}};
}

namespace {

// Every object under a run_id=<RID>/ folder outside bronze: the files of a run whose
// dataset is unknown (uncommitted, or its manifest does not parse).
Result<int> DeleteFilesAnywhere(ObjectStore& store, const std::string& run_id) {
  int deleted = 0;
  RUNLAKE_ASSIGN_OR_RAISE(auto objects, store.List(""));
  std::string marker = "/run_id=" + run_id + "/";
  for (const auto& o : objects) {
    if (o.key.rfind("bronze/", 0) == 0 || o.key.find(marker) == std::string::npos) continue;
    RUNLAKE_RETURN_NOT_OK(store.Delete(o.key));
    ++deleted;
  }
  return deleted;
}

// Commits a version without the sources `run_id` is canonical for.
Status UnmapRun(PointerLog& log, const std::string& run_id, DeleteOutcome* out) {
  RUNLAKE_ASSIGN_OR_RAISE(PointerVersion v, log.Commit([&](const std::optional<PointerVersion>& head)
                                                           -> Result<PointerVersion> {
    PointerVersion next;
    if (head) next.sources = head->sources;
    next.replaced.clear();
    for (auto it = next.sources.begin(); it != next.sources.end();) {
      if (it->second == run_id) {
        next.replaced.push_back(PointerChange{it->first, run_id, ""});
        it = next.sources.erase(it);
      } else {
        ++it;
      }
    }
    next.action = "delete";
    next.reason = "runs delete --force " + run_id;
    return next;
  }));
  out->unmapped_version = v.version;
  for (const auto& c : v.replaced) out->unmapped_sources.push_back(c.source);
  return Status::OK();
}

}  // namespace

Result<DeleteOutcome> DeleteRun(ObjectStore& store, const std::string& run_id, bool force) {
  RUNLAKE_RETURN_NOT_OK(ValidateRunId(run_id));
  DeleteOutcome out;
  auto loaded = LoadRunManifest(store, run_id);
  if (!loaded.ok() && loaded.status().code() == StatusCode::kCorruption) {
    if (!force) {
      return Status::FailedPrecondition(loaded.status().message() +
                                        "; the run is invisible. `runlake runs delete --force " + run_id +
                                        "` removes it");
    }
    out.was_committed = true;
    out.was_corrupt = true;
    RUNLAKE_RETURN_NOT_OK(store.Delete(layout::RunManifestKey(run_id)));
    RUNLAKE_ASSIGN_OR_RAISE(out.files_deleted, DeleteFilesAnywhere(store, run_id));
    RUNLAKE_RETURN_NOT_OK(store.Delete(layout::RunClaimKey(run_id)));
    return out;
  }
  RUNLAKE_RETURN_NOT_OK(loaded.status());
  auto& m = *loaded;
  RUNLAKE_ASSIGN_OR_RAISE(auto claim, store.Head(layout::RunClaimKey(run_id)));
  if (!m && !claim) return Status::NotFound("run '" + run_id + "' does not exist");
  if (m) {
    out.was_committed = true;
    PointerLog log(store, m->kind == "gold" ? "gold" : "silver", m->dataset);
    RUNLAKE_ASSIGN_OR_RAISE(auto history, log.History());
    bool canonical = false;
    for (const auto& v : history) {
      auto refs = v.ReferencedRuns();
      if (std::find(refs.begin(), refs.end(), run_id) == refs.end()) continue;
      if (&v == &history.back()) {
        if (!force) {
          return Status::FailedPrecondition("run '" + run_id + "' is canonical in the newest pointer version (" +
                                            std::to_string(v.version) +
                                            "); promote or roll back first, or pass --force");
        }
        canonical = true;
      }
      out.older_versions_referencing.push_back(v.version);
    }
    // Unmap first: a crash after it leaves a run no version newer than the delete names.
    if (canonical) RUNLAKE_RETURN_NOT_OK(UnmapRun(log, run_id, &out));
    // The manifest goes first: from here on the run is invisible, whatever happens next.
    RUNLAKE_RETURN_NOT_OK(store.Delete(layout::RunManifestKey(run_id)));
    RUNLAKE_ASSIGN_OR_RAISE(out.files_deleted, DeleteRunFiles(store, m->dataset, run_id));
  } else {
    RUNLAKE_ASSIGN_OR_RAISE(out.files_deleted, DeleteFilesAnywhere(store, run_id));
    // Its staging too, when the process that wrote it is gone.
    RUNLAKE_RETURN_NOT_OK(Staging::SweepDead(store).status());
  }
  RUNLAKE_RETURN_NOT_OK(store.Delete(layout::RunClaimKey(run_id)));
  return out;
}

}  // namespace runlake
