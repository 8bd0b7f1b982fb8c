// The runlake command: parses arguments, calls the library, prints. Each subcommand lives
// in its own file and registers itself here (a table, not an if/else chain).

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
  const CommandRegistrar registrars[] = {
      RegisterInit,    RegisterIngest,   RegisterSample,  RegisterRun,  RegisterExecutions,
      RegisterRuns,    RegisterPromote,  RegisterRollback, RegisterPointer, RegisterGold,
      RegisterTrace,   RegisterQuery,    RegisterLogs,    RegisterBackfill, RegisterWorker,
      RegisterWorkers, RegisterQueue,    RegisterState,   RegisterCatalog, RegisterVersion,
      RegisterBronze,  RegisterCheck,    RegisterServe,   RegisterDoctor,   RegisterDataset};
  for (auto reg : registrars) reg(app, ctx, exit_code);

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
