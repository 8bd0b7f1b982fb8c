#pragma once
// The fault sweep's support: the lakes its commands start from, runs beside a `runlake
// worker` (queue mode) and alone, each killed when it hangs.

#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <thread>

#include "integration/fault_sweep.h"

namespace runlake::it {

inline std::string Csv(int seed, int rows) {
  std::string s = "TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp\n";
  for (int i = 0; i < rows; ++i) {
    s += "T" + std::to_string(seed) + "-" + std::to_string(i) + ",ACC" + std::to_string(i % 7) +
         "," + std::to_string(10 + i) + ".25," + (i % 39 == 38 ? "XXX" : "EUR") +
         ",2024-01-1" + std::to_string(seed) + "T10:00:00Z\n";
  }
  return s;
}

// Bronze for 2024-01-15..17 and the daily run of the 15th (pointer version 1).
inline std::vector<std::string> BaseLake(const TestLake& lake) {
  std::vector<std::string> keys;
  for (int d = 5; d <= 7; ++d) {
    keys.push_back(lake.IngestText("day" + std::to_string(d) + ".csv", Csv(d, 40),
                                   "2024-01-1" + std::to_string(d)));
  }
  CmdResult r = lake.RunKey("daily-15", keys[0]);
  if (r.exit_code != 0) throw std::runtime_error("setup run failed: " + r.Describe());
  WriteFile(lake.Work("keys.txt"), keys[1] + "\n" + keys[2] + "\n");
  return keys;
}

inline std::vector<std::string> Keys(const TestLake& lake) {
  std::stringstream ss(ReadFile(lake.Work("keys.txt")));
  std::vector<std::string> out;
  for (std::string l; std::getline(ss, l);) out.push_back(l);
  return out;
}

inline std::string WriteInput(const TestLake& lake, const std::string& name, const json& j) {
  std::string path = lake.Work(name);
  WriteFile(path, j.dump(2));
  return path;
}

inline json Input(const std::string& run_key, const json& keys, const std::string& trigger) {
  json j = {{"run_key", run_key},          {"s3_bucket", "local"},
            {"schema_version", "v1"},      {"trigger_source", trigger},
            {"trigger_event_id", "evt-1"}, {"trigger_event_time", "2024-01-15T06:00:00Z"}};
  if (keys.is_array()) j["s3_keys"] = keys;
  else j["s3_key"] = keys;
  return j;
}

// The newest silver pointer version's source map.
inline json Sources(Invariants& inv) {
  json p = inv.PointerLog(kSilver, false);
  return p.is_object() ? p.value("sources", json::object()) : json::object();
}

// A committed, gate-passing daily run publishes: after its recovery the newest pointer
// maps its dates to it and its execution SUCCEEDED.
inline void ExpectPublishedIfCommitted(const TestLake& lake, Invariants& inv, const std::string& rid,
                                const std::vector<std::string>& dates) {
  if (!CommittedRuns(lake.lake()).count(rid)) return;
  json src = Sources(inv);
  for (const auto& d : dates) {
    if (src.value(d, "") != rid) inv.Fail("committed run " + rid + " is not canonical for " + d);
  }
  CmdResult e = lake.Rl({"--json", "executions", "describe", rid});
  if (e.exit_code != 0 || e.Json().value("status", "") != "SUCCEEDED") {
    inv.Fail("execution of committed run " + rid + " is not SUCCEEDED: " + e.out);
  }
}

inline void Expect0(Invariants& inv, const std::string& what, const CmdResult& r) {
  if (r.exit_code != 0) inv.Fail("recovery `" + what + "` failed: " + r.Describe());
}

// Starts `runlake worker` on `lake` with `env`; its output goes to work/worker-N.*.
inline pid_t StartWorker(const TestLake& lake, const std::vector<std::string>& env) {
  static int n = 0;
  std::string base = lake.Work("worker-" + std::to_string(n++));
  std::vector<std::string> e = HarnessEnv();
  e.insert(e.end(), env.begin(), env.end());
  return Spawn({Binary(), "--lake", lake.lake(), "worker", "--concurrency", "1", "--lease-seconds", "2",
                "--drain-seconds", "5"},
               base + ".out", base + ".err", e, lake.work());
}

// How long a faulted command may take before the sweep calls it hung (and kills it).
inline constexpr auto kHungAfter = std::chrono::seconds(120);
inline const char kHungMark[] = "(killed after 120 s)";

// Runs `args` (after --lake) with `env`, killed when it is still running after
// kHungAfter; `tick` runs every 20 ms while it does (a supervisor's chance to act).
inline CmdResult RunWatched(const TestLake& lake, std::vector<std::string> args,
                            const std::vector<std::string>& env, const std::function<void()>& tick) {
  args.insert(args.begin(), {Binary(), "--lake", lake.lake()});
  std::vector<std::string> e = HarnessEnv();
  e.insert(e.end(), env.begin(), env.end());
  std::string out = lake.Work("cmd.out"), err = lake.Work("cmd.err");
  pid_t cmd = Spawn(args, out, err, e, lake.work());
  CmdResult r;
  auto deadline = std::chrono::steady_clock::now() + kHungAfter;
  int status = 0;
  while (waitpid(cmd, &status, WNOHANG) != cmd) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(cmd, SIGKILL);
      waitpid(cmd, &status, 0);
      r.err = std::string(kHungMark) + "\n";
      break;
    }
    tick();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = ReadFile(out);
  r.err += ReadFile(err);
  return r;
}

// Runs `args` (after --lake) alone.
inline CmdResult RunAlone(const TestLake& lake, std::vector<std::string> args,
                          const std::vector<std::string>& env) {
  return RunWatched(lake, std::move(args), env, [] {});
}

// Runs `args` (after --lake) while a worker serves the queue. A worker the fault killed is
// restarted at once, as a supervisor (systemd, Kubernetes) would; its task's lease then
// expires and the new worker retries the date.
inline CmdResult RunWithWorker(const TestLake& lake, std::vector<std::string> args,
                               const std::vector<std::string>& env) {
  pid_t worker = StartWorker(lake, env);
  CmdResult r = RunWatched(lake, std::move(args), env, [&] {
    if (waitpid(worker, nullptr, WNOHANG) == worker) worker = StartWorker(lake, env);
  });
  kill(worker, SIGTERM);
  WaitExit(worker);
  return r;
}

}  // namespace runlake::it
