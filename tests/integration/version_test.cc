// `runlake --version` and `runlake version [--json]`: the release, the git commit the
// binary was built from (cmake/git_commit.cmake, run at every build), DuckDB's version
// from the loaded library, the lake format; and the code version manifests record is
// the very string `version` prints.

#include <gtest/gtest.h>

#include <regex>

#include "cli_runner.h"
#include "engine/engine.h"

namespace runlake::it {
namespace {

const std::string kCsv =
    "TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp\n"
    "V1,A,1.00,EUR,2024-01-15T10:00:00Z\n"
    "V2,B,2.50,USD,2024-01-15T11:00:00Z\n";

// Output of a shell command (for git and cmake, which the build already needs).
std::string Sh(const std::string& cmd, int* rc = nullptr) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof(buf), p)) out.append(buf, n);
  int status = pclose(p);
  if (rc) *rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

// Runs cmake/git_commit.cmake for `source_dir` and returns the commit it records.
std::string CommitRecordedFor(const std::string& source_dir, const std::string& out_header) {
  int rc = -1;
  Sh("'" RUNLAKE_CMAKE "' -DSOURCE_DIR='" + source_dir + "' -DOUT='" + out_header + "' -P '" +
         RUNLAKE_SOURCE_DIR "/cmake/git_commit.cmake' 2>&1",
     &rc);
  EXPECT_EQ(rc, 0);
  std::smatch m;
  std::string text = ReadFile(out_header);
  std::regex define("#define RUNLAKE_GIT_COMMIT \"([^\"]*)\"");
  if (!std::regex_search(text, m, define)) return "<no define in " + text + ">";
  return m[1];
}

TEST(Version, JsonNamesReleaseCommitDuckDbAndLakeFormat) {
  TestLake lake;
  CmdResult r = lake.Rl({"version", "--json"});  // --json after the subcommand works too
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  json j = r.Json();
  EXPECT_EQ(j["version"], RUNLAKE_PROJECT_VERSION);
  std::string commit = j["git_commit"];
  EXPECT_TRUE(std::regex_match(commit, std::regex("[0-9a-f]{40}(-dirty)?|unknown"))) << commit;
  int rc = -1;
  std::string head = Sh("git -C '" RUNLAKE_SOURCE_DIR "' rev-parse HEAD 2>/dev/null", &rc);
  if (rc == 0 && head.size() == 40) {
    EXPECT_EQ(commit.substr(0, 40), head) << "the build recorded another commit than HEAD";
  }
  EXPECT_EQ(j["duckdb_version"], Engine::LibraryVersion());
  EXPECT_TRUE(std::regex_match(j["duckdb_version"].get<std::string>(),
                               std::regex("v\\d+\\.\\d+\\.\\d+.*")));
  EXPECT_EQ(j["lake_format_version"], 1);
  EXPECT_EQ(j["code_version"], "runlake " + j["version"].get<std::string>() + " (" + commit + ")");
}

TEST(Version, FlagAndSubcommandPrintTheSameText) {
  TestLake lake;
  CmdResult flag = lake.Rl({"--version"});
  ASSERT_EQ(flag.exit_code, 0) << flag.Describe();
  CmdResult sub = lake.Rl({"version"});
  ASSERT_EQ(sub.exit_code, 0) << sub.Describe();
  EXPECT_EQ(flag.out, sub.out);
  json j = lake.RlJson({"version"});
  EXPECT_EQ(flag.out.rfind("runlake " + j["version"].get<std::string>() + "\n", 0), 0u) << flag.out;
  for (const char* field : {"git_commit", "duckdb_version", "code_version"}) {
    EXPECT_NE(flag.out.find(j[field].get<std::string>()), std::string::npos) << field << "\n"
                                                                             << flag.out;
  }
  EXPECT_NE(flag.out.find("lake format  1"), std::string::npos) << flag.out;
  EXPECT_FALSE(fs::exists(lake.lake())) << "--version must not touch the lake";
}

TEST(Version, ManifestsAndLakeMarkerRecordWhatVersionPrints) {
  TestLake lake;
  json v = lake.RlJson({"version"});
  ASSERT_EQ(lake.Rl({"init"}).exit_code, 0);
  json marker = json::parse(ReadFile(lake.Lake("_lake.json")));
  EXPECT_EQ(marker["version"], v["lake_format_version"]);
  std::string key = lake.IngestText("day.csv", kCsv, "2024-01-15");
  CmdResult run = lake.RunKey("20240115T120000Z", key);
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  EXPECT_EQ(lake.Manifest("20240115T120000Z")["code_version"], v["code_version"]);
  json gold = lake.RlJson({"gold", "build"});
  std::string gold_run;
  for (const auto& f : fs::directory_iterator(lake.Lake("_runs"))) {
    std::string name = f.path().filename().string();
    if (name.rfind("gold-", 0) == 0) gold_run = name.substr(0, name.size() - 5);
  }
  ASSERT_FALSE(gold_run.empty()) << gold.dump();
  EXPECT_EQ(lake.Manifest(gold_run)["code_version"], v["code_version"]);
}

TEST(Version, BuildOutsideGitSaysUnknown) {
  TempDir tmp;
  fs::create_directories(tmp / "src");
  EXPECT_EQ(CommitRecordedFor(tmp / "src", tmp / "a.h"), "unknown");
}

TEST(Version, BuildInsideAnotherRepositorySaysUnknown) {
  // A source tarball unpacked inside some other checkout must not take that repo's commit.
  TempDir tmp;
  int rc = -1;
  Sh("cd '" + tmp.path() +
         "' && git init -q && mkdir -p sub && echo x > f && git add f && "
         "git -c user.name=t -c user.email=t@t commit -qm one 2>&1",
     &rc);
  if (rc != 0) GTEST_SKIP() << "git is not usable here";
  EXPECT_EQ(CommitRecordedFor(tmp / "sub", tmp / "a.h"), "unknown");
}

TEST(Version, BuildInGitRecordsHeadAndDirtiness) {
  TempDir tmp;
  int rc = -1;
  Sh("cd '" + tmp.path() +
         "' && git init -q && echo x > f && git add f && "
         "git -c user.name=t -c user.email=t@t commit -qm one 2>&1",
     &rc);
  if (rc != 0) GTEST_SKIP() << "git is not usable here";
  std::string head = Sh("git -C '" + tmp.path() + "' rev-parse HEAD");
  EXPECT_EQ(CommitRecordedFor(tmp.path(), tmp / "a.h"), head);
  WriteFile(tmp / "untracked", "u");  // untracked files do not make a build dirty
  EXPECT_EQ(CommitRecordedFor(tmp.path(), tmp / "a.h"), head);
  WriteFile(tmp / "f", "changed");
  EXPECT_EQ(CommitRecordedFor(tmp.path(), tmp / "a.h"), head + "-dirty");
  // The header is rewritten only when its text changes (no needless recompiles).
  auto before = fs::last_write_time(tmp / "a.h");
  CommitRecordedFor(tmp.path(), tmp / "a.h");
  EXPECT_EQ(fs::last_write_time(tmp / "a.h"), before);
}

}  // namespace
}  // namespace runlake::it
