// runlake init | ingest | sample: creating a lake and landing raw files in bronze.

#include <iostream>

#include "cli/cli_context.h"
#include "runlake/clock.h"
#include "runlake/ingest.h"
#include "runlake/builtin_contracts.h"
#include "runlake/contract.h"
#include "runlake/dataset_revisions.h"
#include "runlake/layout.h"
#include "runlake/sample.h"
#include "runlake/version.h"

namespace runlake::cli {

void RegisterInit(CLI::App& app, CliContext& ctx, int& exit_code) {
  auto* cmd = app.add_subcommand("init", "Create an empty lake (idempotent)");
  cmd->callback(ctx.Handle(exit_code, [&ctx]() -> Status {
    auto created = ctx.CreateLake();
    if (!created.ok()) return created.status();
    auto store = ctx.Store();
    if (!store.ok()) return store.status();
    auto state = ctx.State();
    if (!state.ok()) return state.status();
    // The built-in transactions contract as revision 1, on a new lake and on one from before
    // revisions existed alike; a lake that has revisions keeps them (idempotent).
    auto contract = EnsureBuiltinContract(**store);
    if (!contract.ok()) return contract.status();
    if (ctx.json) {
      ctx.PrintJson({{"lake", (*store)->uri()}, {"created", *created},
                     {"transactions_contract_revision", contract->revision}});
    } else {
      std::cout << (*created ? "initialised lake " : "lake already initialised: ") << (*store)->uri() << "\n";
    }
    return Status::OK();
  }));
}

namespace {

// An identical re-ingest is kept (bronze is immutable) but rarely meant: say so.
void WarnSameContent(const std::string& file, const DatasetId& dataset, const std::string& date,
                     const IngestResult& r) {
  std::string runs;
  for (const auto& id : r.same_content_as) runs += (runs.empty() ? "" : ", ") + id;
  std::cerr << "runlake: warning: " << file << " holds the same bytes (sha256 " << r.sha256
            << ") as bronze run" << (r.same_content_as.size() > 1 ? "s " : " ") << runs << " of "
            << dataset.path() << " on " << date << "; kept as a new bronze run " << r.run_id
            << " all the same (bronze keeps every ingest)\n";
}

}  // namespace

void RegisterIngest(CLI::App& app, CliContext& ctx, int& exit_code) {
  auto* cmd = app.add_subcommand("ingest", "Land a CSV or CSV.gz file in bronze (never overwrites)");
  static std::string file, date, dataset = "mortgages/transactions", run_id;
  cmd->add_option("FILE", file, "CSV or CSV.gz file")->required();
  cmd->add_option("--date", date, "ingest_date, YYYY-MM-DD")->required();
  cmd->add_option("--dataset", dataset, "domain/dataset")->capture_default_str();
  cmd->add_option("--run-id", run_id, "bronze run_id (default: UTC time YYYYMMDDTHHMMSSZ)");
  cmd->callback(ctx.Handle(exit_code, [cmd, &ctx]() -> Status {
    // `--run-id ""` is a mistake, not a request for a generated id.
    if (cmd->count("--run-id") > 0) {
      Status valid = ValidateRunId(run_id);
      if (!valid.ok()) return valid.WithContext("--run-id");
    }
    // Landing the first file makes the folder a lake, as `init` does.
    auto created = ctx.CreateLake();
    if (!created.ok()) return created.status();
    auto store = ctx.Store();
    if (!store.ok()) return store.status();
    auto d = ParseDatasetId(dataset);
    if (!d.ok()) return d.status();
    auto r = IngestBronze(**store, file, IngestOptions{*d, date, run_id});
    if (!r.ok()) return r.status();
    if (!r->same_content_as.empty()) WarnSameContent(file, *d, date, *r);
    if (ctx.json) {
      ctx.PrintJson({{"key", r->key}, {"run_id", r->run_id}, {"size", r->size}, {"sha256", r->sha256},
                     {"source_bytes", r->source_bytes}, {"compressed", r->compressed},
                     {"same_content_as", r->same_content_as}});
    } else {
      std::cout << "ingested " << file << " -> " << r->key << "\n"
                << "  size " << r->size << " bytes, sha256 " << r->sha256 << "\n";
    }
    return Status::OK();
  }));
}

void RegisterSample(CLI::App& app, CliContext& ctx, int& exit_code) {
  auto* cmd = app.add_subcommand("sample", "Write a sample file for a dataset (valid rows and rows built to fail each check)");
  static std::string out, dataset = std::string(kTransactionsDataset), contract_path;
  static SampleOptions o;
  cmd->add_option("OUT", out, "output file (.csv or .csv.gz)")->required();
  cmd->add_option("--dataset", dataset, "domain/dataset: its newest contract in the lake (mortgages/transactions: "
                                        "a realistic transactions file)")->capture_default_str();
  cmd->add_option("--contract", contract_path, "a contract YAML to sample instead of the lake's");
  cmd->add_option("--rows", o.rows, "number of rows")->capture_default_str();
  cmd->add_option("--seed", o.seed, "random seed (same seed, same bytes)")->capture_default_str();
  cmd->add_option("--date", o.end_date, "newest day (the ingest_date the file is meant for)")->capture_default_str();
  cmd->add_option("--days", o.span_days, "days of data up to --date")->capture_default_str();
  cmd->add_option("--schema", o.schema_version, "schema version of the contract (v1, v2, ...)")->capture_default_str();
  cmd->add_option("--invalid-fraction", o.invalid_fraction, "share of bad rows")->capture_default_str();
  cmd->callback(ctx.Handle(exit_code, [&ctx]() -> Status {
    Result<SampleSummary> r = SampleSummary{};
    if (contract_path.empty() && dataset == kTransactionsDataset) {
      r = WriteSample(out, o);
    } else {
      std::string text, origin;
      if (!contract_path.empty()) {
        RUNLAKE_ASSIGN_OR_RAISE(text, ReadContractFile(contract_path));
        origin = contract_path;
      } else {
        RUNLAKE_ASSIGN_OR_RAISE(DatasetId d, ParseDatasetId(dataset));
        RUNLAKE_ASSIGN_OR_RAISE(ObjectStore * store, ctx.Store());
        RUNLAKE_ASSIGN_OR_RAISE(auto newest, NewestContractRevision(*store, d));
        if (!newest) {
          return Status::NotFound("dataset " + d.path() + " has no contract in " + store->uri() +
                                  " (`runlake dataset apply FILE` stores one; or pass --contract FILE)");
        }
        text = newest->contract;
        origin = layout::DatasetRevisionKey(d, newest->revision);
      }
      RUNLAKE_ASSIGN_OR_RAISE(Contract contract, ParseContract(text, origin));
      r = WriteContractSample(out, contract, o);
    }
    if (!r.ok()) return r.status();
    if (ctx.json) {
      ctx.PrintJson({{"file", out}, {"rows", r->rows}, {"invalid_rows", r->invalid_rows}});
    } else {
      std::cout << "wrote " << r->rows << " rows (" << r->invalid_rows << " built to fail) to " << out << "\n";
    }
    return Status::OK();
  }));
}

}  // namespace runlake::cli
