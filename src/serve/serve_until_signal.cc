// ServeDashboardUntilSignal (runlake/dashboard_server.h): the HTTP server and the signal
// thread that stops it.

#include <pthread.h>
#include <signal.h>

#include <thread>

#include "runlake/dashboard_server.h"
#include "serve/http_server.h"

namespace runlake {

Status ServeDashboardUntilSignal(const DashboardServerOptions& options,
                                 const std::function<void(const std::string& url)>& on_listening) {
  serve::Dashboard dashboard({options.store, options.state, options.log_dir, options.lake_bucket});
  serve::HttpServer server(dashboard);

  // SIGINT/SIGTERM are blocked in every thread (threads started later inherit the mask) and
  // taken by one waiting thread, which stops the server: no work in a signal handler.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  RUNLAKE_ASSIGN_OR_RAISE(int bound, server.Bind(options.port));
  on_listening("http://127.0.0.1:" + std::to_string(bound) + "/");

  std::thread waiter([&server, stop_signals] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    server.Stop();
  });
  Status st = server.Serve();
  // Serve() also returns when listening fails: wake the waiter so it can be joined.
  pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
  return st;
}

}  // namespace runlake
