// runlake runs list|show RID: committed runs and their manifests.

#include <iostream>
#include <set>

#include "cli/cli_context.h"
#include "cli/print_run.h"
#include "cli/text_table.h"
#include "catalog/reject_transitions.h"
#include "ledger/run_files.h"
#include "ledger/staging.h"
#include "runlake/canonical_table.h"
#include "runlake/pointer.h"
#include "runlake/run_diff.h"
#include "runlake/run_delete.h"
#include "runlake/run_index.h"
#include "runlake/run_manifest.h"

namespace runlake::cli {

void RegisterRuns(CLI::App& app, CliContext& ctx, int& exit_code) {
  auto* cmd = app.add_subcommand("runs", "Committed runs: list, show, diff, delete");
  cmd->require_subcommand(1);
  static std::string run_id, run_b;
  static bool force = false;

  auto* list = cmd->add_subcommand("list", "Every committed run");
  list->callback([&ctx, &exit_code] {
    auto store = ctx.Store();
    if (!store.ok()) { exit_code = ctx.Fail(store.status()); return; }
    auto listing = ListRuns(**store);
    if (!listing.ok()) { exit_code = ctx.Fail(listing.status()); return; }
    // On a local lake a stat per file is cheap: a run with a missing or wrong-size file
    // shows CORRUPT, as every query leaves it out. (On S3 that is a HEAD per file of every
    // run; `runlake check` lists them instead.)
    if ((*store)->LocalPath("_runs")) {
      std::vector<const RunManifest*> all;
      for (const auto& m : listing->runs) all.push_back(&m);
      auto problems = CheckRunFiles(**store, all);
      if (!problems.ok()) { exit_code = ctx.Fail(problems.status()); return; }
      std::set<std::string> corrupt;
      for (const auto& p : *problems) {
        if (corrupt.insert(p.run_id).second) listing->broken.push_back(BrokenRun{p.run_id, p.problem});
      }
      std::erase_if(listing->runs, [&](const RunManifest& m) { return corrupt.count(m.run_id) > 0; });
    }
    for (const auto& b : listing->broken) {
      std::cerr << "runlake: warning: run " << b.run_id << " is invisible: " << b.problem << "\n";
    }
    auto runs = &listing->runs;
    // Which sources each run is canonical for, from each dataset's newest pointer version.
    std::map<std::string, std::vector<std::string>> canonical;
    std::map<std::string, bool> seen;
    for (const auto& m : *runs) {
      std::string layer = m.kind == "gold" ? "gold" : "silver";
      if (seen[layer + m.dataset.path()]) continue;
      seen[layer + m.dataset.path()] = true;
      auto head = PointerLog(**store, layer, m.dataset).Head();
      if (!head.ok()) { exit_code = ctx.Fail(head.status()); return; }
      if (*head) for (const auto& [source, run] : (*head)->sources) canonical[run].push_back(source);
    }
    if (ctx.json) {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& m : *runs) {
        nlohmann::json j = ManifestToJson(m);
        j["canonical_sources"] = canonical[m.run_id];
        j["status"] = "ok";
        arr.push_back(j);
      }
      for (const auto& b : listing->broken) {
        arr.push_back({{"run_id", b.run_id}, {"status", "CORRUPT"}, {"problem", b.problem}});
      }
      ctx.PrintJson(arr);
      return;
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& m : *runs) {
      std::string dates;
      for (const auto& s : m.sources) dates += (dates.empty() ? "" : ",") + s.ingest_date;
      size_t n = canonical[m.run_id].size();
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
  });

  auto* show = cmd->add_subcommand("show", "One run's manifest");
  show->add_option("RID", run_id, "run_id")->required();
  show->callback([&ctx, &exit_code] {
    auto store = ctx.Store();
    if (!store.ok()) { exit_code = ctx.Fail(store.status()); return; }
    auto m = LoadRunManifest(**store, run_id);
    if (!m.ok()) { exit_code = ctx.Fail(m.status()); return; }
    if (!*m) {
      exit_code = ctx.Fail(Status::NotFound("run '" + run_id + "' is not committed (no _runs/" + run_id + ".json)"));
      return;
    }
    if (ctx.json) ctx.PrintJson(ManifestToJson(**m));
    else PrintRunManifest(**m);
  });

  auto* diff = cmd->add_subcommand("diff", "Compare two runs per source, per partition and per transaction_id");
  diff->add_option("RID_A", run_id, "the original run")->required();
  diff->add_option("RID_B", run_b, "the new run (a backfill, say)")->required();
  diff->callback([&ctx, &exit_code] {
    auto store = ctx.Store();
    if (!store.ok()) { exit_code = ctx.Fail(store.status()); return; }
    auto scratch = Staging::Create(**store, "diff");
    if (!scratch.ok()) { exit_code = ctx.Fail(scratch.status()); return; }
    auto d = DiffRuns(**store, run_id, run_b, scratch->dir());
    if (!d.ok()) { exit_code = ctx.Fail(d.status()); return; }
    auto ma = LoadRunManifest(**store, run_id);
    auto mb = LoadRunManifest(**store, run_b);
    if (!ma.ok() || !mb.ok()) { exit_code = ctx.Fail(!ma.ok() ? ma.status() : mb.status()); return; }
    auto transitions = RejectTransitions(**store, **ma, **mb, scratch->dir());
    if (!transitions.ok()) { exit_code = ctx.Fail(transitions.status()); return; }
    if (ctx.json) {
      nlohmann::json j = RunDiffToJson(*d);
      j["transitions"] = *transitions;
      ctx.PrintJson(j);
      return;
    }
    auto fig = [](const nlohmann::json& side, const char* k) {
      return side.is_object() && side.contains(k) ? side[k].dump() : std::string("-");
    };
    std::vector<std::vector<std::string>> rows;
    for (const auto& [source, v] : d->sources.items()) {
      nlohmann::json a = v.value("a", nlohmann::json()), b = v.value("b", nlohmann::json());
      rows.push_back({source, fig(a, "input_rows") + " / " + fig(b, "input_rows"),
                      fig(a, "valid_rows") + " / " + fig(b, "valid_rows"),
                      fig(a, "quarantined_rows") + " / " + fig(b, "quarantined_rows"),
                      fig(a, "condemned_rows") + " / " + fig(b, "condemned_rows")});
    }
    std::cout << "per source (A / B):\n";
    PrintTable({"SOURCE", "INPUT", "VALID", "QUARANTINED", "CONDEMNED"}, rows);
    rows.clear();
    for (const auto& [part, v] : d->partitions.items()) {
      nlohmann::json a = v.value("a", nlohmann::json()), b = v.value("b", nlohmann::json());
      rows.push_back({part, fig(a, "valid_rows") + " / " + fig(b, "valid_rows"),
                      (a.is_object() ? a["amount_sum"].get<std::string>() : "-") + " / " +
                          (b.is_object() ? b["amount_sum"].get<std::string>() : "-")});
    }
    std::cout << "\nper partition (A / B):\n";
    PrintTable({"PARTITION", "VALID", "AMOUNT SUM"}, rows);
    rows.clear();
    for (const auto& [source, v] : d->sources.items()) {
      std::map<std::string, std::pair<std::string, std::string>> reasons;
      for (const char* side : {"a", "b"}) {
        if (!v.contains(side) || !v[side].contains("quarantine_by_reason")) continue;
        for (const auto& [r, n] : v[side]["quarantine_by_reason"].items()) {
          (side[0] == 'a' ? reasons[r].first : reasons[r].second) = n.dump();
        }
      }
      for (const auto& [r, ab] : reasons) {
        rows.push_back({source, r, (ab.first.empty() ? "0" : ab.first) + " / " + (ab.second.empty() ? "0" : ab.second)});
      }
    }
    if (!rows.empty()) {
      std::cout << "\nquarantine by reason (A / B):\n";
      PrintTable({"SOURCE", "REASON", "ROWS"}, rows);
    }
    rows.clear();
    for (const auto& [reason, t] : transitions->items()) {
      rows.push_back({reason, t["valid"].dump(), t["still_failing"].dump(), t["other_reason"].dump(),
                      t["not_in_b"].dump()});
    }
    if (!rows.empty()) {
      std::cout << "\nA's rejected rows in B (by row_hash):\n";
      PrintTable({"REASON IN A", "VALID IN B", "STILL FAILING", "OTHER REASON", "NOT IN B"}, rows);
    }
    std::cout << "\ntransactions: " << d->added << " added, " << d->removed << " removed, " << d->changed
              << " changed, " << d->unchanged << " unchanged (--json lists them)\n";
  });

  auto* del = cmd->add_subcommand("delete", "Delete a run's files and manifest (never another run's)");
  del->add_option("RID", run_id, "run_id")->required();
  del->add_flag("--force", force, "delete even if the newest pointer version references it");
  del->callback([&ctx, &exit_code] {
    auto store = ctx.Store();
    if (!store.ok()) { exit_code = ctx.Fail(store.status()); return; }
    auto o = DeleteRun(**store, run_id, force, PublishCanonicalTable);
    if (!o.ok()) { exit_code = ctx.Fail(o.status()); return; }
    if (ctx.json) {
      ctx.PrintJson({{"run_id", run_id}, {"was_committed", o->was_committed}, {"files_deleted", o->files_deleted},
                     {"older_versions_referencing", o->older_versions_referencing},
                     {"was_corrupt", o->was_corrupt}, {"unmapped_version", o->unmapped_version},
                     {"unmapped_sources", o->unmapped_sources}});
      return;
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
  });
}

}  // namespace runlake::cli
