// Paper cuts a new user's adversarial tour found (U2, U11, U15-U18, U26), each pinned
// through the binary: logs that search and read like what a user sees, counts below one
// refused, no lake inside a lake, no store made from a mistyped --state, a read-only lake
// that reads and refuses writes clearly, a warning for an identical re-ingest, and
// `check --repair` cleaning what a kill -9 leaves outside the object store's files.

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <regex>

#include "cli_runner.h"

namespace runlake::it {
namespace {

const std::string kHeader = "TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp\n";
const std::string kGood = kHeader +
                          "P1,A1,10.00,EUR,2024-01-15T01:00:00Z\n"
                          "P2,A2,5.00,EUR,2024-01-15T02:00:00Z\n";
// Half its rows quarantined: its run fails the default quality gate (at most 5%).
const std::string kHalfBad = kHeader +
                             "Q1,A1,10.00,EUR,2024-01-16T01:00:00Z\n"
                             "Q2,A2,ten,EUR,2024-01-16T02:00:00Z\n";

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  for (std::string line; std::getline(ss, line);) out.push_back(line);
  return out;
}

// A pid that is certainly gone: a child that has exited and been waited for.
pid_t DeadPid() {
  pid_t pid = fork();
  if (pid == 0) _exit(0);
  waitpid(pid, nullptr, 0);
  return pid;
}

std::string HostName() {
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  return host;
}

class PaperCuts : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(lake_.Rl({"init"}).exit_code, 0); }
  // Ingests `csv` for `date` and runs it as execution and run `run_id`.
  CmdResult Daily(const std::string& run_id, const std::string& csv, const std::string& date) {
    std::string key = lake_.IngestText(run_id + ".csv", csv, date);
    return lake_.RunKey(run_id, key);
  }
  TestLake lake_;
};

// U2: the filter is one literal phrase of the message and field values; output reads.
TEST_F(PaperCuts, LogsFilterIsOnePhraseOfWhatAUserReads) {
  ASSERT_EQ(Daily("good", kGood, "2024-01-15").exit_code, 0);
  CmdResult failed = Daily("bad", kHalfBad, "2024-01-16");
  ASSERT_EQ(failed.exit_code, 1) << failed.Describe();

  // Every line of `good` carries a "quality_gate" key: none of them is about the gate.
  json gate = lake_.RlJson({"logs", "--filter", "quality gate"});
  ASSERT_FALSE(gate.empty());
  for (const auto& l : gate) {
    EXPECT_EQ(l["run_id"], "bad") << l.dump();
    EXPECT_NE(l["message"].get<std::string>().find("quality gate"), std::string::npos) << l.dump();
  }
  EXPECT_TRUE(lake_.RlJson({"logs", "--filter", "quality_gate"}).empty()) << "a JSON key matched";
  EXPECT_TRUE(lake_.RlJson({"logs", "--filter", "gate quality"}).empty()) << "words matched apart";
  EXPECT_TRUE(lake_.RlJson({"logs", "--filter", "Quality gate"}).empty()) << "case folded";
  EXPECT_EQ(lake_.RlJson({"logs", "--filter", "\"quality gate\""}), gate) << "CloudWatch's quotes";
  // Field values are read: the metric line is found by its metric_name.
  bool metric_found = false;
  const json metric_lines = lake_.RlJson({"logs", "--run-id", "good", "--filter", "valid_rows"});
  for (const auto& l : metric_lines) {
    metric_found = metric_found || l.value("metric_name", "") == "valid_rows";
  }
  EXPECT_TRUE(metric_found);

  // Readable lines by default: time, level, execution, run_id, message, key=value.
  CmdResult text = lake_.Rl({"logs", "--run-id", "good"});
  ASSERT_EQ(text.exit_code, 0) << text.Describe();
  const std::regex line_re(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (INFO |WARN |ERROR) \S+ good \S.*)");
  std::vector<std::string> lines = Lines(text.out);
  ASSERT_EQ(lines.size(), lake_.RlJson({"logs", "--run-id", "good"}).size());
  for (const auto& line : lines) EXPECT_TRUE(std::regex_match(line, line_re)) << line;
  EXPECT_NE(text.out.find(" good execution succeeded "), std::string::npos) << text.out;
  EXPECT_NE(text.out.find(" metric_name=valid_rows metric_value=2.0"), std::string::npos) << text.out;
}

