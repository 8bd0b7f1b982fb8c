#pragma once
// `runlake serve` as operators run it, for the tests over real HTTP: the real binary on a
// free port (--port 0) over a ServeTestLake, stopped by SIGTERM; and raw socket exchanges
// for requests an HTTP client library would not send.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <thread>

#include "integration/cli_runner.h"
#include "serve/serve_test_lake.h"

namespace runlake::serve {

class ServeProcess {
 public:
  // Starts `runlake serve --port 0 --json` on the lake and waits for the URL it prints.
  explicit ServeProcess(testing::ServeTestLake& lake) : dir_(lake.dir.path()) {
    out_ = dir_ + "/serve.out";
    err_ = dir_ + "/serve.err";
    pid_ = it::Spawn({it::Binary(), "--lake", dir_ + "/lake", "--state",
                      dir_ + "/state/runlake.sqlite", "serve", "--port", "0", "--json"},
                     out_, err_);
    for (int i = 0; i < 200 && url_.empty(); ++i) {
      std::string text = it::ReadFile(out_);
      if (text.find('\n') != std::string::npos)
        url_ = nlohmann::json::parse(text)["url"];
      else
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::smatch m;
    std::regex re("^http://127\\.0\\.0\\.1:([0-9]+)/$");
    if (std::regex_match(url_, m, re)) port_ = std::stoi(m[1]);
  }
  ~ServeProcess() {
    if (pid_ > 0 && !stopped_) Stop();
  }
  int Stop() {
    stopped_ = true;
    kill(pid_, SIGTERM);
    return it::WaitExit(pid_);
  }
  const std::string& url() const { return url_; }
  int port() const { return port_; }
  std::string Err() const { return it::ReadFile(err_); }

 private:
  std::string dir_, out_, err_, url_;
  pid_t pid_ = -1;
  int port_ = 0;
  bool stopped_ = false;
};

// A TCP connection to 127.0.0.1:`port`; -1 if it cannot be made.
inline int ConnectLoopback(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd >= 0 && connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Sends `request` as raw bytes and returns what comes back until the server closes (at most
// a few seconds): for requests an HTTP client library would not send.
inline std::string RawExchange(int port, const std::string& request) {
  int fd = ConnectLoopback(port);
  if (fd < 0) return "";
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  (void)!write(fd, request.data(), request.size());
  std::string reply;
  char buf[4096];
  for (ssize_t n; (n = read(fd, buf, sizeof(buf))) > 0;) reply.append(buf, static_cast<size_t>(n));
  close(fd);
  return reply;
}

}  // namespace runlake::serve
