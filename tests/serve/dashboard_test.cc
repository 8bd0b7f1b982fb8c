// The dashboard core in-process (no sockets): every route's status and content on a lake
// with every matrix state, escaping of hostile ids and raw records, and the refusals that
// come before any page code (405, bad Host, long targets, bodies, unknown routes).

#include "serve/dashboard.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "serve/serve_test_lake.h"

namespace runlake::serve {
namespace {

using nlohmann::json;
using testing::kBackfillId;
using testing::kHostile;

constexpr int kPort = 8123;

class DashboardTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    lake_ = new testing::ServeTestLake();
    lake_->Build();
  }
  static void TearDownTestSuite() {
    delete lake_;
    lake_ = nullptr;
  }
  void SetUp() override {
    if (HasFatalFailure() || !lake_->state) GTEST_FAIL() << "the test lake was not built";
    dashboard_ = std::make_unique<Dashboard>(lake_->Sources());
    dashboard_->set_port(kPort);
  }
  Response Get(const std::string& target, const std::string& method = "GET",
               const std::string& host = "127.0.0.1:" + std::to_string(kPort)) {
    Request r;
    r.method = method;
    r.target = target;
    if (!host.empty()) r.headers["host"] = host;
    return dashboard_->Handle(r);
  }
  json Api(const std::string& target) {
    Response r = Get(target);
    EXPECT_EQ(r.status, 200) << target << "\n" << r.body;
    EXPECT_EQ(r.content_type, "application/json");
    return json::parse(r.body);
  }
  static testing::ServeTestLake* lake_;
  std::unique_ptr<Dashboard> dashboard_;
};
testing::ServeTestLake* DashboardTest::lake_ = nullptr;

// The state of each cell of a matrix row, as the API gives it.
std::vector<std::string> CellStates(const json& matrix, const std::string& date) {
  std::vector<std::string> out;
  for (const auto& row : matrix["dates"]) {
    if (row["date"] != date) continue;
    for (const auto& c : row["cells"]) out.push_back(c["state"]);
  }
  return out;
}

TEST_F(DashboardTest, EveryResponseCarriesTheSecurityHeaders) {
  for (const char* target : {"/", "/nope", "/runs/%3Cx%3E"}) {
    Response r = Get(target);
    EXPECT_EQ(r.headers["Content-Security-Policy"], Dashboard::ContentSecurityPolicy()) << target;
    EXPECT_NE(r.headers["Content-Security-Policy"].find("default-src 'none'"), std::string::npos);
    EXPECT_NE(r.headers["Content-Security-Policy"].find("frame-ancestors 'none'"),
              std::string::npos);
    EXPECT_EQ(r.headers["X-Content-Type-Options"], "nosniff");
    EXPECT_EQ(r.headers["Cache-Control"], "no-store");
  }
  Response bad_host = Get("/", "GET", "evil.example:8123");
  EXPECT_EQ(bad_host.headers["Cache-Control"], "no-store");
}

TEST_F(DashboardTest, RefusesWritesBodiesForeignHostsAndLongTargets) {
  for (const char* m : {"POST", "PUT", "DELETE", "PATCH", "OPTIONS"}) {
    Response r = Get("/", m);
    EXPECT_EQ(r.status, 405) << m;
    EXPECT_EQ(r.headers["Allow"], "GET, HEAD");
  }
  for (const char* host :
       {"evil.example:8123", "127.0.0.1:9999", "127.0.0.1", "localhost.evil:8123", ""}) {
    EXPECT_EQ(Get("/", "GET", host).status, 421) << "host '" << host << "'";
  }
  for (const char* host : {"127.0.0.1:8123", "localhost:8123", "[::1]:8123"}) {
    EXPECT_EQ(Get("/", "GET", host).status, 200) << host;
  }
  Request with_body;
  with_body.method = "GET";
  with_body.target = "/";
  with_body.headers["host"] = "127.0.0.1:8123";
  with_body.has_body = true;
  EXPECT_EQ(dashboard_->Handle(with_body).status, 400);
  Request two_hosts;  // the wire layer (http_wire.h) keeps the first and names the repeat
  two_hosts.method = "GET";
  two_hosts.target = "/";
  two_hosts.headers["host"] = "127.0.0.1:8123";
  two_hosts.repeated_headers = {"host"};
  EXPECT_EQ(dashboard_->Handle(two_hosts).status, 400);
  EXPECT_EQ(Get("/runs/" + std::string(1100, 'a')).status, 414);
  EXPECT_EQ(Get("/logs?filter=" + std::string(1100, 'a')).status, 414);
  EXPECT_EQ(Get("/" + std::string(1100, 'a'), "POST", "evil:1").status,
            414);  // before anything else
  EXPECT_EQ(Get("/nope").status, 404);
  EXPECT_EQ(Get("/api/nope").status, 404);
  EXPECT_EQ(Get("/runs/a%zz").status, 400);
  EXPECT_EQ(Get("/runs/a%00b").status, 400);
  EXPECT_EQ(Get("/", "HEAD").status, 200);
}