// U11: --page and --limit are whole numbers >= 1, said plainly.
TEST_F(PaperCuts, LogsPageAndLimitBelowOneAreRefused) {
  ASSERT_EQ(Daily("good", kGood, "2024-01-15").exit_code, 0);
  const std::regex huge_number(R"(\d{20})");
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--page", "0"}, {"--page", "-1"}, {"--limit", "0"}, {"--limit", "-5"},
        {"--page", "x"}, {"--limit", "2", "--page", "0"}}) {
    std::vector<std::string> full{"logs"};
    full.insert(full.end(), args.begin(), args.end());
    CmdResult r = lake_.Rl(full);
    EXPECT_EQ(r.exit_code, 2) << args[0] << " " << args[1] << " " << r.Describe();
    EXPECT_NE(r.err.find(args[args.size() - 2] + ": must be a whole number >= 1"), std::string::npos)
        << r.Describe();
    EXPECT_FALSE(std::regex_search(r.err, huge_number)) << r.err;
  }
  json page = lake_.RlJson({"logs", "--limit", "1", "--page", "2"});
  ASSERT_EQ(page.size(), 1u);
  EXPECT_EQ(page[0], lake_.RlJson({"logs"})[1]);
  EXPECT_TRUE(lake_.RlJson({"logs", "--limit", "1000000000", "--page", "1000000000000"}).empty());
}

// U15: no lake inside a lake, nor (one level down) around one.
TEST_F(PaperCuts, InitRefusesALakeInsideOrAroundALake) {
  const std::string outer = fs::weakly_canonical(lake_.lake()).string();
  for (const std::string& sub : {"_runs", "bronze/mortgages"}) {
    CmdResult r = RunBinary({"--lake", lake_.Lake(sub), "init"}, lake_.work());
    EXPECT_EQ(r.exit_code, 2) << sub << " " << r.Describe();
    EXPECT_NE(r.err.find("inside the lake " + outer), std::string::npos) << r.Describe();
    EXPECT_FALSE(fs::exists(lake_.Lake(sub + "/_lake.json")));
  }
  WriteFile(lake_.Work("d.csv"), kGood);
  CmdResult ingest = RunBinary({"--lake", lake_.Lake("_runs/x"), "ingest", lake_.Work("d.csv"), "--date",
                                "2024-01-15"},
                               lake_.work());
  EXPECT_EQ(ingest.exit_code, 2) << ingest.Describe();
  EXPECT_FALSE(fs::exists(lake_.Lake("_runs/x")));

  const std::string parent = fs::path(lake_.lake()).parent_path().string();
  CmdResult around = RunBinary({"--lake", parent, "init"}, lake_.work());
  EXPECT_EQ(around.exit_code, 2) << around.Describe();
  EXPECT_NE(around.err.find("holds the lake " + outer), std::string::npos) << around.Describe();
  EXPECT_FALSE(fs::exists(parent + "/_lake.json"));

  EXPECT_EQ(lake_.Rl({"init"}).exit_code, 0) << "init of an existing lake stays idempotent";
  TempDir elsewhere;
  EXPECT_EQ(RunBinary({"--lake", elsewhere / "new", "init"}, lake_.work()).exit_code, 0);
}

// U16: a --state (or $RUNLAKE_STATE) in a folder that does not exist is a typo, not a store.
TEST_F(PaperCuts, StatePathInAMissingFolderIsRefused) {
  const std::string missing = lake_.Work("no-such-folder/x.sqlite");
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"executions", "list"}, {"state", "migrate"}, {"logs"}}) {
    std::vector<std::string> full{"--state", missing};
    full.insert(full.end(), args.begin(), args.end());
    CmdResult r = lake_.Rl(full);
    EXPECT_EQ(r.exit_code, 2) << args[0] << " " << r.Describe();
    EXPECT_NE(r.err.find(missing), std::string::npos) << r.Describe();
    EXPECT_NE(r.err.find("does not exist"), std::string::npos) << r.Describe();
  }
  CmdResult env = lake_.Rl({"executions", "list"}, {"RUNLAKE_STATE=" + missing});
  EXPECT_EQ(env.exit_code, 2) << env.Describe();
  EXPECT_FALSE(fs::exists(lake_.Work("no-such-folder")));

  // runlake's own default makes its folder, named or not; a folder that exists is fine.
  fs::remove_all(lake_.Lake("_state"));
  EXPECT_EQ(lake_.Rl({"executions", "list"}).exit_code, 0);
  fs::remove_all(lake_.Lake("_state"));
  EXPECT_EQ(lake_.Rl({"--state", lake_.Lake("_state/runlake.sqlite"), "executions", "list"}).exit_code, 0);
  EXPECT_EQ(lake_.Rl({"--state", lake_.Work("s.sqlite"), "executions", "list"}).exit_code, 0);
  EXPECT_TRUE(fs::exists(lake_.Work("s.sqlite")));
}

