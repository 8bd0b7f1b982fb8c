#pragma once
// The fault sweep's runs beside a `runlake worker` (queue mode), and which invariant
// breaks are the known defect of issue 18 item 7.

#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <thread>

#include "integration/cli_runner.h"

namespace runlake::it {

// Starts `runlake worker` on `lake` with `env`; its output goes to work/worker-N.*.
inline pid_t StartWorker(const TestLake& lake, const std::vector<std::string>& env) {
  static int n = 0;
  std::string base = lake.Work("worker-" + std::to_string(n++));
  std::vector<std::string> e{"RUNLAKE_LAKE=", "RUNLAKE_STATE="};
  e.insert(e.end(), env.begin(), env.end());
  return Spawn({Binary(), "--lake", lake.lake(), "worker", "--concurrency", "1", "--lease-seconds", "2",
                "--drain-seconds", "5"},
               base + ".out", base + ".err", e, lake.work());
}

// Runs `args` (after --lake) while a worker serves the queue. A worker the fault killed is
// restarted at once, as a supervisor (systemd, Kubernetes) would; its task's lease then
// expires and the new worker retries the date. The command is killed after 120 s.
inline CmdResult RunWithWorker(const TestLake& lake, std::vector<std::string> args,
                        const std::vector<std::string>& env) {
  args.insert(args.begin(), {Binary(), "--lake", lake.lake()});
  std::vector<std::string> e{"RUNLAKE_LAKE=", "RUNLAKE_STATE="};
  e.insert(e.end(), env.begin(), env.end());
  std::string out = lake.Work("cmd.out"), err = lake.Work("cmd.err");
  pid_t cmd = Spawn(args, out, err, e, lake.work());
  pid_t worker = StartWorker(lake, env);
  CmdResult r;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  int status = 0;
  while (true) {
    pid_t done = waitpid(cmd, &status, WNOHANG);
    if (done == cmd) break;
    if (waitpid(worker, nullptr, WNOHANG) == worker) worker = StartWorker(lake, env);
    if (std::chrono::steady_clock::now() > deadline) {
      kill(cmd, SIGKILL);
      waitpid(cmd, &status, 0);
      r.err = "(killed after 120 s)\n";
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  kill(worker, SIGTERM);
  WaitExit(worker);
  r.out = ReadFile(out);
  r.err += ReadFile(err);
  return r;
}

// Issue 18 item 7, not fixed here (another piece of work): a process that dies after its
// run's manifest (or whose publish keeps failing) leaves a committed run FAILED and
// unpublished, and nothing finishes it. Points that break only that are counted and
// printed; RUNLAKE_FAULT_SWEEP_STRICT=1 fails them too.
inline bool IsKnownIssue18Item7(const std::string& problem) {
  for (const char* sig : {"(WorkerLost) but its run", "(PublishFailed) but its run",
                          "is not canonical for", "execution of committed run"}) {
    if (problem.find(sig) != std::string::npos) return true;
  }
  return false;
}

inline bool FaultSweepStrict() {
  const char* s = std::getenv("RUNLAKE_FAULT_SWEEP_STRICT");
  return s && std::string(s) == "1";
}

}  // namespace runlake::it
