// runlake query "SQL" [--format table|csv|json] [--at-version N] [--timeout S]: read-only
// SQL over the lake's views.

#include <filesystem>
#include <iostream>

#include "cli/cli_context.h"
#include "cli/query_watch.h"
#include "runlake/lake_query.h"
#include "runlake/result_format.h"

namespace runlake::cli {
namespace {

Status StoppedStatus(int reason, double timeout) {
  if (reason == QueryWatch::kTimedOut) {
    return Status::Aborted("query stopped: it ran longer than --timeout " + std::to_string(timeout) + " s");
  }
  return Status::Aborted(std::string("query stopped by ") + (reason == SIGINT ? "SIGINT" : "SIGTERM"));
}

// The query proper; `watch` interrupts it on a signal or the --timeout.
Status RunQuery(CliContext& ctx, QueryWatch& watch, const std::string& sql, const std::string& dataset,
                int64_t at_version, const std::string& format) {
  RUNLAKE_ASSIGN_OR_RAISE(ObjectStore * store, ctx.Store());
  RUNLAKE_ASSIGN_OR_RAISE(DatasetId d, ParseDatasetId(dataset));
  std::vector<std::string> warnings;
  RUNLAKE_ASSIGN_OR_RAISE(auto query, LakeQuery::Open(*store, LakeQueryOptions{d, at_version, sql}, &warnings));
  for (const auto& w : warnings) std::cerr << "runlake: warning: " << w << "\n";
  watch.Watch(query.get());
  auto result = query->Run();
  watch.Watch(nullptr);
  RUNLAKE_RETURN_NOT_OK(result.status());
  if (watch.Stopped() != 0) return Status::OK();  // the caller says why
  RUNLAKE_ASSIGN_OR_RAISE(OutputFormat f, ParseOutputFormat(ctx.json ? "json" : format));
  std::cout << FormatResult(*result, f);
  return Status::OK();
}

}  // namespace

void RegisterQuery(CLI::App& app, CliContext& ctx, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "query", "Read-only SQL over silver_transactions, silver_current, quarantine, condemned, runs, pointer_history, gold_*");
  static std::string sql, format = "table", dataset = "mortgages/transactions";
  cmd->add_option("SQL", sql, "the query (SELECT, or EXPLAIN/DESCRIBE/SUMMARIZE of one)")->required();
  cmd->add_option("--format", format, "table, csv or json")
      ->check(CLI::IsMember({"table", "csv", "json"}))
      ->capture_default_str();
  cmd->add_option("--dataset", dataset, "domain/dataset")->capture_default_str();
  static int64_t at_version = 0;
  cmd->add_option("--at-version", at_version, "silver_current as of this pointer version (time travel)")->check(PointerVersionNumber());
  static double timeout = 0;
  cmd->add_option("--timeout", timeout, "stop the query after this many seconds (exit 1)")
      ->check(CLI::PositiveNumber);
  cmd->callback(ctx.Handle(exit_code, [&ctx]() -> Status {
    QueryWatch watch(timeout);
    Status st = RunQuery(ctx, watch, sql, dataset, at_version, format);
    if (watch.Stopped() == 0) return st;
    // A stopped query says why, whatever error the interrupt caused; a signal exits 128+N.
    if (watch.Stopped() > 0) ctx.ExitBySignal(watch.Stopped());
    return StoppedStatus(watch.Stopped(), timeout);
  }));
}

}  // namespace runlake::cli