TEST_F(DashboardTest, HostileIdsAreRefusedAndEscaped) {
  for (const std::string target :
       {"/runs/%3Cscript%3Ealert(1)%3C%2Fscript%3E", "/backfills/%3Cscript%3E",
        "/compare?a=%3Cscript%3E&b=x", "/logs?run_id=%3Cscript%3E", "/runs/..",
        "/datasets/a/%3Cmark%3E"}) {
    Response r = Get(target);
    EXPECT_EQ(r.status, 400) << target << "\n" << r.body;
    EXPECT_EQ(r.body.find("<script>"), std::string::npos) << target;
    EXPECT_EQ(r.body.find("<mark>"), std::string::npos) << target;
  }
  Response missing = Get("/nope%3Cscript%3E");
  EXPECT_EQ(missing.status, 404);
  EXPECT_NE(missing.body.find("&lt;script&gt;"), std::string::npos);
  EXPECT_EQ(missing.body.find("<script>"), std::string::npos);
  // An execution name may hold anything printable: it is looked up, and escaped.
  Response exec = Get("/executions/%3Cscript%3Ealert(1)%3C%2Fscript%3E");
  EXPECT_EQ(exec.status, 404);
  EXPECT_EQ(exec.body.find("<script>"), std::string::npos);
}

TEST_F(DashboardTest, QuarantineShowsTheHostileRawRecordEscaped) {
  Response r = Get("/quarantine");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body.find(kHostile), std::string::npos);
  EXPECT_NE(r.body.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(r.body.find("<svg"), std::string::npos);
  json q = Api("/api/quarantine");
  EXPECT_EQ(q["by_date"]["2024-01-01"]["CURRENCY_ERROR"], 1);
  bool found = false;
  for (const auto& s : q["samples"])
    found = found || s["raw_record"].get<std::string>().find(kHostile) != std::string::npos;
  EXPECT_TRUE(found) << q.dump(2);
  // Only canonical runs count: the older identical run of 2024-01-01 is not added in.
  int64_t total = 0;
  for (const auto& [reason, n] : q["by_date"]["2024-01-01"].items()) total += n.get<int64_t>();
  EXPECT_EQ(total, 1);
}

TEST_F(DashboardTest, MatrixShowsEveryState) {
  json m = Api("/api/datasets/mortgages/transactions");
  EXPECT_EQ(m["dates"].size(), 6u);
  EXPECT_EQ(m["dates"][0]["date"], "2024-01-06");  // newest first
  EXPECT_EQ(CellStates(m, "2024-01-01"), (std::vector<std::string>{"succeeded", "canonical"}));
  EXPECT_EQ(CellStates(m, "2024-01-02"), (std::vector<std::string>{"gate_failed", "canonical"}));
  EXPECT_EQ(CellStates(m, "2024-01-03"), (std::vector<std::string>{"failed"}));
  EXPECT_EQ(CellStates(m, "2024-01-04"), (std::vector<std::string>{"queued"}));
  EXPECT_EQ(CellStates(m, "2024-01-05"), (std::vector<std::string>{"running"}));
  EXPECT_TRUE(CellStates(m, "2024-01-06").empty());
  for (const auto& row : m["dates"]) {
    if (row["date"] == "2024-01-06") EXPECT_EQ(row["row_state"], "unprocessed");
    if (row["date"] == "2024-01-03") EXPECT_FALSE(row["bronze"].get<bool>());
    if (row["date"] == "2024-01-02") {
      EXPECT_TRUE(row["cells"][0]["differs"].get<bool>()) << "the gate-failed run's figures differ";
      EXPECT_FALSE(row["cells"][1]["differs"].get<bool>());
    }
    if (row["date"] == "2024-01-01")
      EXPECT_FALSE(row["cells"][0]["differs"].get<bool>()) << "same figures";
  }
  Response html = Get("/datasets/mortgages/transactions");
  ASSERT_EQ(html.status, 200);
  for (const char* state : {"canonical", "succeeded", "gate_failed", "failed", "queued", "running",
                            "unprocessed", "missing"}) {
    EXPECT_NE(html.body.find(std::string("data-state=\"") + state + "\""), std::string::npos)
        << state;
  }
  EXPECT_NE(html.body.find("class=\"badge\""), std::string::npos);
  EXPECT_NE(html.body.find("http-equiv=\"refresh\""), std::string::npos) << "something is running";
  EXPECT_EQ(Get("/datasets/nope").status, 400);
}

