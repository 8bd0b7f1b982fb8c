// runlake gold build|status, and runlake trace: gold tables and their lineage.

#include <iostream>

#include "cli/cli_context.h"
#include "engine/result_format.h"
#include "catalog/catalog.h"
#include "ledger/staging.h"
#include "runlake/gold.h"

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
  build->callback([build, &ctx, &exit_code] {
    if (build->count("--run-id") > 0) {
      Status valid = ValidateRunId(run_id);
      if (!valid.ok()) { exit_code = ctx.Fail(valid.WithContext("--run-id")); return; }
    }
    auto store = ctx.Store();
    if (!store.ok()) { exit_code = ctx.Fail(store.status()); return; }
    auto d = ParseDatasetId(dataset);
    if (!d.ok()) { exit_code = ctx.Fail(d.status()); return; }
    auto r = BuildGold(**store, GoldBuildRequest{*d, table, at_version, run_id, reason});
    if (!r.ok()) { exit_code = ctx.Fail(r.status()); return; }
    if (ctx.json) {
      ctx.PrintJson({{"table", table}, {"run_id", r->manifest.run_id}, {"rows", r->rows},
                     {"built_from_version", r->manifest.built_from_version},
                     {"gold_pointer_version", r->pointer.version}});
    } else {
      std::cout << "built gold " << table << ": run " << r->manifest.run_id << ", " << r->rows
                << " rows, from silver pointer version " << r->manifest.built_from_version
                << " (gold pointer version " << r->pointer.version << ")\n";
    }
  });

  auto* status = cmd->add_subcommand("status", "Is gold up to date with the silver pointer?");
  status->add_option("TABLE", table, "account_balances")->capture_default_str();
  status->add_option("--dataset", dataset, "silver domain/dataset")->capture_default_str();
  status->callback([&ctx, &exit_code] {
    auto store = ctx.Store();
    if (!store.ok()) { exit_code = ctx.Fail(store.status()); return; }
    auto d = ParseDatasetId(dataset);
    if (!d.ok()) { exit_code = ctx.Fail(d.status()); return; }
    auto st = GetGoldStatus(**store, *d, table);
    if (!st.ok()) { exit_code = ctx.Fail(st.status()); return; }
    if (ctx.json) {
      ctx.PrintJson({{"table", st->table}, {"run_id", st->run_id ? nlohmann::json(*st->run_id) : nlohmann::json()},
                     {"built_from_version", st->built_from_version},
                     {"built_from_dataset", st->built_from_dataset},
                     {"silver_version", st->silver_head_version}, {"stale", st->stale}});
      return;
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
  });
}

void RegisterTrace(CLI::App& app, CliContext& ctx, int& exit_code) {
  auto* cmd = app.add_subcommand("trace", "From a gold balance to its silver rows and bronze lines");
  static std::string account, month, currency, dataset = "mortgages/transactions", format = "table";
  cmd->add_option("--account", account, "account_id")->required();
  cmd->add_option("--month", month, "YYYY-MM")->required();
  cmd->add_option("--currency", currency, "only this currency");
  cmd->add_option("--format", format, "table, csv or json")->capture_default_str();
  cmd->add_option("--dataset", dataset, "silver domain/dataset")->capture_default_str();
  cmd->callback([&ctx, &exit_code] {
    auto store = ctx.Store();
    if (!store.ok()) { exit_code = ctx.Fail(store.status()); return; }
    auto d = ParseDatasetId(dataset);
    if (!d.ok()) { exit_code = ctx.Fail(d.status()); return; }
    if (month.size() != 7 || !ValidateDate(month + "-01").ok()) {
      exit_code = ctx.Fail(Status::InvalidArgument("--month '" + month + "' is not YYYY-MM"));
      return;
    }
    auto f = ParseOutputFormat(ctx.json ? "json" : format);
    if (!f.ok()) { exit_code = ctx.Fail(f.status()); return; }
    // Trace from the silver version the gold table was built from, so lineage matches it.
    auto st = GetGoldStatus(**store, *d, "account_balances");
    if (!st.ok()) { exit_code = ctx.Fail(st.status()); return; }
    if (!st->run_id) {
      exit_code = ctx.Fail(Status::FailedPrecondition("gold account_balances of " + d->path() +
                                                      " has not been built yet: run `runlake gold build` first"));
      return;
    }
    if (st->built_from_dataset != d->path()) {
      exit_code = ctx.Fail(Status::FailedPrecondition("gold account_balances was built from " +
                                                      st->built_from_dataset + ", not " + d->path()));
      return;
    }
    auto scratch = Staging::Create(**store, "trace");
    if (!scratch.ok()) { exit_code = ctx.Fail(scratch.status()); return; }
    auto engine = OpenCatalog(**store, CatalogOptions{*d, scratch->dir(), st->built_from_version});
    if (!engine.ok()) { exit_code = ctx.Fail(engine.status()); return; }
    std::string cur = currency.empty() ? "" : " AND currency = " + Engine::Quote(currency);
    std::string where = "account_id = " + Engine::Quote(account) + cur;
    auto balance = (*engine)->Query("SELECT account_id, currency, month, balance FROM gold_account_balances WHERE " +
                                    where + " AND month = " + Engine::Quote(month) + " ORDER BY currency");
    if (!balance.ok()) { exit_code = ctx.Fail(balance.status()); return; }
    auto rows = (*engine)->Query(
        "SELECT s.transaction_id, s.currency, s.amount, s.tx_date, s.run_id, s.source_key, s.source_line, "
        "s.row_hash FROM silver_current s WHERE " + where +
        " AND strftime(s.tx_date, '%Y-%m') <= " + Engine::Quote(month) + " ORDER BY s.tx_date, s.transaction_id");
    if (!rows.ok()) { exit_code = ctx.Fail(rows.status()); return; }
    if (*f == OutputFormat::kTable) {
      std::cout << "gold account_balances (built from silver version " << st->built_from_version << "):\n"
                << FormatTable(*balance) << "\nsilver rows and their bronze lines:\n" << FormatTable(*rows);
    } else {
      std::cout << FormatResult(*rows, *f);
    }
  });
}

}  // namespace runlake::cli
