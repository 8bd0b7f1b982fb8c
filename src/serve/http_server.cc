#include "serve/http_server.h"

#include <httplib.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>

namespace runlake::serve {

struct HttpServer::Impl {
  Dashboard& dashboard;
  httplib::Server server;
  explicit Impl(Dashboard& d) : dashboard(d) {}
};

namespace {

Request FromHttplib(const httplib::Request& req) {
  Request r;
  r.method = req.method;
  r.target = req.target;
  for (const auto& [name, value] : req.headers) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    r.headers.emplace(lower, value);  // the first of a repeated header wins
  }
  std::string length = r.Header("content-length");
  r.has_body = (!length.empty() && length != "0") || !r.Header("transfer-encoding").empty();
  return r;
}

}  // namespace

HttpServer::HttpServer(Dashboard& dashboard) : impl_(std::make_unique<Impl>(dashboard)) {
  httplib::Server& s = impl_->server;
  // httplib's default sets SO_REUSEPORT, which lets a second process bind the same port and
  // take a share of the connections: another local user's server could answer for ours.
  // SO_REUSEADDR alone only allows a restart while old connections sit in TIME_WAIT.
  s.set_socket_options([](int sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  s.set_keep_alive_max_count(1);
  s.set_read_timeout(10, 0);
  s.set_write_timeout(10, 0);
  s.set_payload_max_length(0);  // never read a body, even if a path slipped past the hook
  s.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    Response out = impl_->dashboard.Handle(FromHttplib(req));
    res.status = out.status;
    for (const auto& [name, value] : out.headers) res.set_header(name, value);
    res.set_content(out.body, out.content_type);  // httplib sends no body for HEAD
    return httplib::Server::HandlerResponse::Handled;
  });
}

HttpServer::~HttpServer() { Stop(); }

Result<int> HttpServer::Bind(int port) {
  httplib::Server& s = impl_->server;
  int bound = port;
  if (port == 0) {
    bound = s.bind_to_any_port("127.0.0.1");
    if (bound <= 0) return Status::IOError("cannot bind a free port on 127.0.0.1");
  } else if (!s.bind_to_port("127.0.0.1", port)) {
    return Status::IOError("cannot bind 127.0.0.1:" + std::to_string(port) + " (in use?)");
  }
  impl_->dashboard.set_port(bound);
  return bound;
}

Status HttpServer::Serve() {
  if (!impl_->server.listen_after_bind()) return Status::IOError("the dashboard stopped listening");
  return Status::OK();
}

void HttpServer::Stop() { impl_->server.stop(); }

}  // namespace runlake::serve
