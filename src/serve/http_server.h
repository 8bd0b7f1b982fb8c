#pragma once
// The dashboard on a socket: 127.0.0.1 only, one thread, one poll() loop over every
// connection, each request handed to Dashboard::Handle. One request per connection
// (Connection: close), and a request body is never read.
//
// Why not a thread per connection (cpp-httplib, used before): a client that opens a
// connection and sends its head a byte at a time held a worker for as long as it liked, so
// 10 such connections delayed everyone by seconds and 100 stopped the dashboard (U22).
// Here a connection costs a descriptor and a buffer, never a thread, and:
//   - the whole request head must arrive within kHeadTimeout of the connection's accept
//     (else 408 and close), however the bytes trickle in;
//   - a response must be taken by the client within kWriteTimeout;
//   - at most kMaxConnections are open; a new one beyond it evicts the oldest connection
//     still sending its head (an honest client sends its head at once), so a flood of
//     half-open connections cannot lock others out.
// Pages are built one at a time on the loop's thread (the dashboard serializes them anyway).

#include <chrono>
#include <memory>

#include "runlake/status.h"
#include "serve/dashboard.h"

namespace runlake::serve {

inline constexpr std::chrono::seconds kHeadTimeout{5};
inline constexpr std::chrono::seconds kWriteTimeout{10};
inline constexpr size_t kMaxConnections = 64;

class HttpServer {
 public:
  explicit HttpServer(Dashboard& dashboard);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens on 127.0.0.1:`port` (0: a free port chosen by the kernel) and tells
  // the dashboard its port. Returns the bound port; IOError when the port cannot be bound
  // (in use, say).
  Result<int> Bind(int port);
  // Serves until Stop() is called (from another thread). IOError if Bind did not succeed or
  // poll() fails.
  Status Serve();
  // Stops Serve(); safe to call from any thread, more than once, before or during Serve().
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace runlake::serve
