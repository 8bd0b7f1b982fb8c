// runlake worker | workers | queue: the task queue's processes and what they hold
// (src/queue/task_worker.h does the work).

#include <signal.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>

#include "cli/cli_context.h"
#include "cli/text_table.h"
#include "runlake/clock.h"
#include "runlake/backfill_task.h"
#include "runlake/task_worker.h"

namespace runlake::cli {
namespace {

using nlohmann::json;

// Atomic, not volatile sig_atomic_t: the signal may land on any of the worker's threads
// while the main thread reads it (TSan found the race). Lock-free, so signal-safe.
std::atomic<int> g_stop_signal{0};
static_assert(std::atomic<int>::is_always_lock_free);

extern "C" void OnStopSignal(int sig) { g_stop_signal.store(sig); }

Result<std::vector<TaskKind>> ParseQueues(const std::string& text) {
  RUNLAKE_ASSIGN_OR_RAISE(std::vector<TaskKind> kinds, ParseTaskKinds(text));
  if (kinds.empty()) return Status::InvalidArgument("--queues names no queue (daily, backfill)");
  return kinds;
}

std::string Age(double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1fs ago", seconds);
  return buf;
}

}  // namespace

void RegisterWorker(CLI::App& app, CliContext& ctx, int& exit_code) {
  auto* cmd = app.add_subcommand("worker",
                                 "Run queued tasks (backfill dates, run --no-wait) until SIGTERM");
  static WorkerOptions opt;
  static std::string queues = "daily,backfill";
  cmd->add_option("--concurrency", opt.concurrency, "tasks at once")->capture_default_str();
  cmd->add_option("--queues", queues, "task kinds to take: daily, backfill")->capture_default_str();
  cmd->add_option("--lease-seconds", opt.lease_seconds, "lease per task, renewed every third of it")
      ->capture_default_str();
  cmd->add_option("--drain-seconds", opt.drain_seconds,
                  "on SIGTERM, how long running tasks may finish before they are released")
      ->capture_default_str();
  cmd->add_option("--id", opt.worker_id, "worker id (default: host:pid:stamp)");
  cmd->callback(ctx.Handle(exit_code, [&ctx]() -> Status {
    auto kinds = ParseQueues(queues);
    if (!kinds.ok()) {
      return kinds.status();
    }
    opt.kinds = *kinds;
    opt.handlers[TaskKind::kBackfill] = PrepareBackfillTask;
    auto store = ctx.Store();
    if (!store.ok()) {
      return store.status();
    }
    auto state = ctx.State();
    if (!state.ok()) {
      return state.status();
    }
    auto log_dir = ctx.LogDir();
    if (!log_dir.ok()) {
      return log_dir.status();
    }
    ExecutionContext ectx{*store, *state, *log_dir, ctx.LakeBucket()};
    struct sigaction sa {};
    sa.sa_handler = OnStopSignal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);
    opt.stop_requested = [] { return g_stop_signal != 0; };
    opt.log = [](const std::string& line) {
      std::fprintf(stderr, "%s %s\n", NowIso8601Utc().c_str(), line.c_str());
      std::fflush(stderr);
    };
    Status st = RunWorker(ectx, opt);
    if (!st.ok()) {
      return st;
    }
    return Status::OK();
  }));
}

