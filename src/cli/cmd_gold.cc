// runlake gold build|status, and runlake trace: gold tables and their lineage.

#include <iostream>

#include "cli/cli_context.h"
#include "runlake/gold.h"
#include "runlake/result_format.h"

namespace runlake::cli {

void RegisterGold(CLI::App& app, CliContext& ctx, int& exit_code) {
  auto* cmd = app.add_subcommand("gold", "Gold tables built from canonical silver");
  cmd->require_subcommand(1);
  static std::string table = "account_balances", dataset = "mortgages/transactions", run_id, reason;
  static int64_t at_version = 0;

  auto* build = cmd->add_subcommand("build", "Build a gold table from silver_current at one pointer version");
  build->add_option("TABLE", table, "account_balances")->capture_default_str();
  build->add_option("--at-version", at_version, "silver pointer version (default: the newest)")->check(PointerVersionNumber());
  build->add_option("--run-id", run_id, "gold run_id (default: gold-<table>-<UTC time>)");
  build->add_option("--reason", reason, "why (recorded in the gold pointer log)");
  build->add_option("--dataset", dataset, "silver domain/dataset")->capture_default_str();
  build->callback(ctx.Handle(exit_code, [build, &ctx]() -> Status {
    if (build->count("--run-id") > 0) {
      Status valid = ValidateRunId(run_id);
      if (!valid.ok()) return valid.WithContext("--run-id");
    }
    auto store = ctx.Store();
    if (!store.ok()) return store.status();
    auto d = ParseDatasetId(dataset);
    if (!d.ok()) return d.status();
    auto r = BuildGold(**store, GoldBuildRequest{*d, table, at_version, run_id, reason});
    if (!r.ok()) return r.status();
    if (ctx.json) {
      ctx.PrintJson(GoldBuildResultToJson(table, *r));
    } else {
      std::cout << "built gold " << table << ": run " << r->manifest.run_id << ", " << r->rows
                << " rows, from silver pointer version " << r->manifest.built_from_version
                << " (gold pointer version " << r->pointer.version << ")\n";
    }
    return Status::OK();
  }));

  auto* status = cmd->add_subcommand("status", "Is gold up to date with the silver pointer?");
  status->add_option("TABLE", table, "account_balances")->capture_default_str();
  status->add_option("--dataset", dataset, "silver domain/dataset")->capture_default_str();
  status->callback(ctx.Handle(exit_code, [&ctx]() -> Status {
    auto store = ctx.Store();
    if (!store.ok()) return store.status();
    auto d = ParseDatasetId(dataset);
    if (!d.ok()) return d.status();
    auto st = GetGoldStatus(**store, *d, table);
    if (!st.ok()) return st.status();
    if (ctx.json) {
      ctx.PrintJson(GoldStatusToJson(*st));
      return Status::OK();
    }
    if (st->run_id && st->built_from_dataset != d->path()) {
      std::cout << table << ": run " << *st->run_id << " was built from " << st->built_from_dataset << ", not "
                << d->path() << " (a domain's " << table << " is built from one dataset)\n";
    } else if (!st->run_id) {
      std::cout << table << ": never built" << (st->stale ? " (silver has data: run `runlake gold build`)" : "") << "\n";
    } else {
      std::cout << table << ": run " << *st->run_id << ", built from silver version " << st->built_from_version
                << "; silver is at version " << st->silver_head_version
                << (st->stale ? " -> STALE (run `runlake gold build`)" : " -> up to date") << "\n";
    }
    return Status::OK();
  }));
}

void RegisterTrace(CLI::App& app, CliContext& ctx, int& exit_code) {
  auto* cmd = app.add_subcommand("trace", "From a gold balance to its silver rows and bronze lines");
  static std::string account, month, currency, dataset = "mortgages/transactions", format = "table";
  cmd->add_option("--account", account, "account_id")->required();
  cmd->add_option("--month", month, "YYYY-MM")->required();
  cmd->add_option("--currency", currency, "only this currency");
  cmd->add_option("--format", format, "table, csv or json")->capture_default_str();
  cmd->add_option("--dataset", dataset, "silver domain/dataset")->capture_default_str();
  cmd->callback(ctx.Handle(exit_code, [&ctx]() -> Status {
    auto store = ctx.Store();
    if (!store.ok()) return store.status();
    auto d = ParseDatasetId(dataset);
    if (!d.ok()) return d.status();
    auto f = ParseOutputFormat(ctx.json ? "json" : format);
    if (!f.ok()) return f.status();
    auto trace = TraceBalance(**store, TraceRequest{*d, account, month, currency});
    if (!trace.ok()) return trace.status();
    if (*f == OutputFormat::kTable) {
      std::cout << "gold account_balances (built from silver version " << trace->silver_version << "):\n"
                << FormatTable(trace->balance) << "\nsilver rows and their bronze lines:\n" << FormatTable(trace->rows);
    } else {
      std::cout << FormatResult(trace->rows, *f);
    }
    return Status::OK();
  }));
}

}  // namespace runlake::cli
