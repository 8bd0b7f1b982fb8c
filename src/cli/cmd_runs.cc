// runlake runs list|show RID: committed runs and their manifests.

#include <iostream>
#include <set>

#include "cli/cli_context.h"
#include "cli/print_run.h"
#include "cli/text_table.h"
#include "runlake/canonical_table.h"
#include "runlake/pointer.h"
#include "runlake/run_diff.h"
#include "runlake/run_delete.h"
#include "runlake/run_listing.h"
#include "runlake/run_manifest.h"

namespace runlake::cli {

void RegisterRuns(CLI::App& app, CliContext& ctx, int& exit_code) {
  auto* cmd = app.add_subcommand("runs", "Committed runs: list, show, diff, delete");
  cmd->require_subcommand(1);
  static std::string run_id, run_b;
  static bool force = false;

  auto* list = cmd->add_subcommand("list", "Every committed run");
  list->callback(ctx.Handle(exit_code, [&ctx]() -> Status {
    auto store = ctx.Store();
    if (!store.ok()) return store.status();
    auto listing = ListRunsWithCanonical(**store);
    if (!listing.ok()) return listing.status();
    for (const auto& b : listing->broken) {
      std::cerr << "runlake: warning: run " << b.run_id << " is invisible: " << b.problem << "\n";
    }
    if (ctx.json) {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& [m, canonical_sources] : listing->runs) {
        nlohmann::json j = ManifestToJson(m);
        j["canonical_sources"] = canonical_sources;
        j["status"] = "ok";
        arr.push_back(j);
      }
      for (const auto& b : listing->broken) {
        arr.push_back({{"run_id", b.run_id}, {"status", "CORRUPT"}, {"problem", b.problem}});
      }
      ctx.PrintJson(arr);
      return Status::OK();
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& [m, canonical_sources] : listing->runs) {
      std::string dates;
      for (const auto& s : m.sources) dates += (dates.empty() ? "" : ",") + s.ingest_date;
      size_t n = canonical_sources.size();
      std::string canon = n == 0 ? "-" : n == m.sources.size() || m.kind == "gold" ? "yes"
                                                                : std::to_string(n) + "/" + std::to_string(m.sources.size());
      rows.push_back({m.run_id, m.kind, m.dataset.path(), dates, std::to_string(m.metrics.input_rows),
                      std::to_string(m.metrics.valid_rows), std::to_string(m.metrics.quarantined_rows),
                      std::to_string(m.metrics.condemned_rows), m.gate.passed ? "passed" : "FAILED", canon,
                      m.completed_at});
    }
    for (const auto& b : listing->broken) {
      rows.push_back({b.run_id, "CORRUPT", "-", "-", "-", "-", "-", "-", "-", "-", "-"});
    }
    PrintTable({"RUN_ID", "KIND", "DATASET", "SOURCES", "INPUT", "VALID", "QUARANTINED", "CONDEMNED", "GATE",
                "CANONICAL", "COMPLETED"},
               rows);
    return Status::OK();
  }));

  auto* show = cmd->add_subcommand("show", "One run's manifest");
  show->add_option("RID", run_id, "run_id")->required();
  show->callback(ctx.Handle(exit_code, [&ctx]() -> Status {
    auto store = ctx.Store();
    if (!store.ok()) return store.status();
    auto m = LoadRunManifest(**store, run_id);
    if (!m.ok()) return m.status();
    if (!*m) {
      return Status::NotFound("run '" + run_id + "' is not committed (no _runs/" + run_id + ".json)");
    }
    if (ctx.json) ctx.PrintJson(ManifestToJson(**m));
    else PrintRunManifest(**m);
    return Status::OK();
  }));

