// The runlake command: parses arguments, calls the library, prints. Each subcommand lives
// in its own file and registers itself here (a table, not an if/else chain).

#include <cstdlib>
#include <iostream>

#include "cli/cli_context.h"

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

  int exit_code = kExitOk;
  const CommandRegistrar registrars[] = {
      RegisterInit,    RegisterIngest,   RegisterSample,  RegisterRun,  RegisterExecutions,
      RegisterRuns,    RegisterPromote,  RegisterRollback, RegisterPointer, RegisterGold,
      RegisterTrace,   RegisterQuery,    RegisterLogs,    RegisterBackfill, RegisterWorker,
      RegisterWorkers, RegisterQueue,    RegisterState,   RegisterCheck};
  for (auto reg : registrars) reg(app, ctx, exit_code);
  // Global options are accepted after the subcommand too: `runlake query --json "..."`.
  app.fallthrough();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : kExitBadInput;
  }
  return exit_code;
}
