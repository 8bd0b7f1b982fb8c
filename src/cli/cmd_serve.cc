// runlake serve [--port N]: the read-only dashboard on 127.0.0.1 (src/serve/). Prints
// the URL (--json: {"url": ...} on one line, for scripts that read it while it runs) and
// serves until SIGINT or SIGTERM, then exits 0: stopping is how a dashboard ends.

#include <pthread.h>
#include <signal.h>

#include <iostream>
#include <thread>

#include "cli/cli_context.h"
#include "serve/http_server.h"

namespace runlake::cli {

void RegisterServe(CLI::App& app, CliContext& ctx, int& exit_code) {
  auto* cmd = app.add_subcommand("serve", "Read-only dashboard on 127.0.0.1 (pages and /api JSON)");
  static int port = 8080;
  cmd->add_option("--port", port, "TCP port on 127.0.0.1; 0 picks a free one")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  cmd->callback([&ctx, &exit_code] {
    auto store = ctx.Store();
    if (!store.ok()) {
      exit_code = ctx.Fail(store.status());
      return;
    }
    auto state = ctx.State();
    if (!state.ok()) {
      exit_code = ctx.Fail(state.status());
      return;
    }
    auto log_dir = ctx.LogDir();
    if (!log_dir.ok()) {
      exit_code = ctx.Fail(log_dir.status());
      return;
    }
    serve::Dashboard dashboard({*store, *state, *log_dir, ctx.LakeBucket()});
    serve::HttpServer server(dashboard);

    // SIGINT/SIGTERM are blocked in every thread (threads started later inherit the mask) and
    // taken by one waiting thread, which stops the server: no work in a signal handler.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    auto bound = server.Bind(port);
    if (!bound.ok()) {
      exit_code = ctx.Fail(bound.status());
      return;
    }
    std::string url = "http://127.0.0.1:" + std::to_string(*bound) + "/";
    if (ctx.json)
      std::cout << nlohmann::json{{"url", url}}.dump() << std::endl;
    else
      std::cout << "runlake dashboard on " << url << " (Ctrl-C stops it)" << std::endl;

    std::thread waiter([&server, stop_signals] {
      int sig = 0;
      sigwait(&stop_signals, &sig);
      server.Stop();
    });
    Status st = server.Serve();
    // Serve() also returns when listening fails: wake the waiter so it can be joined.
    pthread_kill(waiter.native_handle(), SIGTERM);
    waiter.join();
    if (!st.ok()) {
      exit_code = ctx.Fail(st);
      return;
    }
    exit_code = kExitOk;
  });
}

}  // namespace runlake::cli
