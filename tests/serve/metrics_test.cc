// `GET /metrics` (serve/metrics.h): the Prometheus exposition of a small lake and state
// store, with the values a scrape must show, checked by Debian's promtool.

#include "serve/metrics.h"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "../lake/lake_test_util.h"
#include "runlake/promote.h"
#include "serve/dashboard.h"

namespace runlake::serve {
namespace {

using lake_test::Csv;

TEST(Metrics, ShowTheLakeAndTheStateAndPassPromtool) {
  lake_test::TestLake lake("metrics");
  lake.IngestAndRun(Csv({"T1,A1,1.00,EUR,2024-01-15T10:00:00Z", "T2,A1,2.00,EUR,2024-01-15T11:00:00Z",
                         "T3,A2,3.00,EUR,2024-01-15T12:00:00Z", "T4,A2,4.00,XXX,2024-01-15T12:00:00Z"}),
                    "2024-01-15", "r1");
  lake.IngestAndRun(Csv({"U1,A1,1.00,EUR,2024-01-16T10:00:00Z", "U2,A1,zz,EUR,2024-01-16T10:00:00Z"}),
                    "2024-01-16", "r2");
  PromoteRequest promote;
  promote.run_ids = {"r1"};
  ASSERT_TRUE(Promote(lake.store(), promote).ok());

  auto state = OpenSqliteStateStore(lake.dir() + "/state.sqlite");
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  for (const char* name : {"e1", "e2", "e3"}) {
    ExecutionRecord r;
    r.name = name;
    r.run_id = name;
    r.input_json = "{}";
    ASSERT_TRUE((*state)->StartExecution(r).ok());
  }
  ASSERT_TRUE((*state)->FinishExecution("e1", ExecutionStatus::kFailed, "ValidationError", "x", nullptr).ok());
  ASSERT_TRUE((*state)->FinishExecution("e2", ExecutionStatus::kSucceeded, "", "", nullptr).ok());

  auto text = PrometheusMetrics(lake.store(), **state);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  const std::string ds = "dataset=\"mortgages/transactions\"";
  for (const std::string& line : std::vector<std::string>{
           "runlake_committed_runs{" + ds + "} 2",
           "runlake_corrupt_runs 0",
           "runlake_rows{" + ds + ",outcome=\"valid\"} 4",
           "runlake_rows{" + ds + ",outcome=\"quarantined\"} 2",
           "runlake_rejected_rows{" + ds + ",reason=\"CURRENCY_ERROR\"} 1",
           "runlake_rejected_rows{" + ds + ",reason=\"TYPE_ERROR\"} 1",
           "runlake_pointer_version{" + ds + ",layer=\"silver\"} 1",
           "runlake_executions{status=\"FAILED\"} 1",
           "runlake_executions{status=\"SUCCEEDED\"} 1",
           "runlake_executions{status=\"RUNNING\"} 1",
           "runlake_executions{status=\"ABORTED\"} 0",
           "runlake_active_backfills 0",
           "runlake_queue_tasks{status=\"QUEUED\"} 0",
           "runlake_live_workers 0",
           "# TYPE runlake_rows gauge",
           "# TYPE runlake_rejected_rows gauge",
       }) {
    EXPECT_NE(text->find("\n" + line + "\n"), std::string::npos) << line << "\n---\n" << *text;
  }
  // Nothing here only ever grows: a deleted run lowers every figure (no counter).
  EXPECT_EQ(text->find(" counter\n"), std::string::npos) << *text;
  // The newest canonical date is 2024-01-15: its data is about as old as that day's end.
  EXPECT_NE(text->find("runlake_canonical_data_age_seconds{" + ds + "} "), std::string::npos) << *text;

  // promtool (Debian's prometheus package; scripts/setup.sh installs it) lints names,
  // types, HELP lines and the syntax.
  ASSERT_EQ(std::system("command -v promtool >/dev/null"), 0) << "promtool missing: run scripts/setup.sh";
  std::string path = lake.dir() + "/metrics.txt";
  std::ofstream(path) << *text;
  std::string out = lake.dir() + "/promtool.out";
  int rc = std::system(("promtool check metrics < " + path + " > " + out + " 2>&1").c_str());
  std::ifstream in(out);
  std::string report((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(rc, 0) << report << "\n---\n" << *text;
}

TEST(Metrics, TheDashboardServesThemWithTheSecurityChecks) {
  lake_test::TestLake lake("metrics-route");
  lake.IngestAndRun(Csv({"T1,A1,1.00,EUR,2024-01-15T10:00:00Z"}), "2024-01-15", "r1");
  auto state = OpenSqliteStateStore(lake.dir() + "/state.sqlite");
  ASSERT_TRUE(state.ok());
  Dashboard dashboard(DashboardSources{&lake.store(), state->get(), lake.dir() + "/logs", ""});
  dashboard.set_port(9100);
  Request get{"GET", "/metrics", {{"host", "127.0.0.1:9100"}}, false};
  Response r = dashboard.Handle(get);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, kMetricsContentType);
  EXPECT_NE(r.body.find("runlake_committed_runs{dataset=\"mortgages/transactions\"} 1\n"), std::string::npos)
      << r.body;
  EXPECT_EQ(r.headers["X-Content-Type-Options"], "nosniff");
  Request rebinding{"GET", "/metrics", {{"host", "evil.example:9100"}}, false};
  EXPECT_EQ(dashboard.Handle(rebinding).status, 421);
  Request post{"POST", "/metrics", {{"host", "127.0.0.1:9100"}}, false};
  EXPECT_EQ(dashboard.Handle(post).status, 405);
}

TEST(Metrics, LabelValuesAreEscaped) {
  EXPECT_EQ(EscapeLabelValue("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

// Reads never write (issue 26): a scrape over an execution whose worker died leaves it
// RUNNING and its history as it was; reaping is for the commands that act on it.
TEST(Metrics, AScrapeWritesNothingToTheStateStore) {
  lake_test::TestLake lake("metrics-read-only");
  auto state = OpenSqliteStateStore(lake.dir() + "/state.sqlite");
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  pid_t child = fork();
  if (child == 0) _exit(0);
  int status = 0;
  waitpid(child, &status, 0);  // a pid that is certainly gone
  ExecutionRecord r;
  r.name = "dead";
  r.run_id = "dead";
  r.input_json = "{}";
  r.pid = child;
  ASSERT_TRUE((*state)->StartExecution(r).ok());
  ASSERT_TRUE(PrometheusMetrics(lake.store(), **state).ok());
  EXPECT_EQ((*(*state)->GetExecution("dead"))->status, ExecutionStatus::kRunning);
  EXPECT_EQ((*state)->History("dead")->size(), 1u);
  EXPECT_EQ(*(*state)->ReapDeadExecutions(), 1) << "the scrape reaped it";
}

}  // namespace
}  // namespace runlake::serve
