// runlake query "SQL" [--format table|csv|json] [--at-version N] [--timeout S]: read-only
// SQL over the lake's views.

#include <filesystem>
#include <iostream>

#include "cli/cli_context.h"
#include "cli/query_watch.h"
#include "engine/result_format.h"
#include "catalog/catalog.h"
#include "store/object_cache.h"
#include "ledger/staging.h"

namespace runlake::cli {
namespace {

Status StoppedStatus(int reason, double timeout) {
  if (reason == QueryWatch::kTimedOut) {
    return Status::Aborted("query stopped: it ran longer than --timeout " + std::to_string(timeout) + " s");
  }
  return Status::Aborted(std::string("query stopped by ") + (reason == SIGINT ? "SIGINT" : "SIGTERM"));
}

int ExitFor(int reason, int otherwise) { return reason > 0 ? 128 + reason : otherwise; }

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
  cmd->callback([&ctx, &exit_code] {
    QueryWatch watch(timeout);
    auto fail = [&](const Status& st) {
      exit_code = ExitFor(watch.Stopped(), ctx.Fail(watch.Stopped() != 0 ? StoppedStatus(watch.Stopped(), timeout) : st));
    };
    auto store = ctx.Store();
    if (!store.ok()) return fail(store.status());
    auto d = ParseDatasetId(dataset);
    if (!d.ok()) return fail(d.status());
    // Scratch lives outside the lake: a user who can only read the lake can query it.
    auto scratch = Staging::CreateOutsideLake("query");
    if (!scratch.ok()) return fail(scratch.status());
    std::vector<std::string> warnings;
    auto engine = OpenCatalog(**store, CatalogOptions{*d, scratch->dir(), at_version, sql, &warnings});
    if (!engine.ok()) return fail(engine.status());
    for (const auto& w : warnings) std::cerr << "runlake: warning: " << w << "\n";
    // Readable: the lake, the scratch folder and the cache's objects (not the whole cache
    // folder, which also holds the DuckDB library the build links).
    std::vector<std::string> readable{scratch->dir()};
    if (auto root = (*store)->LocalPath("_runs")) readable.push_back(std::filesystem::path(*root).parent_path().string());
    if (auto cache = ObjectCacheFromEnv()) readable.push_back(cache->dir + "/v1");
    Status locked = (*engine)->LockDown(readable);
    if (!locked.ok()) return fail(locked);
    watch.Watch(engine->get());
    auto result = (*engine)->Query(sql);
    watch.Watch(nullptr);
    if (!result.ok()) return fail(result.status());
    if (watch.Stopped() != 0) return fail(Status::OK());
    auto f = ParseOutputFormat(ctx.json ? "json" : format);
    if (!f.ok()) return fail(f.status());
    std::cout << FormatResult(*result, *f);
  });
}

}  // namespace runlake::cli
