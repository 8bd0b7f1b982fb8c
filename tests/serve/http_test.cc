// `runlake serve` as operators run it: the real binary on a free port (--port 0), fetched
// over real HTTP (cpp-httplib's client), stopped by SIGTERM; and its matrix page rendered
// by headless Chromium from Debian, whose DOM must show the right state for every date,
// with no console errors (a CSP violation is one), and a screenshot kept in the build tree.

#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <thread>

#include "serve/serve_process.h"

namespace runlake::serve {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class ServeHttpTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(lake_.Build()); }
  testing::ServeTestLake lake_;
};

TEST_F(ServeHttpTest, ServesPagesAndApiOverHttpAndStopsOnSigterm) {
  ServeProcess serve(lake_);
  ASSERT_GT(serve.port(), 0) << "no URL printed: " << serve.url() << "\n" << serve.Err();
  httplib::Client client("127.0.0.1", serve.port());
  auto page = client.Get("/");
  ASSERT_TRUE(page) << "no answer: " << httplib::to_string(page.error());
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("<h1>Overview</h1>"), std::string::npos);
  EXPECT_EQ(page->get_header_value("Content-Security-Policy"), Dashboard::ContentSecurityPolicy());
  EXPECT_EQ(page->get_header_value("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(page->get_header_value("Cache-Control"), "no-store");

  auto api = client.Get("/api/");
  ASSERT_TRUE(api);
  EXPECT_EQ(api->status, 200);
  EXPECT_EQ(api->get_header_value("Content-Type"), "application/json");
  json j = json::parse(api->body);
  EXPECT_EQ(j["active_backfills"][0]["id"], testing::kBackfillId);

  auto head = client.Head("/");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_TRUE(head->body.empty());
  auto post = client.Post("/", "x=1", "application/x-www-form-urlencoded");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
  auto rebound = client.Get(
      "/", httplib::Headers{{"Host", "attacker.example:" + std::to_string(serve.port())}});
  ASSERT_TRUE(rebound);
  EXPECT_EQ(rebound->status, 421);
  auto css = client.Get("/static/dashboard.css");
  ASSERT_TRUE(css);
  EXPECT_EQ(css->status, 200);

  EXPECT_EQ(serve.Stop(), 0) << serve.Err();
  httplib::Client after("127.0.0.1", serve.port());
  after.set_connection_timeout(1, 0);
  EXPECT_FALSE(after.Get("/")) << "still serving after SIGTERM";
}

// A body is never read: a POST announcing a gigabyte is answered 405 at once and the
// connection closed; over-long targets are 414 whether the wire layer (http_wire.h) or the
// dashboard sees them first.
TEST_F(ServeHttpTest, BodiesAreNeverReadAndLongTargetsRefused) {
  ServeProcess serve(lake_);
  ASSERT_GT(serve.port(), 0) << serve.Err();
  std::string host = "Host: 127.0.0.1:" + std::to_string(serve.port()) + "\r\n";
  auto t0 = std::chrono::steady_clock::now();
  std::string reply = RawExchange(
      serve.port(), "POST / HTTP/1.1\r\n" + host + "Content-Length: 1000000000\r\n\r\nx");
  EXPECT_EQ(reply.rfind("HTTP/1.1 405", 0), 0u) << reply;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(4))
      << "waited for the body";
  reply =
      RawExchange(serve.port(), "GET / HTTP/1.1\r\n" + host +
                                    "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 400", 0), 0u) << reply;
  for (size_t len : {2000u, 9000u, 20000u}) {
    reply = RawExchange(serve.port(),
                        "GET /" + std::string(len, 'a') + " HTTP/1.1\r\n" + host + "\r\n");
    EXPECT_EQ(reply.rfind("HTTP/1.1 414", 0), 0u) << len << ": " << reply.substr(0, 200);
  }
  reply = RawExchange(serve.port(), "GET / HTTP/1.1\r\nHost: 127.0.0.1.nip.io:" +
                                        std::to_string(serve.port()) + "\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 421", 0), 0u) << reply.substr(0, 200);
  reply = RawExchange(serve.port(), "GET / HTTP/1.0\r\n\r\n");  // no Host at all
  EXPECT_EQ(reply.rfind("HTTP/1.1 421", 0), 0u) << reply.substr(0, 200);
  EXPECT_EQ(serve.Stop(), 0);
}

// The exit status of `pid` within `seconds`; else kills it and answers -1.
int WaitExitWithin(pid_t pid, int seconds) {
  for (int i = 0; i < seconds * 20; ++i) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid)
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(pid, SIGKILL);
  it::WaitExit(pid);
  return -1;
}