TEST_F(DashboardTest, OverviewNamesTheCanonicalVersionTheBackfillAndTheFailure) {
  json o = Api("/api/");
  EXPECT_EQ(Api("/api").dump(), o.dump());
  ASSERT_EQ(o["datasets"].size(), 1u);
  EXPECT_EQ(o["datasets"][0]["pointer"]["action"], "publish");
  EXPECT_EQ(o["datasets"][0]["pointer"]["sources"], 2);
  ASSERT_EQ(o["active_backfills"].size(), 1u);
  EXPECT_EQ(o["active_backfills"][0]["id"], kBackfillId);
  EXPECT_EQ(o["active_backfills"][0]["progress"]["queued"], 1);
  EXPECT_EQ(o["active_backfills"][0]["progress"]["running"], 1);
  bool failure = false;
  for (const auto& a : o["attention"]) failure = failure || a["execution"] == "daily-2024-01-03";
  EXPECT_TRUE(failure) << o["attention"].dump(2);
  EXPECT_TRUE(o["live"].get<bool>());
  Response html = Get("/");
  EXPECT_EQ(html.status, 200);
  EXPECT_NE(html.body.find("<svg class=\"progress\""), std::string::npos);
  EXPECT_NE(html.body.find("http-equiv=\"refresh\""), std::string::npos);
}

TEST_F(DashboardTest, RunAndExecutionPages) {
  json run = Api("/api/runs/daily-2024-01-02");
  EXPECT_EQ(run["manifest"]["run_id"], "daily-2024-01-02");
  EXPECT_EQ(run["canonical_for"]["2024-01-02"], "daily-2024-01-02");
  EXPECT_FALSE(run["success"].empty()) << "the _SUCCESS markers are shown";
  EXPECT_EQ(run["execution"]["status"], "SUCCEEDED");
  EXPECT_FALSE(run["execution"]["log_lines"].empty());
  Response html = Get("/runs/daily-2024-01-02");
  EXPECT_EQ(html.status, 200);
  EXPECT_NE(html.body.find("_SUCCESS"), std::string::npos);
  EXPECT_EQ(html.body.find("http-equiv=\"refresh\""), std::string::npos)
      << "a committed run is not live";
  EXPECT_EQ(Get("/runs/never-ran").status, 404);

  json failed = Api("/api/executions/daily-2024-01-03");
  EXPECT_EQ(failed["status"], "FAILED");
  ASSERT_FALSE(failed["terminal_error"].is_null());
  EXPECT_EQ(failed["events"][0]["type"], "ExecutionFailed") << "the terminal event first";
  Response fhtml = Get("/executions/daily-2024-01-03");
  size_t err = fhtml.body.find("class=\"err\""), history = fhtml.body.find("Event history");
  ASSERT_NE(err, std::string::npos);
  EXPECT_LT(err, history) << "the terminal error comes before the history";
  // Backfill execution names hold '/': the rest of the path is the name.
  json running =
      Api("/api/executions/" + UrlEncode(BackfillExecutionName(kBackfillId, "2024-01-05", 1)));
  EXPECT_EQ(running["status"], "RUNNING");
  EXPECT_NE(Get("/executions/" + std::string(kBackfillId) + "/2024-01-05")
                .body.find("http-equiv=\"refresh\""),
            std::string::npos);
}

