#pragma once
// A scripted HTTP/1.1 server on 127.0.0.1 for fault tests of the S3 client: each request
// is answered by a handler (one connection per request: "Connection: close").

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace runlake::testing {

struct HttpRequest {
  std::string method;
  std::string target;                          // path and query, as sent
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

// "HTTP/1.1 <status> X\r\n<headers>\r\n<body>": a complete response.
inline std::string HttpResponse(int status, const std::string& body = "",
                                const std::string& extra_headers = "") {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\nConnection: close\r\n" + extra_headers + "\r\n" + body;
}

inline std::string S3Error(int status, const std::string& code) {
  return HttpResponse(status, "<?xml version=\"1.0\"?><Error><Code>" + code +
                                  "</Code><Message>scripted</Message></Error>");
}

class FakeHttpServer {
 public:
  // The handler returns the raw response to send, or "" to drop the connection unanswered.
  using Handler = std::function<std::string(const HttpRequest&)>;

  explicit FakeHttpServer(Handler handler) : handler_(std::move(handler)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    ::listen(fd_, 64);
    socklen_t len = sizeof(addr);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~FakeHttpServer() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<HttpRequest> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  void Serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      HttpRequest req;
      if (ReadRequest(c, &req)) {
        std::string resp = handler_(req);
        {
          std::lock_guard<std::mutex> lock(mu_);
          requests_.push_back(req);
        }
        size_t off = 0;
        while (off < resp.size()) {
          ssize_t n = ::send(c, resp.data() + off, resp.size() - off, MSG_NOSIGNAL);
          if (n <= 0) break;
          off += size_t(n);
        }
      }
      ::close(c);
    }
  }

  static bool ReadRequest(int c, HttpRequest* req) {
    std::string data;
    char buf[65536];
    size_t head_end;
    while ((head_end = data.find("\r\n\r\n")) == std::string::npos) {
      ssize_t n = ::recv(c, buf, sizeof(buf), 0);
      if (n <= 0) return false;
      data.append(buf, size_t(n));
    }
    std::string head = data.substr(0, head_end);
    size_t line_end = head.find("\r\n");
    std::string first = head.substr(0, line_end);
    req->method = first.substr(0, first.find(' '));
    req->target = first.substr(first.find(' ') + 1, first.rfind(' ') - first.find(' ') - 1);
    size_t pos = line_end + 2;
    while (pos < head.size()) {
      size_t e = head.find("\r\n", pos);
      if (e == std::string::npos) e = head.size();
      std::string line = head.substr(pos, e - pos);
      size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        for (char& ch : name) ch = char(::tolower(ch));
        size_t v = line.find_first_not_of(' ', colon + 1);
        req->headers[name] = v == std::string::npos ? "" : line.substr(v);
      }
      pos = e + 2;
    }
    size_t want = 0;
    if (req->headers.count("content-length")) want = std::stoul(req->headers["content-length"]);
    if (req->headers.count("expect") && want > 0) {
      const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
      ::send(c, cont, sizeof(cont) - 1, MSG_NOSIGNAL);
    }
    req->body = data.substr(head_end + 4);
    while (req->body.size() < want) {
      ssize_t n = ::recv(c, buf, sizeof(buf), 0);
      if (n <= 0) return false;
      req->body.append(buf, size_t(n));
    }
    return true;
  }

  Handler handler_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<HttpRequest> requests_;
};

}  // namespace runlake::testing
