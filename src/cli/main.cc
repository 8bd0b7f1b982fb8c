// The runlake command: parses arguments, calls the library (include/runlake/ only), prints.
// Each command lives in its own file and has a row in the command table below.

#include <cstdlib>
#include <iostream>
#include <string>

#include "cli/cli_context.h"
#include "runlake/object_store.h"

namespace runlake::cli {
void RegisterDoctor(CLI::App&, CliContext&, int&);  // cmd_doctor.cc
}  // namespace runlake::cli

int main(int argc, char** argv) {
  using namespace runlake::cli;
  CLI::App app{"runlake: a medallion data lake with isolated runs, backfills, promote and rollback"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Show help for every subcommand");
  CliContext ctx;
  const char* env_lake = std::getenv("RUNLAKE_LAKE");
  ctx.lake_uri = env_lake && *env_lake ? env_lake : "./lake";
  app.add_option("--lake", ctx.lake_uri, "Lake URI: a path, file://..., or s3://bucket/prefix")
      ->envname("RUNLAKE_LAKE");
  app.add_option("--state", ctx.state_uri, "State store: a SQLite path (default: <lake>/_state/runlake.sqlite) or postgres://user@host:port/db")
      ->envname("RUNLAKE_STATE");
  app.add_flag("--json", ctx.json, "Machine-readable JSON on stdout");
  app.set_version_flag("--version", [] { return VersionText(); });

  // Global options are accepted after the subcommand too: `runlake query --json "..."`.
  // Set before the subcommands are added: each copies the setting from its parent when
  // created, so setting it afterwards reached none of them.
  app.fallthrough();

  int exit_code = kExitOk;
  // The command table: every top-level command, what it needs opened before its handler
  // runs, and where it lives. Commands that create the lake (init, ingest), work without
  // one (sample, version, doctor) or open only what a subcommand needs (run --no-wait, the
  // state commands) open it themselves.
  using enum Needs;
  const Command commands[] = {
      {"init", kNothing, RegisterInit},          {"ingest", kNothing, RegisterIngest},
      {"sample", kNothing, RegisterSample},      {"run", kNothing, RegisterRun},
      {"executions", kNothing, RegisterExecutions}, {"runs", kLake, RegisterRuns},
      {"promote", kLake, RegisterPromote},       {"rollback", kLake, RegisterRollback},
      {"pointer", kLake, RegisterPointer},       {"gold", kLake, RegisterGold},
      {"trace", kLake, RegisterTrace},           {"query", kLake, RegisterQuery},
      {"logs", kNothing, RegisterLogs},          {"backfill", kNothing, RegisterBackfill},
      {"worker", kLakeAndState, RegisterWorker}, {"workers", kNothing, RegisterWorkers},
      {"queue", kNothing, RegisterQueue},        {"state", kNothing, RegisterState},
      {"catalog", kLake, RegisterCatalog},       {"version", kNothing, RegisterVersion},
      {"bronze", kLake, RegisterBronze},         {"check", kLake, RegisterCheck},
      {"serve", kLakeAndState, RegisterServe},   {"doctor", kNothing, RegisterDoctor},
      {"dataset", kLake, RegisterDataset},
  };
  for (const Command& command : commands) {
    command.add(app, ctx, exit_code);
    CLI::App* sub = app.get_subcommand(command.name);
    const Needs needs = command.needs;
    sub->preparse_callback([&ctx, needs](size_t) { ctx.needs = needs; });
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    if (rc == 0) return 0;
    // A usage error with --json anywhere on the line is reported on stdout as JSON too.
    for (int i = 1; i < argc; ++i) {
      if (std::string(argv[i]) == "--json") {
        PrintJsonError(e.what(), "InvalidArgument", kExitBadInput);
        break;
      }
    }
    return kExitBadInput;
  }
  // Benchmarks count round trips: RUNLAKE_S3_STATS=1 prints this process's S3 requests.
  if (const char* stats = std::getenv("RUNLAKE_S3_STATS"); stats && *stats && *stats != '0') {
    int64_t total = 0;
    std::string parts;
    for (const auto& [kind, n] : runlake::S3RequestCounts()) {
      total += n;
      parts += (parts.empty() ? "" : ", ") + kind + " " + std::to_string(n);
    }
    std::cerr << "runlake: s3 requests: " << total << (parts.empty() ? "" : " (" + parts + ")") << "\n";
  }
  return exit_code;
}