TEST_F(DashboardTest, BackfillPointerLogsAndCompare) {
  json b = Api(std::string("/api/backfills/") + kBackfillId);
  EXPECT_EQ(b["report"]["status"], "RUNNING");
  EXPECT_EQ(b["progress"]["total"], 2);
  EXPECT_EQ(b["progress"]["dates"]["2024-01-04"], "queued");
  Response bh = Get(std::string("/backfills/") + kBackfillId);
  EXPECT_NE(bh.body.find("<svg class=\"timeline\""), std::string::npos);
  EXPECT_NE(bh.body.find("<svg class=\"progress\""), std::string::npos);
  EXPECT_EQ(Get("/backfills/backfill-none").status, 404);

  json p = Api("/api/pointer");
  ASSERT_EQ(p["versions"].size(), 3u);        // the three daily runs that published themselves
  EXPECT_EQ(p["versions"][0]["version"], 3);  // newest first
  json asked = Api("/api/pointer?date=2024-01-01&at=2100-01-01T00:00:00Z");
  EXPECT_EQ(asked["answer"]["run_id"], "daily-2024-01-01");
  json before = Api("/api/pointer?date=2024-01-01&at=2000-01-01T00:00:00Z");
  EXPECT_EQ(before["answer"]["version"], 0);
  EXPECT_EQ(Get("/pointer?date=nope").status, 400);
  EXPECT_EQ(Get("/pointer?at=%3Cx%3E&date=2024-01-01").status, 400);

  json all = Api("/api/logs?run_id=daily-2024-01-02");
  ASSERT_GT(all["total"].get<int>(), 0);
  for (const auto& l : all["lines"]) EXPECT_EQ(l["run_id"], "daily-2024-01-02");
  json none = Api("/api/logs?run_id=daily-2024-01-02&filter=no+such+text+anywhere");
  EXPECT_EQ(none["total"], 0);
  json some = Api("/api/logs?filter=execution+succeeded");
  EXPECT_GT(some["total"].get<int>(), 0);
  EXPECT_EQ(Get("/logs?page=0").status, 400);

  json c = Api("/api/compare?a=strict-2024-01-02&b=daily-2024-01-02");
  EXPECT_TRUE(c["conservation"]["a"]["holds"].get<bool>());
  EXPECT_TRUE(c["conservation"]["b"]["holds"].get<bool>());
  EXPECT_GT(c["diff"]["rows"]["added"].get<int>(), 0) << "the strict run kept only USD rows";
  // The strict run's CURRENCY_ERROR rows in other currencies are valid in the normal run;
  // every rejected row of A is accounted for once.
  EXPECT_GT(c["transitions"]["CURRENCY_ERROR"]["valid"].get<int64_t>(), 0)
      << c["transitions"].dump(2);
  int64_t accounted = 0;
  for (const auto& [reason, t] : c["transitions"].items()) {
    for (const auto& [outcome, n] : t.items()) accounted += n.get<int64_t>();
  }
  EXPECT_EQ(accounted, c["conservation"]["a"]["quarantined_rows"].get<int64_t>() +
                           c["conservation"]["a"]["condemned_rows"].get<int64_t>());
  EXPECT_EQ(Get("/compare?a=strict-2024-01-02").status, 400);
  EXPECT_EQ(Get("/compare?a=strict-2024-01-02&b=never-ran").status, 404);
  EXPECT_EQ(Get("/static/dashboard.css").content_type, "text/css; charset=utf-8");
}

TEST(DashboardIdleTest, NothingRunningMeansNoRefresh) {
  testing::ServeTestLake lake;
  lake.store = NewLocalObjectStore(lake.dir.path() + "/lake");
  auto st = OpenSqliteStateStore(lake.dir.path() + "/state.sqlite");
  ASSERT_TRUE(st.ok());
  lake.state = std::move(*st);
  Dashboard d(lake.Sources());
  d.set_port(1);
  Request r{"GET", "/", {{"host", "localhost:1"}}, false};
  Response page = d.Handle(r);
  EXPECT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(page.body.find("http-equiv=\"refresh\""), std::string::npos);
  r.target = "/datasets/mortgages/transactions";
  EXPECT_EQ(d.Handle(r).status, 200);
  r.target = "/quarantine";
  EXPECT_EQ(d.Handle(r).status, 200);
}

// Beyond a year of dates the matrix pages (366 dates a page, newest first), and every date
// between the first and the last is a row even without bronze.
TEST(DashboardPagingTest, LongRangesArePaged) {
  testing::ServeTestLake lake;
  lake.store = NewLocalObjectStore(lake.dir.path() + "/lake");
  auto st = OpenSqliteStateStore(lake.dir.path() + "/state.sqlite");
  ASSERT_TRUE(st.ok());
  lake.state = std::move(*st);
  std::string file = lake.dir.path() + "/day.csv";
  ASSERT_TRUE(WriteSample(file, SampleOptions{}).ok());
  for (const char* date : {"2023-01-01", "2024-03-01"}) {
    ASSERT_TRUE(IngestBronze(*lake.store, file, IngestOptions{DatasetId{}, date, "b1"}).ok());
  }
  Dashboard d(lake.Sources());
  d.set_port(1);
  Request r{"GET", "/api/datasets/mortgages/transactions", {{"host", "localhost:1"}}, false};
  json first = json::parse(d.Handle(r).body);
  EXPECT_EQ(first["date_count"], 426);  // 2023-01-01 .. 2024-03-01
  EXPECT_EQ(first["pages"], 2);
  ASSERT_EQ(first["dates"].size(), 366u);
  EXPECT_EQ(first["dates"][0]["date"], "2024-03-01");
  EXPECT_EQ(first["dates"][0]["row_state"], "unprocessed");
  EXPECT_EQ(first["dates"][1]["row_state"], "missing");
  r.target += "?page=2";
  json second = json::parse(d.Handle(r).body);
  ASSERT_EQ(second["dates"].size(), 60u);
  EXPECT_EQ(second["dates"][59]["date"], "2023-01-01");
  r.target = "/datasets/mortgages/transactions";
  EXPECT_NE(d.Handle(r).body.find("page=2"), std::string::npos) << "a link to the next page";
}

}  // namespace
}  // namespace runlake::serve
