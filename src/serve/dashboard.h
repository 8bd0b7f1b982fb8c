#pragma once
// The dashboard core (`runlake serve`): request checks, routing, pages and their JSON
// twins, without sockets. Handle() is what the HTTP binding (http_server.h) calls for every
// request, and what tests call directly.
//
// Every response carries a strict Content-Security-Policy (no scripts, styles and images
// from the dashboard itself only, no framing), nosniff and no-store. Before any page code
// runs a request is refused when its target is over kMaxTargetBytes (414), it has more than
// one Host header (400), its Host is not this server's loopback address (421: DNS
// rebinding), its method is not GET or HEAD (405) or it carries a body (400). A page error is a page with a status (400 bad id, 404
// unknown), and anything unexpected a 500 that names nothing internal (the detail goes to
// stderr).

#include <mutex>
#include <string>

#include "serve/http_message.h"
#include "serve/pages.h"

namespace runlake::serve {

inline constexpr size_t kMaxTargetBytes = 1024;

class Dashboard {
 public:
  explicit Dashboard(DashboardSources sources) : sources_(std::move(sources)) {}

  // The port clients reach the server on: the Host header must name it. Set after the
  // socket is bound (`--port 0` learns its port only then).
  void set_port(int port);
  Response Handle(const Request& request);
  // An error page with the security headers, for requests refused before they could be
  // parsed into a Request (http_server.h: malformed, too large, too slow, too many).
  static Response Refuse(int status, const std::string& message);

  // The security headers every response carries.
  static const char* ContentSecurityPolicy();

 private:
  Response Route(const Request& request);
  bool HostAllowed(const std::string& host) const;

  DashboardSources sources_;
  int port_ = 0;
  // One request at a time: the pages share the store and state objects, and an operator's
  // dashboard has no need for parallel page builds.
  std::mutex mu_;
};

}  // namespace runlake::serve