// U17: a lake (state store included) that this user may only read.
TEST_F(PaperCuts, ReadOnlyLakeReadsAndRefusesWritesClearly) {
  if (geteuid() != 0 || system("command -v setpriv >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "needs root (to chmod for another user) and setpriv";
  }
  ASSERT_EQ(Daily("good", kGood, "2024-01-15").exit_code, 0);
  std::string cmd = "chmod -R a+rX " + lake_.lake() + " && chmod a+x " +
                    fs::path(lake_.lake()).parent_path().string() + " && chmod -R go-w " + lake_.lake();
  ASSERT_EQ(system(cmd.c_str()), 0);
  const std::string tmp = lake_.Work("nobody");
  fs::create_directories(tmp);
  ASSERT_EQ(system(("chmod 777 " + tmp + " " + lake_.work()).c_str()), 0);
  WriteFile(tmp + "/e.csv", kGood);
  const std::vector<std::string> before = ListFiles(lake_.lake());
  int n = 0;
  auto as_nobody = [&](std::vector<std::string> args) {
    std::vector<std::string> full{"/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                                  Binary(), "--lake", lake_.lake()};
    full.insert(full.end(), args.begin(), args.end());
    std::string out = tmp + "/" + std::to_string(n) + ".out", err = tmp + "/" + std::to_string(n++) + ".err";
    pid_t pid = Spawn(full, out, err,
                      {"TMPDIR=" + tmp, "HOME=" + tmp, "RUNLAKE_CACHE=off", "RUNLAKE_LAKE=", "RUNLAKE_STATE="}, tmp);
    CmdResult r;
    r.exit_code = WaitExit(pid);
    r.out = ReadFile(out);
    r.err = ReadFile(err);
    return r;
  };

  CmdResult list = as_nobody({"--json", "executions", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.Describe();
  ASSERT_EQ(list.Json().at(0).at("run_id"), "good");
  const std::string name = list.Json()[0]["name"];
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"executions", "describe", name}, {"executions", "history", name},
        {"logs", "--run-id", "good"}, {"runs", "list"}, {"pointer"}}) {
    CmdResult r = as_nobody(args);
    EXPECT_EQ(r.exit_code, 0) << args[0] << " " << r.Describe();
    EXPECT_EQ(r.err.find("readonly database"), std::string::npos) << r.Describe();
  }

  // A write names the lake and says why, never a temp file or a folder of our own in it.
  CmdResult ingest = as_nobody({"ingest", tmp + "/e.csv", "--date", "2024-01-17"});
  EXPECT_EQ(ingest.exit_code, 1) << ingest.Describe();
  EXPECT_NE(ingest.err.find("cannot write to the lake " + lake_.lake() + ": Permission denied"),
            std::string::npos)
      << ingest.Describe();
  for (const char* internal : {".tmp-", "_staging", "ingest."}) {
    EXPECT_EQ(ingest.err.find(internal), std::string::npos) << ingest.Describe();
  }
  WriteFile(tmp + "/in.json", InputJson("again", lake_.Manifest("good")["sources"][0]["key"]));
  CmdResult run = as_nobody({"run", "--input", tmp + "/in.json"});
  EXPECT_EQ(run.exit_code, 1) << run.Describe();
  EXPECT_NE(run.err.find(lake_.Lake("_state/runlake.sqlite") + " is read-only"), std::string::npos)
      << run.Describe();
  EXPECT_EQ(ListFiles(lake_.lake()), before) << "nothing written";
}

// U18: an identical re-ingest is kept, with a warning naming the earlier bronze runs.
TEST_F(PaperCuts, IdenticalReingestWarnsAndNamesTheEarlierRuns) {
  WriteFile(lake_.Work("d.csv"), kGood);
  auto ingest = [&](const std::string& run_id, const std::string& date, const std::string& file) {
    CmdResult r = lake_.Rl({"--json", "ingest", lake_.Work(file), "--date", date, "--run-id", run_id});
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
    return r;
  };
  CmdResult first = ingest("b1", "2024-01-15", "d.csv");
  EXPECT_EQ(first.Json()["same_content_as"], json::array());
  EXPECT_EQ(first.err, "");
  CmdResult second = ingest("b2", "2024-01-15", "d.csv");
  EXPECT_EQ(second.Json()["same_content_as"], json::array({"b1"}));
  EXPECT_NE(second.err.find("warning: " + lake_.Work("d.csv") + " holds the same bytes (sha256 " +
                            second.Json()["sha256"].get<std::string>() + ") as bronze run b1 of "
                            "mortgages/transactions on 2024-01-15"),
            std::string::npos)
      << second.err;
  CmdResult third = ingest("b3", "2024-01-15", "d.csv");
  EXPECT_EQ(third.Json()["same_content_as"], json::array({"b1", "b2"}));
  EXPECT_NE(third.err.find("as bronze runs b1, b2 "), std::string::npos) << third.err;
  EXPECT_EQ(ListFiles(lake_.Lake("bronze/mortgages/transactions/ingest_date=2024-01-15")).size(), 3u);

  // Another date, or other bytes: nothing to say.
  CmdResult other_date = ingest("b4", "2024-01-16", "d.csv");
  EXPECT_EQ(other_date.Json()["same_content_as"], json::array());
  EXPECT_EQ(other_date.err, "");
  WriteFile(lake_.Work("e.csv"), kGood + "P3,A3,1.00,EUR,2024-01-15T03:00:00Z\n");
  CmdResult other_bytes = ingest("b5", "2024-01-15", "e.csv");
  EXPECT_EQ(other_bytes.Json()["same_content_as"], json::array());
  EXPECT_EQ(other_bytes.err, "");
}

// U26: a canonical-table writer killed mid-write leaves its scratch folder in $TMPDIR.
TEST_F(PaperCuts, CheckRepairRemovesScratchOfAKilledCanonicalWriter) {
  std::string key = lake_.IngestText("d.csv", kGood, "2024-01-15");
  WriteFile(lake_.Work("in.json"), InputJson("daily-1", key));
  const std::string tmp = lake_.Work("tmp");
  fs::create_directories(tmp);
  // Where the canonical table's put is: trace a run of the same input on a copy.
  TestLake probe;
  fs::remove_all(probe.lake());
  fs::copy(lake_.lake(), probe.lake(), fs::copy_options::recursive);
  ASSERT_EQ(RunBinary({"--lake", probe.lake(), "run", "--input", lake_.Work("in.json")}, probe.work(),
                      {"RUNLAKE_TEST_FAULT=count=" + probe.Work("ops.txt")})
                .exit_code,
            0);
  int at = OpIndex(probe.Work("ops.txt"), "catalog/mortgages/transactions/canonical/");
  ASSERT_GT(at, 0) << ReadFile(probe.Work("ops.txt"));

  CmdResult killed = lake_.Rl({"run", "--input", lake_.Work("in.json")},
                              {"TMPDIR=" + tmp, "RUNLAKE_TEST_FAULT=at=" + std::to_string(at) + ",kind=crash"});
  ASSERT_EQ(killed.exit_code, 137) << killed.Describe();
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(tmp)) {
    if (e.path().filename().string().rfind("runlake-canonical-", 0) == 0) left.push_back(e.path().string());
  }
  ASSERT_EQ(left.size(), 1u);
  // A scratch folder of a live writer of this lake (this test process) stays.
  std::string name = fs::path(left[0]).filename().string();
  std::string lake_prefix = name.substr(0, name.find('-', std::string("runlake-canonical-").size()) + 1);
  std::string live = tmp + "/" + lake_prefix + std::to_string(getpid()) + "-0-Abc123";
  fs::create_directories(live);

  CmdResult check = lake_.Rl({"--json", "check"}, {"TMPDIR=" + tmp});
  EXPECT_EQ(check.exit_code, 1) << check.Describe();
  std::vector<std::string> reported;
  const json report = check.Json();
  for (const auto& f : report["findings"]) {
    if (f["kind"] == "dead_scratch") reported.push_back(f["object"]);
  }
  EXPECT_EQ(reported, left) << check.out;
  CmdResult repair = lake_.Rl({"--json", "check", "--repair"}, {"TMPDIR=" + tmp});
  EXPECT_EQ(repair.exit_code, 0) << repair.Describe();
  EXPECT_FALSE(fs::exists(left[0]));
  EXPECT_TRUE(fs::exists(live));
  fs::remove(live);
  EXPECT_EQ(lake_.Rl({"check"}, {"TMPDIR=" + tmp}).exit_code, 0);
}