void RegisterWorkers(CLI::App& app, CliContext& ctx, int& exit_code) {
  auto* cmd = app.add_subcommand("workers", "Live workers, their tasks and heartbeats");
  static bool all = false;
  static int live_seconds = 120;
  cmd->add_flag("--all", all, "stopped and silent workers too");
  cmd->add_option("--live-seconds", live_seconds, "live: a heartbeat at most this old")
      ->capture_default_str();
  cmd->callback(ctx.Handle(exit_code, [&ctx]() -> Status {
    auto state = ctx.State();
    if (!state.ok()) {
      return state.status();
    }
    auto workers = (*state)->ListWorkers(all ? 0 : live_seconds);
    if (!workers.ok()) {
      return workers.status();
    }
    json arr = json::array();
    std::vector<std::vector<std::string>> rows;
    for (const auto& w : *workers) {
      TaskFilter filter;
      filter.worker_id = w.id;
      filter.statuses = {TaskStatus::kRunning};
      auto tasks = (*state)->ListTasks(filter);
      if (!tasks.ok()) {
        return tasks.status();
      }
      json j = ToJson(w);
      j["tasks"] = json::array();
      std::string names;
      for (const auto& t : *tasks) {
        j["tasks"].push_back(ToJson(t));
        names += (names.empty() ? "" : " ") + TaskAttemptName(t.name, t.attempts);
      }
      arr.push_back(j);
      rows.push_back({w.id, w.status, std::to_string(w.concurrency), TaskKindsText(w.kinds),
                      Age(w.seconds_since_heartbeat), names.empty() ? "-" : names});
    }
    if (ctx.json) {
      ctx.PrintJson(arr);
    } else {
      PrintTable({"WORKER", "STATUS", "CONCURRENCY", "QUEUES", "HEARTBEAT", "TASKS"}, rows);
    }
    return Status::OK();
  }));
}

void RegisterQueue(CLI::App& app, CliContext& ctx, int& exit_code) {
  auto* cmd = app.add_subcommand("queue", "The task queue: tasks and quotas");
  cmd->require_subcommand(1);
  static std::string backfill, status;
  static int limit = 0;

  auto* list = cmd->add_subcommand("list", "Tasks in enqueue order");
  list->add_option("--backfill", backfill, "only this backfill's tasks");
  list->add_option("--status", status, "QUEUED, RUNNING, SUCCEEDED, FAILED or CANCELLED");
  list->callback(ctx.Handle(exit_code, [&ctx]() -> Status {
    auto state = ctx.State();
    if (!state.ok()) {
      return state.status();
    }
    TaskFilter filter;
    filter.backfill_id = backfill;
    if (!status.empty()) {
      auto s = ParseTaskStatus(status);
      if (!s.ok()) {
        return s.status();
      }
      filter.statuses = {*s};
    }
    auto tasks = (*state)->ListTasks(filter);
    if (!tasks.ok()) {
      return tasks.status();
    }
    json arr = json::array();
    std::vector<std::vector<std::string>> rows;
    for (const auto& t : *tasks) {
      arr.push_back(ToJson(t));
      rows.push_back({t.name, ToString(t.kind), ToString(t.status), std::to_string(t.attempts),
                      t.worker_id.empty() ? "-" : t.worker_id, t.error});
    }
    if (ctx.json)
      ctx.PrintJson(arr);
    else
      PrintTable({"TASK", "KIND", "STATUS", "ATTEMPTS", "WORKER", "ERROR"}, rows);
    return Status::OK();
  }));

  auto* quota = cmd->add_subcommand(
      "quota",
      "Show quotas, or set the global one: at most N backfill tasks at once, all "
      "backfills together (0 removes it; daily tasks are never held back)");
  quota->add_option("N", limit, "the global quota");
  quota->callback(ctx.Handle(exit_code, [&ctx, quota]() -> Status {
    auto state = ctx.State();
    if (!state.ok()) {
      return state.status();
    }
    if (quota->count("N") > 0) {
      Status st = (*state)->SetTaskQuota(kGlobalQuotaScope, limit);
      if (!st.ok()) {
        return st;
      }
    }
    auto quotas = (*state)->TaskQuotas();
    if (!quotas.ok()) {
      return quotas.status();
    }
    if (ctx.json) {
      ctx.PrintJson(json(*quotas));
      return Status::OK();
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& [scope, n] : *quotas) rows.push_back({scope, std::to_string(n)});
    PrintTable({"SCOPE", "MAX RUNNING"}, rows);
    return Status::OK();
  }));
}

}  // namespace runlake::cli
