// runlake query "SQL" [--format table|csv|json]: SQL over the lake's views.

#include <filesystem>
#include <iostream>

#include "cli/cli_context.h"
#include "engine/result_format.h"
#include "lake/catalog.h"
#include "lake/object_cache.h"
#include "lake/staging.h"

namespace runlake::cli {

void RegisterQuery(CLI::App& app, CliContext& ctx, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "query", "SQL over silver_transactions, silver_current, quarantine, condemned, runs, pointer_history, gold_*");
  static std::string sql, format = "table", dataset = "mortgages/transactions";
  cmd->add_option("SQL", sql, "the query")->required();
  cmd->add_option("--format", format, "table, csv or json")
      ->check(CLI::IsMember({"table", "csv", "json"}))
      ->capture_default_str();
  cmd->add_option("--dataset", dataset, "domain/dataset")->capture_default_str();
  static int64_t at_version = 0;
  cmd->add_option("--at-version", at_version, "silver_current as of this pointer version (time travel)")->check(PointerVersionNumber());
  cmd->callback([&ctx, &exit_code] {
    auto store = ctx.Store();
    if (!store.ok()) { exit_code = ctx.Fail(store.status()); return; }
    auto d = ParseDatasetId(dataset);
    if (!d.ok()) { exit_code = ctx.Fail(d.status()); return; }
    // Scratch lives outside the lake: a user who can only read the lake can query it.
    auto scratch = Staging::CreateOutsideLake("query");
    if (!scratch.ok()) { exit_code = ctx.Fail(scratch.status()); return; }
    std::vector<std::string> warnings;
    auto engine = OpenCatalog(**store, CatalogOptions{*d, scratch->dir(), at_version, sql, &warnings});
    if (!engine.ok()) { exit_code = ctx.Fail(engine.status()); return; }
    for (const auto& w : warnings) std::cerr << "runlake: warning: " << w << "\n";
    std::vector<std::string> readable{scratch->dir()};
    if (auto root = (*store)->LocalPath("_runs")) readable.push_back(std::filesystem::path(*root).parent_path().string());
    if (auto cache = ObjectCacheFromEnv()) readable.push_back(cache->dir);
    Status locked = (*engine)->LockDown(readable);
    if (!locked.ok()) { exit_code = ctx.Fail(locked); return; }
    auto result = (*engine)->Query(sql);
    if (!result.ok()) { exit_code = ctx.Fail(result.status()); return; }
    auto f = ParseOutputFormat(ctx.json ? "json" : format);
    if (!f.ok()) { exit_code = ctx.Fail(f.status()); return; }
    std::cout << FormatResult(*result, *f);
  });
}

}  // namespace runlake::cli