// U26: a run killed between making its run folder and placing its first file leaves the
// folder empty; no file names the run, so deleting the run left it.
TEST_F(PaperCuts, CheckRepairRemovesEmptyRunFoldersOfDeadRunsOnly) {
  std::string key = lake_.IngestText("d.csv", kGood, "2024-01-15");
  WriteFile(lake_.Work("in.json"), InputJson("dead-1", key));
  // Killed right after its claim (the run's first write): a dead claim, nothing else.
  CmdResult killed = lake_.Rl({"run", "--input", lake_.Work("in.json")},
                              {"RUNLAKE_TEST_FAULT=at=1,kind=crash_after"});
  ASSERT_EQ(killed.exit_code, 137) << killed.Describe();
  ASSERT_TRUE(fs::exists(lake_.Lake("_runs/_claims/dead-1.json")));
  const std::string month = "silver/mortgages/transactions/year=2024/month=01/schema_v=v1/";
  fs::create_directories(lake_.Lake(month + "run_id=dead-1"));
  fs::create_directories(lake_.Lake("quarantine/mortgages/transactions/ingest_date=2024-01-15/run_id=dead-1"));
  // The same without any claim (a run deleted before this fix), and a live run's folder.
  fs::create_directories(lake_.Lake(month + "run_id=gone-1"));
  WriteFile(lake_.Lake("_runs/_claims/live-1.json"),
            json{{"run_id", "live-1"}, {"host", HostName()}, {"pid", getpid()}}.dump());
  fs::create_directories(lake_.Lake(month + "run_id=live-1"));
  // A claim of a process that is gone, on another host: only that host can tell.
  WriteFile(lake_.Lake("_runs/_claims/far-1.json"),
            json{{"run_id", "far-1"}, {"host", "another-host"}, {"pid", DeadPid()}}.dump());
  fs::create_directories(lake_.Lake(month + "run_id=far-1"));

  CmdResult check = lake_.Rl({"--json", "check"});
  EXPECT_EQ(check.exit_code, 1) << check.Describe();
  std::vector<std::string> reported;
  const json report = check.Json();
  for (const auto& f : report["findings"]) {
    if (f["kind"] == "empty_run_dir") reported.push_back(f["object"]);
  }
  EXPECT_EQ(reported, (std::vector<std::string>{
                          "quarantine/mortgages/transactions/ingest_date=2024-01-15/run_id=dead-1",
                          month + "run_id=dead-1", month + "run_id=gone-1"}))
      << check.out;

  CmdResult repair = lake_.Rl({"--json", "check", "--repair"});
  EXPECT_EQ(repair.exit_code, 0) << repair.Describe();
  EXPECT_FALSE(fs::exists(lake_.Lake(month + "run_id=dead-1")));
  EXPECT_FALSE(fs::exists(lake_.Lake(month + "run_id=gone-1")));
  EXPECT_FALSE(fs::exists(lake_.Lake("quarantine"))) << "emptied parents go too";
  EXPECT_TRUE(fs::exists(lake_.Lake(month + "run_id=live-1")));
  EXPECT_TRUE(fs::exists(lake_.Lake(month + "run_id=far-1")));
}

}  // namespace
}  // namespace runlake::it