// A second server on a taken port fails (SO_REUSEPORT, cpp-httplib's default, would let it
// share the port and take some of the first one's connections).
TEST_F(ServeHttpTest, PortInUseIsAClearError) {
  ServeProcess first(lake_);
  ASSERT_GT(first.port(), 0) << first.Err();
  std::string out = lake_.dir.path() + "/second.out", err = lake_.dir.path() + "/second.err";
  pid_t second = it::Spawn(
      {it::Binary(), "--lake", lake_.dir.path() + "/lake", "--state",
       lake_.dir.path() + "/state/runlake.sqlite", "serve", "--port", std::to_string(first.port())},
      out, err);
  EXPECT_EQ(WaitExitWithin(second, 20), 1) << it::ReadFile(out) << it::ReadFile(err);
  EXPECT_NE(it::ReadFile(err).find("cannot bind 127.0.0.1:" + std::to_string(first.port())),
            std::string::npos);
}

// The <tr> of one date in the DOM Chromium built, "" when absent.
std::string RowOf(const std::string& dom, const std::string& date) {
  size_t at = dom.find("data-date=\"" + date + "\"");
  if (at == std::string::npos) return "";
  size_t end = dom.find("</tr>", at);
  return dom.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

TEST_F(ServeHttpTest, ChromiumRendersTheMatrixStates) {
  const std::string chromium = "/usr/bin/chromium";
  if (!fs::exists(chromium)) {
    GTEST_SKIP() << "chromium is not installed (scripts/setup.sh installs Debian's chromium): "
                    "the browser test of the dashboard did not run";
  }
  ServeProcess serve(lake_);
  ASSERT_GT(serve.port(), 0) << serve.Err();
  std::string url = serve.url() + "datasets/mortgages/transactions";
  std::string profile = lake_.dir.path() + "/chromium-profile";
  std::vector<std::string> base = {"/usr/bin/timeout",
                                   "90",
                                   chromium,
                                   "--headless",
                                   "--no-sandbox",
                                   "--disable-gpu",
                                   "--user-data-dir=" + profile,
                                   "--enable-logging=stderr",
                                   "--v=0"};
  auto dom_args = base;
  dom_args.insert(dom_args.end(), {"--dump-dom", url});
  std::string out = lake_.dir.path() + "/dom.html", err = lake_.dir.path() + "/chromium.err";
  int rc = it::WaitExit(it::Spawn(dom_args, out, err));
  std::string dom = it::ReadFile(out), log = it::ReadFile(err);
  ASSERT_EQ(rc, 0) << log;
  EXPECT_NE(RowOf(dom, "2024-01-01").find("data-state=\"canonical\""), std::string::npos) << dom;
  EXPECT_NE(RowOf(dom, "2024-01-01").find("data-state=\"succeeded\""), std::string::npos);
  EXPECT_NE(RowOf(dom, "2024-01-02").find("data-state=\"gate_failed\""), std::string::npos);
  EXPECT_NE(RowOf(dom, "2024-01-02").find("class=\"badge\""), std::string::npos);
  EXPECT_NE(RowOf(dom, "2024-01-03").find("data-state=\"failed\""), std::string::npos);
  EXPECT_NE(RowOf(dom, "2024-01-03").find("data-state=\"missing\""), std::string::npos);
  EXPECT_NE(RowOf(dom, "2024-01-04").find("data-state=\"queued\""), std::string::npos);
  EXPECT_NE(RowOf(dom, "2024-01-05").find("data-state=\"running\""), std::string::npos);
  EXPECT_NE(RowOf(dom, "2024-01-06").find("data-state=\"unprocessed\""), std::string::npos);
  EXPECT_EQ(RowOf(dom, "2024-01-04").find("data-state=\"succeeded\""), std::string::npos);
  // Console messages (a CSP violation among them) are logged as "CONSOLE(...)".
  EXPECT_EQ(log.find(":CONSOLE"), std::string::npos) << log;

  // A screenshot of each page, kept under the build tree for a human to look at.
  fs::path shots = fs::current_path() / "serve-screenshots";
  fs::create_directories(shots);
  for (const auto& [name, path] : std::vector<std::pair<std::string, std::string>>{
           {"matrix", "datasets/mortgages/transactions"},
           {"overview", ""},
           {"backfill", std::string("backfills/") + testing::kBackfillId},
           {"quarantine", "quarantine"}}) {
    auto args = base;
    args.insert(args.end(),
                {"--window-size=1280,1000", "--screenshot=" + (shots / (name + ".png")).string(),
                 serve.url() + path});
    EXPECT_EQ(it::WaitExit(it::Spawn(args, out, err)), 0) << it::ReadFile(err);
    EXPECT_TRUE(fs::exists(shots / (name + ".png"))) << name;
  }
  EXPECT_EQ(serve.Stop(), 0);
}

}  // namespace
}  // namespace runlake::serve
