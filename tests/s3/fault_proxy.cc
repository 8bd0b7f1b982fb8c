// The faulting proxy of fault_proxy.h: plain POSIX sockets, a thread per connection.

#include "s3/fault_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace runlake::it {
namespace {

constexpr int kSliceMs = 100;          // every wait wakes this often to see a stop
constexpr size_t kMaxHead = 64 << 10;  // a request head larger than this is not S3's

// Waits until `fd` is readable (true) or the proxy stops (false).
bool WaitReadable(int fd, const std::atomic<bool>& stopping) {
  while (!stopping.load()) {
    pollfd p{fd, POLLIN, 0};
    int n = ::poll(&p, 1, kSliceMs);
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return false;
  }
  return false;
}

bool SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    // MSG_NOSIGNAL: a client that went away must not kill the test with SIGPIPE.
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(size_t(n));
  }
  return true;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// A request head, parsed as far as the proxy needs.
struct Head {
  std::string method, target;
  std::string rewritten;   // the head to send upstream: "Connection: close" in place of any other
  size_t content_length = 0;
  bool expect_continue = false;
};

// Parses the head (the bytes before "\r\n\r\n"), false when it is not HTTP/1.x.
bool ParseHead(const std::string& raw, Head* h) {
  size_t eol = raw.find("\r\n");
  std::string line = raw.substr(0, eol);
  size_t sp1 = line.find(' '), sp2 = line.rfind(' ');
  if (sp1 == std::string::npos || sp2 == sp1) return false;
  h->method = line.substr(0, sp1);
  h->target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  h->rewritten = line + "\r\n";
  for (size_t at = eol + 2; at < raw.size();) {
    size_t end = raw.find("\r\n", at);
    if (end == std::string::npos) end = raw.size();
    std::string header = raw.substr(at, end - at);
    at = end + 2;
    size_t colon = header.find(':');
    if (colon == std::string::npos) continue;
    std::string name = Lower(header.substr(0, colon));
    std::string value = header.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    if (name == "connection") continue;  // replaced below
    if (name == "content-length") h->content_length = std::strtoull(value.c_str(), nullptr, 10);
    if (name == "expect") h->expect_continue = Lower(value).find("100-continue") != std::string::npos;
    h->rewritten += header + "\r\n";
  }
  h->rewritten += "Connection: close\r\n\r\n";
  return true;
}

// Reads the head from `fd`; `rest` gets the bytes read past it (the start of a body).
bool ReadHead(int fd, const std::atomic<bool>& stopping, std::string* head, std::string* rest) {
  std::string buf;
  char chunk[8192];
  while (buf.size() < kMaxHead) {
    if (!WaitReadable(fd, stopping)) return false;
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buf.append(chunk, size_t(n));
    size_t end = buf.find("\r\n\r\n");
    if (end != std::string::npos) {
      *head = buf.substr(0, end);
      *rest = buf.substr(end + 4);
      return true;
    }
  }
  return false;
}

// Reads and throws away `n` bytes (a body the proxy answers without forwarding): an answer
// sent over unread data would make the kernel reset the connection, and the client would
// see a reset instead of the status under test.
void Discard(int fd, const std::atomic<bool>& stopping, size_t n) {
  char chunk[65536];
  while (n > 0 && WaitReadable(fd, stopping)) {
    ssize_t got = ::recv(fd, chunk, std::min(n, sizeof chunk), 0);
    if (got <= 0) return;
    n -= size_t(got);
  }
}

// Closes after the client has read the answer: half-close, then wait (2 s at most) for the
// client to close its side, so no unread byte turns the close into a reset.
void CloseGracefully(int fd, const std::atomic<bool>& stopping) {
  ::shutdown(fd, SHUT_WR);
  char chunk[4096];
  for (int i = 0; i < 20 && !stopping.load(); ++i) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, kSliceMs) <= 0) continue;
    if (::recv(fd, chunk, sizeof chunk, 0) <= 0) break;
  }
  ::close(fd);
}

