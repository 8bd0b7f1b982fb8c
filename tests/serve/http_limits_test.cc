// The real `runlake serve` against clients that misbehave on the wire: a second Host header
// (U21), and connections that open and stall or trickle their head (slowloris, U22), which
// must neither delay nor lock out an honest client and must be closed by the server.

#include <gtest/gtest.h>
#include <httplib.h>
#include <poll.h>

#include <chrono>
#include <vector>

#include "serve/http_server.h"
#include "serve/serve_process.h"

namespace runlake::serve {
namespace {

using Clock = std::chrono::steady_clock;

class ServeHttpLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(lake_.Build()); }
  testing::ServeTestLake lake_;
};

// RFC 9112 3.2: more than one Host is a 400, whichever comes first; a proxy or cache in
// front might key on the other one.
TEST_F(ServeHttpLimitsTest, TwoHostHeadersAreRefused) {
  ServeProcess serve(lake_);
  ASSERT_GT(serve.port(), 0) << serve.Err();
  const std::string good = "Host: 127.0.0.1:" + std::to_string(serve.port()) + "\r\n";
  const std::string evil = "Host: evil.example:" + std::to_string(serve.port()) + "\r\n";
  std::string reply = RawExchange(serve.port(), "GET / HTTP/1.1\r\n" + good + evil + "\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 400", 0), 0u) << reply.substr(0, 300);
  EXPECT_NE(reply.find("more than one Host"), std::string::npos);
  reply = RawExchange(serve.port(), "GET / HTTP/1.1\r\n" + good + "host: 127.0.0.1:" +
                                        std::to_string(serve.port()) + "\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 400", 0), 0u) << "even the same Host twice";
  reply = RawExchange(serve.port(), "GET / HTTP/1.1\r\n" + evil + good + "\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 400", 0), 0u) << reply.substr(0, 300);
  reply = RawExchange(serve.port(), "GET / HTTP/1.1\r\n" + good + "\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 200", 0), 0u) << reply.substr(0, 300);
  EXPECT_EQ(serve.Stop(), 0) << serve.Err();
}

// Opens `n` connections that send part of a request head and then stall.
std::vector<int> StalledConnections(int port, int n) {
  const std::string partial = "GET / HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n";
  std::vector<int> fds;
  for (int i = 0; i < n; ++i) {
    int fd = ConnectLoopback(port);
    if (fd < 0) break;
    (void)!write(fd, partial.data(), partial.size());
    fds.push_back(fd);
  }
  return fds;
}

// Seconds an honest GET takes, or -1 when it gets no 200. The stylesheet: what is timed is
// the wait behind other connections, not a page's build on a busy test machine.
double TimedGet(int port) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(30, 0);
  auto t0 = Clock::now();
  auto r = client.Get("/static/dashboard.css");
  if (!r || r->status != 200) return -1;
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// true once the server has closed `fd` (EOF or reset; a 408 before it is read and dropped).
bool ClosedByServer(int fd) {
  pollfd p{fd, POLLIN, 0};
  char buf[1024];
  while (poll(&p, 1, 0) > 0) {
    ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n <= 0) return true;
  }
  return false;
}

// 20, then 100 stalled connections (more than the server holds at once: it must make room),
// plus one that trickles a byte every 250 ms and so never stalls for long: an honest request
// is answered at once all along, and the server closes every one of them within about its
// head timeout, the trickler too.
TEST_F(ServeHttpLimitsTest, StalledConnectionsDelayNobodyAndAreClosed) {
  ServeProcess serve(lake_);
  ASSERT_GT(serve.port(), 0) << serve.Err();
  ASSERT_GE(TimedGet(serve.port()), 0) << "the dashboard answers";

  std::vector<int> stalled = StalledConnections(serve.port(), 20);
  ASSERT_EQ(stalled.size(), 20u);
  double seconds = TimedGet(serve.port());
  EXPECT_GE(seconds, 0) << "no answer behind 20 stalled connections";
  EXPECT_LT(seconds, 3) << "behind 20 stalled connections";

  std::vector<int> more = StalledConnections(serve.port(), 80);
  ASSERT_EQ(more.size(), 80u);
  stalled.insert(stalled.end(), more.begin(), more.end());
  int trickler = ConnectLoopback(serve.port());  // the newest: never the one evicted
  ASSERT_GE(trickler, 0);
  seconds = TimedGet(serve.port());
  EXPECT_GE(seconds, 0) << "no answer behind 100 stalled connections";
  EXPECT_LT(seconds, 3) << "behind 100 stalled connections";

  // Every stalled connection (and the trickler, though it keeps sending) is closed by the
  // server well within its head timeout plus a generous margin.
  auto deadline = Clock::now() + kHeadTimeout + std::chrono::seconds(10);
  std::vector<bool> closed(stalled.size(), false);
  bool trickler_closed = false;
  size_t open = stalled.size();
  while ((open > 0 || !trickler_closed) && Clock::now() < deadline) {
    if (!trickler_closed) {
      (void)!send(trickler, "X", 1, MSG_NOSIGNAL);
      trickler_closed = ClosedByServer(trickler);
    }
    for (size_t i = 0; i < stalled.size(); ++i) {
      if (!closed[i] && ClosedByServer(stalled[i])) {
        closed[i] = true;
        --open;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  EXPECT_EQ(open, 0u) << "stalled connections the server never closed";
  EXPECT_TRUE(trickler_closed) << "a head trickled a byte at a time is never cut off";
  for (int fd : stalled) close(fd);
  close(trickler);
  EXPECT_GE(TimedGet(serve.port()), 0) << "the dashboard still answers";
  EXPECT_EQ(serve.Stop(), 0) << serve.Err();
}

}  // namespace
}  // namespace runlake::serve
