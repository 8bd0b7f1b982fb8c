// runlake state migrate: bring the state store's schema to this build's version.

#include <iostream>

#include "cli/cli_context.h"

namespace runlake::cli {

void RegisterState(CLI::App& app, CliContext& ctx, int& exit_code) {
  auto* cmd = app.add_subcommand("state", "The state store (SQLite file or PostgreSQL)");
  cmd->require_subcommand(1);
  auto* migrate = cmd->add_subcommand(
      "migrate", "Apply pending schema migrations (opening does too); print the versions");
  migrate->callback(ctx.Handle(exit_code, [&ctx]() -> Status {
    if (Status st = ctx.CheckStatePath(); !st.ok()) return st;
    auto m = MigrateStateStore(ctx.StateUri());
    if (!m.ok()) return m.status();
    std::string backend = IsPostgresStateUri(ctx.StateUri()) ? "postgresql" : "sqlite";
    if (ctx.json) {
      ctx.PrintJson({{"backend", backend}, {"version_before", m->before}, {"version_after", m->after}});
    } else if (m->before == m->after) {
      std::cout << backend << " state store at schema version " << m->after << ": up to date\n";
    } else {
      std::cout << backend << " state store migrated from schema version " << m->before << " to "
                << m->after << "\n";
    }
    return Status::OK();
  }));
}

}  // namespace runlake::cli