// A close that sends RST: what a crashed or overloaded server's peer sees.
void Reset(int fd) {
  linger l{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  ::close(fd);
}

std::string ErrorAnswer(Fault fault, const Head& h) {
  bool slow = fault == Fault::kSlowDown503;
  std::string code = slow ? "SlowDown" : "InternalError";
  std::string body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code +
                     "</Code><Message>" + (slow ? "Please reduce your request rate." : "We encountered an internal error.") +
                     "</Message><Resource>" + h.target + "</Resource><RequestId>fault-proxy</RequestId></Error>";
  std::string head = std::string("HTTP/1.1 ") + (slow ? "503 Slow Down" : "500 Internal Server Error") +
                     "\r\nContent-Type: application/xml\r\nContent-Length: " + std::to_string(body.size()) +
                     "\r\nConnection: close\r\n\r\n";
  return h.method == "HEAD" ? head : head + body;  // a HEAD answer has no body
}

int ConnectTo(const std::string& host, int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(uint16_t(port));
  if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Copies bytes both ways until the upstream closes (it answers one request, then closes:
// the head said "Connection: close") or either side fails. With `drop_answer`, the
// upstream's final answer is read and thrown away (only a "100 Continue" reaches the
// client, which needs it to send its body); true when the upstream finished its answer.
bool Pump(int client, int up, const std::atomic<bool>& stopping, bool drop_answer = false) {
  char buf[65536];
  bool client_open = true;
  std::string interim;  // drop_answer: the start of the upstream's bytes, until judged
  bool judged = false;
  while (!stopping.load()) {
    pollfd p[2] = {{client, short(client_open ? POLLIN : 0), 0}, {up, POLLIN, 0}};
    int n = ::poll(p, 2, kSliceMs);
    if (n < 0 && errno != EINTR) return false;
    if (n <= 0) continue;
    if (p[1].revents) {
      ssize_t got = ::recv(up, buf, sizeof buf, 0);
      if (got <= 0) return got == 0;  // the answer is complete (or the upstream failed)
      if (!drop_answer) {
        if (!SendAll(client, std::string_view(buf, size_t(got)))) return false;
      } else if (!judged) {
        interim.append(buf, size_t(got));
        size_t end = interim.find("\r\n\r\n");
        if (end != std::string::npos) {
          bool is_continue = interim.rfind("HTTP/1.1 100", 0) == 0;
          if (is_continue && !SendAll(client, std::string_view(interim).substr(0, end + 4))) return false;
          interim = is_continue ? interim.substr(end + 4) : "";
          judged = !is_continue;  // after a 100, the final answer comes: judge it too
        }
      }
    }
    if (client_open && p[0].revents) {
      ssize_t got = ::recv(client, buf, sizeof buf, 0);
      if (got <= 0) {  // the client is done sending; the answer may still be coming
        client_open = false;
        ::shutdown(up, SHUT_WR);
      } else if (!SendAll(up, std::string_view(buf, size_t(got)))) {
        return false;
      }
    }
  }
  return false;
}

}  // namespace

std::unique_ptr<FaultProxy> FaultProxy::Start(const std::string& upstream, std::string* error) {
  auto fail = [&](const std::string& what) -> std::unique_ptr<FaultProxy> {
    if (error) *error = what + ": " + std::strerror(errno);
    return nullptr;
  };
  // "http://127.0.0.1:7480" -> host and port (the test RGW is plain http on an IP).
  std::string hostport = upstream.substr(upstream.find("://") == std::string::npos ? 0 : upstream.find("://") + 3);
  hostport = hostport.substr(0, hostport.find('/'));
  size_t colon = hostport.rfind(':');
  std::string host = hostport.substr(0, colon);
  int port = colon == std::string::npos ? 80 : std::atoi(hostport.c_str() + colon + 1);

  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail("socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;  // a free port
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 128) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    return fail("listen on 127.0.0.1");
  }
  return std::unique_ptr<FaultProxy>(new FaultProxy(fd, ntohs(addr.sin_port), host, port));
}

FaultProxy::FaultProxy(int listen_fd, int port, std::string upstream_host, int upstream_port)
    : listen_fd_(listen_fd), port_(port), upstream_host_(std::move(upstream_host)),
      upstream_port_(upstream_port), acceptor_([this] { AcceptLoop(); }) {}

FaultProxy::~FaultProxy() {
  stopping_ = true;
  acceptor_.join();
  ::close(listen_fd_);
  // No lock needed: the acceptor, the only one that adds threads, has ended.
  for (auto& t : threads_) t.join();
}

std::string FaultProxy::endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

void FaultProxy::Inject(const FaultRule& rule) {
  std::lock_guard<std::mutex> lock(mu_);
  rules_.push_back(rule);
}

void FaultProxy::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  rules_.clear();
}

