// runlake executions list|describe NAME|history NAME, and runlake logs.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <iostream>

#include "cli/cli_context.h"
#include "cli/print_run.h"
#include "cli/text_table.h"
#include "runlake/exec_log.h"
#include "runlake/execution_recovery.h"
#include "runlake/execution_stop.h"
#include "runlake/reaping_reads.h"

namespace runlake::cli {
namespace {

// The newest log lines `executions describe` shows.
constexpr size_t kDescribeLogLines = 5;

// An execution the reaper failed as WorkerLost may have committed its run: finish it
// (execution_recovery.h). Opens the lake only then; a lake that cannot be read leaves the
// record as it is, with a warning.
ExecutionRecord Recovered(CliContext& ctx, StateStore& state, const ExecutionRecord& rec) {
  if (rec.status != ExecutionStatus::kFailed || !IsRecoverableCause(rec.cause)) return rec;
  auto store = ctx.Store();
  auto log_dir = ctx.LogDir();
  if (!store.ok() || !log_dir.ok()) return rec;
  auto now = RecoverLostExecution(ExecutionContext{*store, &state, *log_dir, ctx.LakeBucket()}, rec);
  if (!now.ok()) {
    std::cerr << "runlake: warning: could not check whether lost execution " << rec.name
              << " had committed: " << now.status().ToString() << "\n";
    return rec;
  }
  return *now;
}

}  // namespace

void RegisterExecutions(CLI::App& app, CliContext& ctx, int& exit_code) {
  auto* cmd = app.add_subcommand("executions", "List and inspect executions");
  cmd->require_subcommand(1);
  static std::string status_filter, name;
  static int limit = 50;

  auto* list = cmd->add_subcommand("list", "Executions, newest first");
  list->add_option("--status", status_filter, "RUNNING, SUCCEEDED, FAILED, TIMED_OUT or ABORTED");
  list->add_option("--limit", limit, "at most this many")->capture_default_str();
  list->callback(ctx.Handle(exit_code, [&ctx]() -> Status {
    auto state = ctx.State();
    if (!state.ok()) return state.status();
    ExecutionFilter filter;
    filter.limit = limit;
    if (!status_filter.empty()) {
      auto s = ParseExecutionStatus(status_filter);
      if (!s.ok()) return s.status();
      filter.status = *s;
    }
    auto records = ReapAndListExecutions(*(*state), filter);
    if (!records.ok()) return records.status();
    for (auto& r : *records) r = Recovered(ctx, **state, r);
    // A recovered execution may no longer match a status filter.
    if (filter.status) {
      std::erase_if(*records, [&](const ExecutionRecord& r) { return r.status != *filter.status; });
    }
    if (ctx.json) {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& r : *records) arr.push_back(ToJson(r));
      ctx.PrintJson(arr);
      return Status::OK();
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& r : *records) {
      rows.push_back({r.name, ToString(r.status), r.run_id, r.start_time, r.stop_time, r.cause});
    }
    PrintTable({"NAME", "STATUS", "RUN_ID", "STARTED", "STOPPED", "CAUSE"}, rows);
    return Status::OK();
  }));

  auto* describe = cmd->add_subcommand("describe", "One execution: status, input, output");
  describe->add_option("NAME", name, "execution name")->required();
  describe->callback(ctx.Handle(exit_code, [&ctx]() -> Status {
    auto state = ctx.State();
    if (!state.ok()) return state.status();
    auto rec = ReapAndGetExecution(*(*state), name);
    if (!rec.ok()) return rec.status();
    if (!*rec) return Status::NotFound("no execution named '" + name + "'");
    **rec = Recovered(ctx, **state, **rec);
    // Its newest log lines, from the state store: whichever machine ran it.
    auto totals = (*state)->LogTotals({name});
    StoredLogQuery tail_query;
    tail_query.execution = name;
    tail_query.newest_first = true;
    tail_query.limit = kDescribeLogLines;
    auto tail = (*state)->SearchLogLines(tail_query);
    if (!totals.ok() || !tail.ok()) {
      return totals.ok() ? tail.status() : totals.status();
    }
    nlohmann::json tail_lines = nlohmann::json::array();  // oldest first
    for (auto it = tail->rbegin(); it != tail->rend(); ++it) {
      auto line = nlohmann::json::parse(it->text, nullptr, false);
      if (!line.is_discarded() && line.is_object()) tail_lines.push_back(std::move(line));
    }
    StoredLogTotals log = totals->count(name) ? totals->at(name) : StoredLogTotals{};
    if (ctx.json) {
      nlohmann::json j = ToJson(**rec);
      j["log"] = {{"lines", log.lines}, {"bytes", log.bytes}, {"truncated", log.truncated},
                  {"tail", tail_lines}};
      ctx.PrintJson(j);
    } else {
      PrintExecutionSummary(**rec);
      std::cout << "input      " << (*rec)->input_json << "\n";
      std::cout << "log        " << log.lines << " lines in the state store"
                << (log.truncated ? " (truncated: the rest is in the local log file)" : "")
                << "; all of them: runlake logs --execution '" << name << "'\n";
      for (const auto& line : tail_lines) {
        std::cout << "  " << line.value("timestamp", "") << " " << line.value("level", "") << " "
                  << line.value("message", "") << "\n";
      }
    }
    return Status::OK();
  }));