  auto* diff = cmd->add_subcommand("diff", "Compare two runs per source, per partition and per transaction_id");
  diff->add_option("RID_A", run_id, "the original run")->required();
  diff->add_option("RID_B", run_b, "the new run (a backfill, say)")->required();
  diff->callback(ctx.Handle(exit_code, [&ctx]() -> Status {
    auto store = ctx.Store();
    if (!store.ok()) return store.status();
    auto c = CompareRuns(**store, run_id, run_b);
    if (!c.ok()) return c.status();
    const RunDiff& d = c->diff;
    if (ctx.json) {
      nlohmann::json j = RunDiffToJson(d);
      j["transitions"] = TransitionsToJson(c->transitions);
      ctx.PrintJson(j);
      return Status::OK();
    }
    auto pair = [](const auto& side_by_side, auto figure) {
      auto one = [&](const auto& side) { return side ? figure(*side) : std::string("-"); };
      return one(side_by_side.a) + " / " + one(side_by_side.b);
    };
    // A figure of a source side, "-" when the run's manifest has no entry for the source.
    auto fig = [](int64_t SourceSide::*field) {
      return [field](const SourceSide& s) { return s.has_figures ? std::to_string(s.*field) : std::string("-"); };
    };
    std::vector<std::vector<std::string>> rows;
    for (const auto& [source, v] : d.sources) {
      rows.push_back({source, pair(v, fig(&SourceSide::input_rows)), pair(v, fig(&SourceSide::valid_rows)),
                      pair(v, fig(&SourceSide::quarantined_rows)), pair(v, fig(&SourceSide::condemned_rows))});
    }
    std::cout << "per source (A / B):\n";
    PrintTable({"SOURCE", "INPUT", "VALID", "QUARANTINED", "CONDEMNED"}, rows);
    rows.clear();
    for (const auto& [part, v] : d.partitions) {
      rows.push_back({part, pair(v, [](const PartitionSide& p) { return std::to_string(p.valid_rows); }),
                      pair(v, [](const PartitionSide& p) { return p.amount_sum; })});
    }
    std::cout << "\nper partition (A / B):\n";
    PrintTable({"PARTITION", "VALID", "AMOUNT SUM"}, rows);
    rows.clear();
    for (const auto& [source, v] : d.sources) {
      std::set<std::string> reasons;
      for (const auto* side : {&v.a, &v.b}) {
        if (*side) for (const auto& [r, n] : (*side)->quarantine_by_reason) reasons.insert(r);
      }
      auto count = [](const std::optional<SourceSide>& side, const std::string& r) {
        if (!side) return std::string("0");
        auto it = side->quarantine_by_reason.find(r);
        return it == side->quarantine_by_reason.end() ? std::string("0") : std::to_string(it->second);
      };
      for (const auto& r : reasons) rows.push_back({source, r, count(v.a, r) + " / " + count(v.b, r)});
    }
    if (!rows.empty()) {
      std::cout << "\nquarantine by reason (A / B):\n";
      PrintTable({"SOURCE", "REASON", "ROWS"}, rows);
    }
    rows.clear();
    for (const auto& [reason, t] : c->transitions) {
      rows.push_back({reason, std::to_string(t.valid), std::to_string(t.still_failing),
                      std::to_string(t.other_reason), std::to_string(t.not_in_b)});
    }
    if (!rows.empty()) {
      std::cout << "\nA's rejected rows in B (by row_hash):\n";
      PrintTable({"REASON IN A", "VALID IN B", "STILL FAILING", "OTHER REASON", "NOT IN B"}, rows);
    }
    std::cout << "\ntransactions: " << d.added << " added, " << d.removed << " removed, " << d.changed
              << " changed, " << d.unchanged << " unchanged (--json lists them)\n";
    return Status::OK();
  }));

  auto* del = cmd->add_subcommand("delete", "Delete a run's files and manifest (never another run's)");
  del->add_option("RID", run_id, "run_id")->required();
  del->add_flag("--force", force, "delete even if the newest pointer version references it");
  del->callback(ctx.Handle(exit_code, [&ctx]() -> Status {
    auto store = ctx.Store();
    if (!store.ok()) return store.status();
    auto o = DeleteRun(**store, run_id, force, PublishCanonicalTable);
    if (!o.ok()) return o.status();
    if (ctx.json) {
      ctx.PrintJson({{"run_id", run_id}, {"was_committed", o->was_committed}, {"files_deleted", o->files_deleted},
                     {"older_versions_referencing", o->older_versions_referencing},
                     {"was_corrupt", o->was_corrupt}, {"unmapped_version", o->unmapped_version},
                     {"unmapped_sources", o->unmapped_sources}});
      return Status::OK();
    }
    std::cout << "deleted " << (o->was_committed ? "run " : "uncommitted run ") << run_id << " ("
              << o->files_deleted << " files)\n";
    if (o->unmapped_version) {
      std::cout << "it was canonical: committed silver pointer version " << o->unmapped_version
                << " without it (sources no longer canonical:";
      for (const auto& src : o->unmapped_sources) std::cout << " " << src;
      std::cout << ")\n";
    }
    if (!o->older_versions_referencing.empty()) {
      std::cerr << "runlake: note: older pointer versions reference it; rolling back to them is now refused:";
      for (auto v : o->older_versions_referencing) std::cerr << " " << v;
      std::cerr << "\n";
    }
    return Status::OK();
  }));
}

}  // namespace runlake::cli