std::vector<std::string> FaultProxy::Log() const {
  std::lock_guard<std::mutex> lock(mu_);
  return log_;
}

void FaultProxy::Record(const std::string& line) {
  std::lock_guard<std::mutex> lock(mu_);
  log_.push_back(line);
}

bool FaultProxy::TakeFault(const std::string& method, const std::string& target, FaultRule* out) {
  std::lock_guard<std::mutex> lock(mu_);
  for (FaultRule& rule : rules_) {
    if (rule.count == 0 || (!rule.method.empty() && rule.method != method)) continue;
    if (target.find(rule.target_contains) == std::string::npos) continue;
    if (rule.count > 0) --rule.count;
    *out = rule;
    return true;
  }
  return false;
}

void FaultProxy::AcceptLoop() {
  while (WaitReadable(listen_fd_, stopping_)) {
    int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;  // a connection that went away before accept: nothing to serve
    threads_.emplace_back([this, client] { Serve(client); });
  }
}

void FaultProxy::Serve(int client) {
  std::string raw, rest;
  Head h;
  if (!ReadHead(client, stopping_, &raw, &rest) || !ParseHead(raw, &h)) {
    ::close(client);
    return;
  }
  const std::string what = h.method + " " + h.target + " -> ";
  FaultRule rule;
  const bool faulted = TakeFault(h.method, h.target, &rule);
  const bool drop = faulted && rule.fault == Fault::kDropAnswer;
  if (faulted) {
    ++faults_;
    switch (rule.fault) {
      case Fault::kReset:
        Record(what + "reset");
        Reset(client);
        return;
      case Fault::kStall:
        Record(what + "stalled " + std::to_string(rule.stall.count()) + " ms");
        for (auto end = std::chrono::steady_clock::now() + rule.stall;
             std::chrono::steady_clock::now() < end && !stopping_.load();) {
          std::this_thread::sleep_for(std::chrono::milliseconds(kSliceMs));
        }
        break;  // then forwarded below
      case Fault::kDropAnswer:
        break;  // forwarded below, the answer dropped
      case Fault::kSlowDown503:
      case Fault::kInternal500: {
        // With "Expect: 100-continue" the client waits for us before sending its body, and
        // an error answer tells it not to send it at all.
        if (!h.expect_continue && h.content_length > rest.size()) {
          Discard(client, stopping_, h.content_length - rest.size());
        }
        Record(what + (rule.fault == Fault::kSlowDown503 ? "503 SlowDown" : "500 InternalError"));
        if (!SendAll(client, ErrorAnswer(rule.fault, h))) {
          ::close(client);
          return;
        }
        CloseGracefully(client, stopping_);
        return;
      }
    }
  } else {
    Record(what + "forwarded");
  }
  // The stall and the dropped answer go on here too.
  int up = ConnectTo(upstream_host_, upstream_port_);
  if (up < 0) {  // the gateway is down: the client sees what it would see without the proxy
    Reset(client);
    return;
  }
  bool done = SendAll(up, h.rewritten) && SendAll(up, rest) && Pump(client, up, stopping_, drop);
  ::close(up);
  if (drop) {
    Record(what + (done ? "done, answer dropped" : "answer dropped, upstream failed"));
    Reset(client);
    return;
  }
  ::close(client);
}

}  // namespace runlake::it
