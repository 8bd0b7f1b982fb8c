// runlake run --input FILE.json [--name N] [--rules FILE] [--contract FILE | --contract-revision
// N] [--no-wait]: one execution; waits for it, or with --no-wait enqueues it for a `runlake
// worker` and prints its name.

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <thread>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/cli_context.h"
#include "cli/run_progress_bar.h"
#include "cli/print_run.h"
#include "runlake/clock.h"
#include "runlake/execution_runner.h"
#include "runlake/task_runner.h"
#include "runlake/reaping_reads.h"

namespace runlake::cli {

namespace {

// SIGINT and SIGTERM ask the running execution to stop, as `executions stop` does: it ends
// ABORTED with its files and claim removed (or SUCCEEDED if it had committed already), and
// the command exits 128+signal. A second Ctrl-C exits at once.
std::atomic<int> g_stop_signal{0};

extern "C" void OnRunStopSignal(int signo) {
  int expected = 0;
  if (!g_stop_signal.compare_exchange_strong(expected, signo) && signo == SIGINT) _exit(128 + SIGINT);
}

void InstallStopSignals() {
  struct sigaction sa {};
  sa.sa_handler = OnRunStopSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

// A runbook input or rules file: 1 MiB at most.
Result<std::string> ReadFile(const std::string& path) {
  return ReadUserFile(path, kMaxInputJsonBytes, "file",
                      std::to_string(kMaxInputJsonBytes) + " bytes (1 MiB): not a runbook input");
}

// --no-wait: the execution becomes a daily task (EnqueueDailyRun); prints its name.
Status Enqueue(CliContext& ctx, const StartRequest& req, const std::string& rules_text,
              const std::string& rules_origin) {
  RUNLAKE_ASSIGN_OR_RAISE(StateStore * state, ctx.State());
  RUNLAKE_ASSIGN_OR_RAISE(EnqueuedRun queued, EnqueueDailyRun(*state, req, rules_text, rules_origin));
  if (queued.already_succeeded) {
    if (ctx.json) {
      nlohmann::json j = ToJson(*queued.already_succeeded);
      j["enqueued"] = false;
      ctx.PrintJson(j);
    } else {
      std::cout << queued.execution << "\n";
      std::cerr << "runlake: execution " << queued.execution << " already SUCCEEDED with this input; nothing queued\n";
    }
    return Status::OK();
  }
  if (ctx.json) {
    nlohmann::json j = ToJson(queued.task);
    j["execution"] = queued.execution;
    ctx.PrintJson(j);
  } else {
    std::cout << queued.execution << "\n";
    std::cerr << "runlake: queued as task " << queued.task.name << " (" << ToString(queued.task.status)
              << "); `runlake executions describe NAME` once a worker runs it\n";
  }
  return Status::OK();
}

}  // namespace

void RegisterRun(CLI::App& app, CliContext& ctx, int& exit_code) {
  auto* cmd = app.add_subcommand("run", "Run one execution from the runbook's input JSON; waits for it");
  static std::string input_path, name, rules_path, contract_path;
  static int64_t contract_revision = 0;
  static bool no_wait = false;
  cmd->add_option("--input", input_path, "input JSON (run_key, s3_bucket, s3_key, schema_version, ...)")
      ->required();
  cmd->add_option("--name", name, "execution name (default: the run_id)");
  cmd->add_option("--rules", rules_path, "validation rules JSON");
  auto* contract_opt = cmd->add_option("--contract", contract_path,
                                       "dataset contract YAML to use and record (not applied)");
  cmd->add_option("--contract-revision", contract_revision,
                  "the dataset's contract revision to use (default: the newest)")
      ->check(WholeNumberAtLeastOne("a contract revision is", " (leave the option out for the newest)", "N>=1"))
      ->excludes(contract_opt);
  cmd->add_flag("--no-wait", no_wait, "enqueue for `runlake worker` processes; print the name");
  cmd->callback(ctx.Handle(exit_code, [&ctx, &exit_code]() -> Status {
    StartRequest req;
    req.input_origin = input_path;
    req.name = name;
    if (!name.empty()) {
      Status valid = ValidateExecutionName(name);
      if (!valid.ok()) return valid;
    }
    auto text = input_path == "-" ? ReadFile("/dev/stdin") : ReadFile(input_path);
    if (!text.ok()) return text.status();
    req.input_json = *text;
    // A daily run publishes itself; the runbook's backfill inputs wait for `promote`.
    if (auto input = ParseExecutionInput(req.input_json, req.input_origin); input.ok()) {
      req.publish = PublishesItself(*input, input->run_key);
    }
    if (!rules_path.empty()) {
      auto rules = LoadRulesFile(rules_path);
      if (!rules.ok()) return rules.status();
      req.rules = *rules;
    }
    auto contract = ContractChoice(contract_path, contract_revision);
    if (!contract.ok()) return contract.status();
    req.contract = *contract;
    if (no_wait) {
      std::string rules_text;
      if (!rules_path.empty()) {
        auto text = ReadFile(rules_path);
        if (!text.ok()) return text.status();
        rules_text = *text;
      }
      return Enqueue(ctx, req, rules_text, rules_path);
    }
    auto store = ctx.Store();
    if (!store.ok()) return store.status();
    auto state = ctx.State();
    if (!state.ok()) return state.status();
    auto log_dir = ctx.LogDir();
    if (!log_dir.ok()) return log_dir.status();
    ExecutionContext ectx{*store, *state, *log_dir, ctx.LakeBucket()};
    InstallStopSignals();
    req.cancelled = [] { return g_stop_signal.load() != 0; };
    req.before_commit = []() -> Status {
      int signo = g_stop_signal.load();
      if (signo != 0) return Status::Aborted(std::string("stopped by ") + (signo == SIGINT ? "SIGINT" : "SIGTERM"));
      return Status::OK();
    };
    RunProgressBar bar(!ctx.json && isatty(STDERR_FILENO));
    req.progress = bar.Callback();
    auto outcome = RunExecution(ectx, req);
    bar.Finish();
    if (!outcome.ok()) return outcome.status();
    const ExecutionRecord& rec = outcome->record;
    if (ctx.json) {
      nlohmann::json j = ToJson(rec);
      j["created"] = outcome->created;
      ctx.PrintJson(j);
    } else {
      if (!outcome->created) std::cout << "execution " << rec.name << " already exists with this input\n";
      PrintExecutionSummary(rec);
    }
    if (rec.status == ExecutionStatus::kAborted && g_stop_signal.load() != 0) {
      if (!ctx.json) std::cerr << "runlake: stopped by signal: execution " << rec.name << " ABORTED, nothing committed\n";
      exit_code = 128 + g_stop_signal.load();
    } else if (rec.status == ExecutionStatus::kSucceeded) {
      exit_code = kExitOk;
    } else if (!outcome->error.ok()) {
      if (!ctx.json) std::cerr << "runlake: " << outcome->error.message() << "\n";
      exit_code = ExitCodeFor(outcome->error) == kExitBadInput ? kExitBadInput : kExitFailed;
    } else {
      exit_code = kExitFailed;
    }
    return Status::OK();
  }));
}

}  // namespace runlake::cli
