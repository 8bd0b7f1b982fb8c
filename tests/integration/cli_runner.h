#pragma once
// Integration-test helpers: run the real `runlake` binary (fork/exec, stdout and stderr
// captured through files, exit code), a temporary lake per test, and small file helpers.

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

namespace runlake::it {

namespace fs = std::filesystem;
using nlohmann::json;

inline std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline void WriteFile(const std::string& path, const std::string& content) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << content;
  if (!f) throw std::runtime_error("cannot write " + path);
}

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "runlake-it-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    if (std::getenv("RUNLAKE_IT_KEEP")) return;
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

struct CmdResult {
  int exit_code = -1;  // exit status, or 128+signal
  std::string out, err;
  std::string Describe() const {
    return "exit " + std::to_string(exit_code) + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
  }
  json Json() const { return json::parse(out); }
};

// Starts `args` (args[0] = program) with stdout/stderr redirected to files and extra env
// ("NAME=VALUE"). Returns the child's pid.
inline pid_t Spawn(const std::vector<std::string>& args, const std::string& out_path,
                   const std::string& err_path, const std::vector<std::string>& env = {},
                   const std::string& cwd = "") {
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    int in = open("/dev/null", O_RDONLY);
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0 || err < 0) _exit(126);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(126);
    for (const auto& e : env) putenv(const_cast<char*>(e.c_str()));
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

