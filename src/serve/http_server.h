#pragma once
// The dashboard on a socket: cpp-httplib bound to 127.0.0.1 only, every request handed
// to Dashboard::Handle before httplib routes it or reads a body (so the checks there hold
// for every method and path). One request per connection: a refused request's body is
// never read, so the connection is closed rather than reused.

#include <memory>

#include "runlake/status.h"
#include "serve/dashboard.h"

namespace runlake::serve {

class HttpServer {
 public:
  explicit HttpServer(Dashboard& dashboard);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds 127.0.0.1:`port` (0: a free port chosen by the kernel) and tells the dashboard
  // its port. Returns the bound port; IOError when the port cannot be bound (in use, say).
  Result<int> Bind(int port);
  // Serves until Stop() is called (from another thread). IOError if listening fails.
  Status Serve();
  // Stops Serve(); safe to call from any thread, more than once.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace runlake::serve
