// runlake serve [--port N]: the read-only dashboard on 127.0.0.1 (src/serve/). Prints
// the URL (--json: {"url": ...} on one line, for scripts that read it while it runs) and
// serves until SIGINT or SIGTERM, then exits 0: stopping is how a dashboard ends.

#include <iostream>

#include "cli/cli_context.h"
#include "runlake/dashboard_server.h"

namespace runlake::cli {

void RegisterServe(CLI::App& app, CliContext& ctx, int& exit_code) {
  auto* cmd = app.add_subcommand("serve", "Read-only dashboard on 127.0.0.1 (pages and /api JSON)");
  static int port = 8080;
  cmd->add_option("--port", port, "TCP port on 127.0.0.1; 0 picks a free one")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  cmd->callback(ctx.Handle(exit_code, [&ctx]() -> Status {
    auto store = ctx.Store();
    if (!store.ok()) {
      return store.status();
    }
    auto state = ctx.State();
    if (!state.ok()) {
      return state.status();
    }
    auto log_dir = ctx.LogDir();
    if (!log_dir.ok()) {
      return log_dir.status();
    }
    DashboardServerOptions options{*store, *state, *log_dir, ctx.LakeBucket(), port};
    Status st = ServeDashboardUntilSignal(options, [&ctx](const std::string& url) {
      if (ctx.json)
        std::cout << nlohmann::json{{"url", url}}.dump() << std::endl;
      else
        std::cout << "runlake dashboard on " << url << " (Ctrl-C stops it)" << std::endl;
    });
    if (!st.ok()) {
      return st;
    }
    return Status::OK();
  }));
}

}  // namespace runlake::cli
