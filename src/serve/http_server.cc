#include "serve/http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <list>
#include <vector>

#include "serve/http_wire.h"

namespace runlake::serve {

namespace {

using Clock = std::chrono::steady_clock;

// After the response the client's unsent or unread bytes (a refused body) are drained for
// at most this long before close: closing with unread input sends a RST, which can destroy
// the response before the client has read it.
constexpr std::chrono::seconds kLingerTimeout{2};
// accept() failing for want of descriptors leaves the listening socket readable: wait this
// long instead of spinning.
constexpr std::chrono::milliseconds kAcceptPause{100};

struct Connection {
  enum class Phase { kHead, kResponse, kLinger };
  int fd = -1;  // -1 once closed; removed at the end of the loop's round
  uint64_t serial = 0;  // accept order
  Phase phase = Phase::kHead;
  Clock::time_point deadline;
  std::string in;   // the head received so far
  std::string out;  // the response; out[sent..] is still to send
  size_t sent = 0;
};

void Close(Connection& c) {
  if (c.fd >= 0) close(c.fd);
  c.fd = -1;
}

// A short refusal on a socket nobody will wait for (non-blocking, best effort).
void SendAndForget(int fd, int status, const std::string& message) {
  std::string r = SerializeResponse(Dashboard::Refuse(status, message), false);
  (void)!send(fd, r.data(), r.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

}  // namespace

struct HttpServer::Impl {
  Dashboard& dashboard;
  int listen_fd = -1;
  int wake[2] = {-1, -1};  // Stop() writes a byte here: the loop wakes and returns
  std::list<Connection> conns;
  uint64_t next_serial = 0;

  explicit Impl(Dashboard& d) : dashboard(d) {
    if (pipe2(wake, O_CLOEXEC | O_NONBLOCK) != 0) wake[0] = wake[1] = -1;
  }
  ~Impl() {
    CloseAll();
    for (int fd : {wake[0], wake[1]})
      if (fd >= 0) close(fd);
  }

  void CloseAll() {
    for (auto& c : conns) Close(c);
    conns.clear();
    if (listen_fd >= 0) close(listen_fd);
    listen_fd = -1;
  }

  size_t Open() const {
    return std::count_if(conns.begin(), conns.end(), [](const Connection& c) { return c.fd >= 0; });
  }

  // Makes room for a new connection: closes one that is done (draining) or, failing that,
  // the oldest still sending its head. false when every slot is sending a response.
  bool Evict() {
    Connection* victim = nullptr;
    auto rank = [](const Connection& c) { return c.phase == Connection::Phase::kLinger ? 0 : 1; };
    for (auto& c : conns) {
      if (c.fd < 0 || c.phase == Connection::Phase::kResponse) continue;
      if (!victim || rank(c) < rank(*victim) ||
          (rank(c) == rank(*victim) && c.serial < victim->serial)) {
        victim = &c;
      }
    }
    if (!victim) return false;
    Close(*victim);
    return true;
  }

  // Takes every pending connection. Returns false when accept() lacks descriptors.
  bool Accept(Clock::time_point now) {
    for (;;) {
      int fd = accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        return errno == EAGAIN || errno == EWOULDBLOCK;
      }
      if (Open() >= kMaxConnections && !Evict()) {
        SendAndForget(fd, 503, "the dashboard is answering too many connections; retry");
        close(fd);
        continue;
      }
      Connection c;
      c.fd = fd;
      c.serial = next_serial++;
      c.deadline = now + kHeadTimeout;
      conns.push_back(std::move(c));
    }
  }

  void Respond(Connection& c, const Response& r, bool head_only) {
    c.out = SerializeResponse(r, head_only);
    c.sent = 0;
    c.in = std::string();
    c.phase = Connection::Phase::kResponse;
    c.deadline = Clock::now() + kWriteTimeout;  // now: the page may have taken a while
    Send(c);  // most responses fit the socket buffer and leave at once
  }

  void Send(Connection& c) {
    while (c.sent < c.out.size()) {
      ssize_t n = send(c.fd, c.out.data() + c.sent, c.out.size() - c.sent, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;  // wait for POLLOUT
      if (n <= 0) return Close(c);
      c.sent += static_cast<size_t>(n);
    }
    c.out = std::string();
    shutdown(c.fd, SHUT_WR);
    c.phase = Connection::Phase::kLinger;
    c.deadline = Clock::now() + kLingerTimeout;
  }

  void Receive(Connection& c) {
    char buf[8192];
    ssize_t n = recv(c.fd, buf, sizeof buf, 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
    if (n <= 0) return Close(c);  // gone (or, lingering, done)
    if (c.phase == Connection::Phase::kLinger) return;  // discarded
    c.in.append(buf, static_cast<size_t>(n));
    size_t end = HeadEnd(c.in);
    if (std::min(end, c.in.size()) > kMaxHeadBytes) {
      bool in_request_line = c.in.find('\n') > kMaxHeadBytes;
      return Respond(c,
                     in_request_line
                         ? Dashboard::Refuse(414, "the request line is too long")
                         : Dashboard::Refuse(431, "the request head is over " +
                                                      std::to_string(kMaxHeadBytes) + " bytes"),
                     false);
    }
    if (end == std::string::npos) return;
    Request request;
    std::string error = ParseHead(std::string_view(c.in).substr(0, end), &request);
    if (!error.empty()) return Respond(c, Dashboard::Refuse(400, "bad request: " + error), false);
    Respond(c, dashboard.Handle(request), request.method == "HEAD");
  }

  void Expire(Clock::time_point now) {
    for (auto& c : conns) {
      if (c.fd < 0 || now < c.deadline) continue;
      if (c.phase == Connection::Phase::kHead) {
        SendAndForget(c.fd, 408, "the request head did not arrive within " +
                                     std::to_string(kHeadTimeout.count()) + " s");
      }
      Close(c);
    }
  }

  Status Loop() {
    std::vector<pollfd> fds;
    std::vector<Connection*> owners;  // owners[i] polls as fds[i + 2]
    Clock::time_point accept_paused_until{};
    for (;;) {
      Clock::time_point now = Clock::now(), wake_at = now + std::chrono::seconds(1);
      bool accepting = now >= accept_paused_until;
      if (!accepting) wake_at = std::min(wake_at, accept_paused_until);
      fds.assign({{wake[0], POLLIN, 0}, {accepting ? listen_fd : -1, POLLIN, 0}});
      owners.clear();
      for (auto& c : conns) {
        bool out = c.phase == Connection::Phase::kResponse;
        fds.push_back({c.fd, static_cast<short>(out ? POLLOUT : POLLIN), 0});
        owners.push_back(&c);
        wake_at = std::min(wake_at, c.deadline);
      }
      auto wait = std::chrono::ceil<std::chrono::milliseconds>(wake_at - now).count();
      if (poll(fds.data(), fds.size(), static_cast<int>(std::max<int64_t>(0, wait))) < 0 &&
          errno != EINTR) {
        return Status::IOError(std::string("poll: ") + std::strerror(errno));
      }
      // Deadlines are judged by the time poll returned: a slow page built below must not
      // expire connections whose bytes arrived meanwhile, unread.
      now = Clock::now();
      if (fds[0].revents) return Status::OK();
      for (size_t i = 0; i < owners.size(); ++i) {
        Connection& c = *owners[i];
        if (!fds[i + 2].revents || c.fd < 0) continue;
        if (c.phase == Connection::Phase::kResponse) Send(c);
        else Receive(c);
      }
      if ((fds[1].revents & POLLIN) && !Accept(now)) accept_paused_until = now + kAcceptPause;
      Expire(now);
      conns.remove_if([](const Connection& c) { return c.fd < 0; });
    }
  }
};

HttpServer::HttpServer(Dashboard& dashboard) : impl_(std::make_unique<Impl>(dashboard)) {}

HttpServer::~HttpServer() { Stop(); }

Result<int> HttpServer::Bind(int port) {
  if (port < 0 || port > 65535) return Status::InvalidArgument("a port is 0 to 65535");
  auto fail = [port]() {
    return Status::IOError(port == 0 ? std::string("cannot bind a free port on 127.0.0.1")
                                     : "cannot bind 127.0.0.1:" + std::to_string(port) +
                                           " (in use?)");
  };
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail();
  // SO_REUSEADDR allows a restart while old connections sit in TIME_WAIT. Never
  // SO_REUSEPORT: it lets another local user's process bind the same port and take a share
  // of our connections.
  int yes = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      listen(fd, SOMAXCONN) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return fail();
  }
  if (impl_->listen_fd >= 0) close(impl_->listen_fd);
  impl_->listen_fd = fd;
  int bound = ntohs(addr.sin_port);
  impl_->dashboard.set_port(bound);
  return bound;
}

Status HttpServer::Serve() {
  if (impl_->listen_fd < 0) return Status::IOError("the dashboard is not bound to a port");
  if (impl_->wake[0] < 0) return Status::IOError("the dashboard cannot create its stop pipe");
  Status st = impl_->Loop();
  impl_->CloseAll();  // a stopped server refuses connections at once
  return st;
}

void HttpServer::Stop() {
  if (impl_->wake[1] >= 0) (void)!write(impl_->wake[1], "x", 1);
}

}  // namespace runlake::serve
