// runlake runs list|show RID: committed runs and their manifests.

#include <iostream>

#include "cli/cli_context.h"
#include "cli/print_run.h"
#include "cli/text_table.h"
#include "runlake/run_manifest.h"

namespace runlake::cli {

void RegisterRuns(CLI::App& app, CliContext& ctx, int& exit_code) {
  auto* cmd = app.add_subcommand("runs", "Committed runs");
  cmd->require_subcommand(1);
  static std::string run_id;

  auto* list = cmd->add_subcommand("list", "Every committed run");
  list->callback([&ctx, &exit_code] {
    auto store = ctx.Store();
    if (!store.ok()) { exit_code = ctx.Fail(store.status()); return; }
    auto runs = ListRunManifests(**store);
    if (!runs.ok()) { exit_code = ctx.Fail(runs.status()); return; }
    if (ctx.json) {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& m : *runs) arr.push_back(ManifestToJson(m));
      ctx.PrintJson(arr);
      return;
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& m : *runs) {
      std::string dates;
      for (const auto& s : m.sources) dates += (dates.empty() ? "" : ",") + s.ingest_date;
      rows.push_back({m.run_id, m.dataset.path(), dates, std::to_string(m.metrics.input_rows),
                      std::to_string(m.metrics.valid_rows), std::to_string(m.metrics.quarantined_rows),
                      std::to_string(m.metrics.condemned_rows), m.gate.passed ? "passed" : "FAILED",
                      m.completed_at});
    }
    PrintTable({"RUN_ID", "DATASET", "SOURCES", "INPUT", "VALID", "QUARANTINED", "CONDEMNED", "GATE",
                "COMPLETED"},
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
}

}  // namespace runlake::cli