  auto* history = cmd->add_subcommand("history", "The event history of one execution");
  history->add_option("NAME", name, "execution name")->required();
  history->callback(ctx.Handle(exit_code, [&ctx]() -> Status {
    auto state = ctx.State();
    if (!state.ok()) return state.status();
    // Finishing a lost execution first is a courtesy here: the history is printed either way.
    if (auto rec = ReapAndGetExecution(*(*state), name); rec.ok() && *rec) (void)Recovered(ctx, **state, **rec);
    auto events = (*state)->History(name);
    if (!events.ok()) return events.status();
    if (ctx.json) {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& e : *events) arr.push_back(ToJson(e));
      ctx.PrintJson(arr);
      return Status::OK();
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& e : *events) {
      rows.push_back({std::to_string(e.id), e.timestamp, e.type, e.details.is_null() ? "" : e.details.dump()});
    }
    PrintTable({"ID", "TIMESTAMP", "TYPE", "DETAILS"}, rows);
    return Status::OK();
  }));

  auto* stop = cmd->add_subcommand("stop", "Stop a RUNNING execution: it ends ABORTED, its run never commits");
  stop->add_option("NAME", name, "execution name")->required();
  static double wait_seconds = 60;
  stop->add_option("--wait", wait_seconds, "seconds to wait for the worker to stop")->capture_default_str();
  stop->callback(ctx.Handle(exit_code, [&ctx, &exit_code]() -> Status {
    auto state = ctx.State();
    if (!state.ok()) return state.status();
    // The worker ends the execution itself, ABORTED only while its run is uncommitted
    // (execution_stop.h): a stop after the commit reports SUCCEEDED, and exits 1.
    auto wait = std::chrono::milliseconds(static_cast<int64_t>(std::max(0.0, wait_seconds) * 1000));
    auto rec = StopExecution(**state, name, wait);
    if (!rec.ok()) return rec.status();
    std::string status = ToString(rec->status);
    std::string note;
    if (rec->status == ExecutionStatus::kRunning) {
      note = "stop requested; still RUNNING after " + std::to_string(wait.count() / 1000) +
             " s (the worker stops at its next check)";
    } else if (rec->status == ExecutionStatus::kSucceeded) {
      note = "the stop came too late: run " + rec->run_id + " had already committed";
    } else if (rec->status != ExecutionStatus::kAborted) {
      note = "it ended " + status + " before it could be stopped";
    }
    exit_code = rec->status == ExecutionStatus::kAborted ? 0 : 1;
    if (ctx.json) {
      ctx.PrintJson({{"name", name}, {"status", status}, {"run_id", rec->run_id}, {"note", note}});
    } else {
      std::cout << "execution " << name << ": " << status << (note.empty() ? "" : " (" + note + ")") << "\n";
    }
    return Status::OK();
  }));
}

namespace {

// Lines per page when --page comes without --limit.
constexpr size_t kDefaultLogPage = 100;

// Paging past any end gives an empty page, not an overflow into an early one.
size_t PageOffset(size_t page, size_t per_page) {
  size_t offset = 0;
  return __builtin_mul_overflow(page - 1, per_page, &offset) ? SIZE_MAX : offset;
}

}  // namespace

void RegisterLogs(CLI::App& app, CliContext& ctx, int& exit_code) {
  auto* cmd = app.add_subcommand("logs", "Search execution logs (like CloudWatch filter-log-events)");
  static LogQuery q;
  cmd->add_option("--run-id", q.run_id, "only lines of this run_id");
  cmd->add_option("--execution", q.execution, "only this execution");
  cmd->add_option("--filter", q.filter_pattern,
                  "a literal, case-sensitive phrase found in the message or a field's value");
  cmd->add_option("--limit", q.limit, "at most this many lines (with --page: lines per page, default 100)")
      ->check(CountAtLeastOne());
  static size_t page = 0;
  cmd->add_option("--page", page, "the K-th page of --limit lines (1 is the oldest)")
      ->check(CountAtLeastOne());
  cmd->callback(ctx.Handle(exit_code, [&ctx]() -> Status {
    auto dir = ctx.LogDir();
    if (!dir.ok()) return dir.status();
    if (page > 0) {
      if (q.limit == 0) q.limit = kDefaultLogPage;
      q.offset = PageOffset(page, q.limit);
    }
    // The store holds the lines of every machine; without it, this machine's files only.
    // A store that cannot be reached is worked around; one named wrongly is a mistake.
    auto state = ctx.State();
    if (!state.ok() && state.status().IsInvalidArgument()) {
      return state.status();
    }
    if (!state.ok()) {
      std::cerr << "runlake: warning: " << state.status().message()
                << ": searching this machine's log files only\n";
    }
    auto lines = SearchLogs(state.ok() ? *state : nullptr, *dir, q);
    if (!lines.ok()) return lines.status();
    if (ctx.json) {
      ctx.PrintJson(*lines);
      return Status::OK();
    }
    for (const auto& l : *lines) std::cout << FormatLogLine(l) << "\n";
    return Status::OK();
  }));
}

}  // namespace runlake::cli