inline int WaitExit(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// The binary under test: RUNLAKE_BINARY from the build, or $RUNLAKE_IT_BINARY to test
// another build of it.
inline std::string Binary() {
  const char* override_path = std::getenv("RUNLAKE_IT_BINARY");
  return override_path && *override_path ? override_path : RUNLAKE_BINARY;
}

// What keeps the environment from choosing a lake or a state store for a command:
// RUNLAKE_LAKE and RUNLAKE_STATE emptied, or RUNLAKE_STATE set to $RUNLAKE_IT_STATE, which a
// test sets to run every command that follows against another state store (PostgreSQL).
inline std::vector<std::string> HarnessEnv() {
  const char* state = std::getenv("RUNLAKE_IT_STATE");
  return {"RUNLAKE_LAKE=", std::string("RUNLAKE_STATE=") + (state ? state : "")};
}

// Runs the binary with `args`; captures into files under `scratch`.
inline CmdResult RunBinary(const std::vector<std::string>& args, const std::string& scratch,
                           const std::vector<std::string>& env = {}) {
  static std::atomic<int> counter{0};
  int n = counter++;
  std::string out = scratch + "/.cmd-" + std::to_string(n) + ".out";
  std::string err = scratch + "/.cmd-" + std::to_string(n) + ".err";
  std::vector<std::string> full{Binary()};
  full.insert(full.end(), args.begin(), args.end());
  std::vector<std::string> e = HarnessEnv();
  e.insert(e.end(), env.begin(), env.end());
  pid_t pid = Spawn(full, out, err, e, scratch);
  CmdResult r;
  r.exit_code = WaitExit(pid);
  r.out = ReadFile(out);
  r.err = ReadFile(err);
  fs::remove(out);
  fs::remove(err);
  return r;
}

// The runbook input JSON (Step 3).
inline std::string InputJson(const std::string& run_key, const std::string& s3_key,
                             const std::string& schema_version = "v1",
                             const std::string& trigger_event_id = "evt-1") {
  json j = {{"run_key", run_key},
            {"s3_bucket", "local"},
            {"s3_key", s3_key},
            {"schema_version", schema_version},
            {"trigger_source", "integration-test"},
            {"trigger_event_id", trigger_event_id},
            {"trigger_event_time", "2024-01-15T06:00:00Z"}};
  return j.dump(2) + "\n";
}

// A temporary lake with its own scratch folder: <tmp>/lake and <tmp>/work.
class TestLake {
 public:
  TestLake() : lake_(dir_ / "lake"), work_(dir_ / "work") {
    fs::create_directories(work_);
  }
  const std::string& lake() const { return lake_; }
  const std::string& work() const { return work_; }
  std::string Work(const std::string& rel) const { return work_ + "/" + rel; }
  std::string Lake(const std::string& rel) const { return lake_ + "/" + rel; }

  // runlake --lake <lake> args...
  CmdResult Rl(std::vector<std::string> args, const std::vector<std::string>& env = {}) const {
    args.insert(args.begin(), {"--lake", lake_});
    return RunBinary(args, work_, env);
  }
  // runlake --lake <lake> --json args...; returns parsed stdout (throws on bad JSON).
  json RlJson(std::vector<std::string> args) const {
    args.insert(args.begin(), "--json");
    CmdResult r = Rl(args);
    if (r.exit_code != 0) throw std::runtime_error("runlake failed: " + r.Describe());
    return json::parse(r.out);
  }

  // Ingests a file and returns its bronze key.
  std::string Ingest(const std::string& file, const std::string& date) const {
    json j = RlJson({"ingest", file, "--date", date});
    return j.at("key").get<std::string>();
  }
  // Writes a CSV under work/ and ingests it; returns the bronze key.
  std::string IngestText(const std::string& name, const std::string& csv, const std::string& date) const {
    WriteFile(Work(name), csv);
    return Ingest(Work(name), date);
  }
  // Writes the input JSON to work/<run_key>.json and runs it.
  CmdResult RunKey(const std::string& run_key, const std::string& s3_key,
                   std::vector<std::string> extra = {}, const std::string& schema = "v1") const {
    std::string path = Work("input-" + run_key + "-" + std::to_string(inputs_++) + ".json");
    WriteFile(path, InputJson(run_key, s3_key, schema));
    std::vector<std::string> args{"run", "--input", path};
    args.insert(args.end(), extra.begin(), extra.end());
    return Rl(args);
  }

  // One value from `runlake query --format csv` (header row skipped).
  std::string Scalar(const std::string& sql) const {
    CmdResult r = Rl({"query", sql, "--format", "csv"});
    if (r.exit_code != 0) throw std::runtime_error("query failed: " + r.Describe());
    std::string s = r.out;
    auto nl = s.find('\n');
    s = nl == std::string::npos ? "" : s.substr(nl + 1);
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    return s;
  }
  json QueryJson(const std::string& sql) const {
    CmdResult r = Rl({"query", sql, "--format", "json"});
    if (r.exit_code != 0) throw std::runtime_error("query failed: " + r.Describe());
    return json::parse(r.out);
  }
  bool HasManifest(const std::string& run_id) const { return fs::exists(Lake("_runs/" + run_id + ".json")); }
  json Manifest(const std::string& run_id) const { return json::parse(ReadFile(Lake("_runs/" + run_id + ".json"))); }

 private:
  TempDir dir_;
  std::string lake_, work_;
  mutable int inputs_ = 0;
};

// Files under `root` (recursively), as paths relative to `root`, sorted.
inline std::vector<std::string> ListFiles(const std::string& root) {
  std::vector<std::string> out;
  if (!fs::exists(root)) return out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_regular_file()) out.push_back(fs::relative(e.path(), root).string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The 1-based index of the first line of a fault-injector trace (RUNLAKE_TEST_FAULT's
// count file) that contains `needle`; 0 if none.
inline int OpIndex(const std::string& trace_file, const std::string& needle) {
  std::stringstream ss(ReadFile(trace_file));
  int i = 0;
  for (std::string line; std::getline(ss, line);) {
    ++i;
    if (line.find(needle) != std::string::npos) return i;
  }
  return 0;
}

// Parses DuckDB's rendering of a VARCHAR[] ("[A, B]") or a JSON array into strings.
inline std::vector<std::string> ParseList(const json& v) {
  std::vector<std::string> out;
  if (v.is_array()) {
    for (const auto& e : v) out.push_back(e.get<std::string>());
    return out;
  }
  std::string s = v.get<std::string>();
  if (!s.empty() && s.front() == '[') s = s.substr(1);
  if (!s.empty() && s.back() == ']') s.pop_back();
  std::string cur;
  for (char c : s) {
    if (c == ',') { out.push_back(cur); cur.clear(); }
    else if (c != ' ' && c != '\'' && c != '"') cur += c;
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

}  // namespace runlake::it
