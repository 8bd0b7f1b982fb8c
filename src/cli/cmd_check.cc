// runlake check [--repair]: verify the lake, repair what is safe.

#include <iostream>

#include "cli/cli_context.h"
#include "cli/text_table.h"
#include "runlake/check.h"

namespace runlake::cli {

void RegisterCheck(CLI::App& app, CliContext& ctx, int& exit_code) {
  auto* cmd = app.add_subcommand("check", "Verify the lake (manifests, file sizes, bronze sha256, pointer logs, "
                                          "leftovers of dead processes); --repair fixes what is safe");
  static bool repair = false;
  cmd->add_flag("--repair", repair, "sweep dead staging and claims, rewrite _LATEST.json and the run index");
  cmd->callback(ctx.Handle(exit_code, [&ctx, &exit_code]() -> Status {
    auto store = ctx.Store();
    if (!store.ok()) return store.status();
    auto report = CheckLake(**store, repair);
    if (!report.ok()) return report.status();
    if (report->unrepaired() > 0) exit_code = kExitFailed;
    if (ctx.json) { ctx.PrintJson(CheckReportToJson(*report)); return Status::OK(); }
    if (report->findings.empty()) {
      std::cout << "lake is consistent: nothing to repair\n";
      return Status::OK();
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& f : report->findings) {
      rows.push_back({f.kind, f.object, f.problem, f.repaired ? "REPAIRED" : "NOT REPAIRED", f.action});
    }
    PrintTable({"KIND", "OBJECT", "PROBLEM", "STATE", "ACTION"}, rows);
    std::cout << report->findings.size() << " findings, " << report->unrepaired() << " not repaired\n";
    return Status::OK();
  }));
}

}  // namespace runlake::cli
