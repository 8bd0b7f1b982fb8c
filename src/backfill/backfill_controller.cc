// The backfill controller: records the backfill, runs its dates in the pool, decides the
// final status and the promotion. Everything it needs to continue lives in the state
// store, so a new process can pick up where a dead one stopped (ResumeBackfill).

#include "runlake/backfill_controller.h"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <random>
#include <thread>

#include "backfill/backfill_pool.h"
#include "backfill/backfill_queue.h"
#include "common/retry.h"
#include "backfill/controller_heartbeat.h"
#include "runlake/backfill_task.h"
#include "runlake/rules.h"
#include "runlake/reaping_reads.h"

namespace runlake {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// What a date needs before it can count as done.
enum class Need { kDone, kSameAttempt, kNextAttempt, kElsewhere };

Result<Need> Assess(const ExecutionContext& ctx, const BackfillDate& d) {
  if (d.attempts == 0) return Need::kNextAttempt;
  // GetExecution reaps first, so a RUNNING execution of a dead process reads FAILED.
  RUNLAKE_ASSIGN_OR_RAISE(auto rec, ReapAndGetExecution(*ctx.state, d.execution));
  if (!rec) return Need::kSameAttempt;  // recorded, never started: start that attempt
  switch (rec->status) {
    case ExecutionStatus::kSucceeded: return Need::kDone;
    case ExecutionStatus::kRunning: return Need::kElsewhere;
    default: break;
  }
  // The worker died after the manifest (the commit point) but before the execution was
  // finished: the run is complete, and running the date again would commit it twice.
  RUNLAKE_ASSIGN_OR_RAISE(bool committed, CommittedAfterWorkerLost(*ctx.store, *rec));
  return committed ? Need::kDone : Need::kNextAttempt;
}

Result<Rules> RulesOf(const BackfillOptions& options) {
  if (options.rules_text.empty()) return Rules::Defaults();
  return ParseRules(options.rules_text, options.rules_origin);
}


// One call of StartBackfill/ResumeBackfill: the dates, the counters, the progress sink.
class Controller {
 public:
  Controller(const ExecutionContext& ctx, BackfillRecord record, Rules rules,
             BackfillProgressFn progress)
      : ctx_(ctx), record_(std::move(record)), rules_(std::move(rules)),
        progress_(std::move(progress)), one_run_(record_.options.one_run) {}

  // canary_only: run only the first date still to do when no date has succeeded yet.
  // queue: enqueue the dates for workers and follow them (backfill_queue.h).
  Result<BackfillReport> Execute(bool canary_only, int concurrency, bool queue);

 private:
  void RunDate(const std::string& date, const std::function<bool()>& cancelled);
  // Runs the attempt of `dates` (one date, or every date of a --one-run backfill).
  Result<ExecutionOutcome> StartAttempt(std::vector<BackfillDate>* dates,
                                        const std::function<bool()>& cancelled);
  std::string InputOf(const std::vector<BackfillDate>& dates) const;
  void Report(const BackfillDateOutcome* finished);
  // A date of this call ended (in the pool or, in queue mode, on a worker).
  void DateEnded(const BackfillDateOutcome& o);
  Result<BackfillReport> Conclude(bool canary_only, const std::vector<std::string>& todo,
                                  const std::vector<std::string>& warnings,
                                  const BackfillPoolResult& pool);
  int DailyRunning();
  Result<BackfillReport> Finish(const std::string& canary_date, bool stopped);

  const ExecutionContext& ctx_;
  BackfillRecord record_;
  Rules rules_;
  BackfillProgressFn progress_;
  const bool one_run_;  // every date is one run, one execution (options.one_run)
  std::mutex mu_;  // guards record_.dates, progress_state_ and the progress sink
  BackfillProgress progress_state_;
  Clock::time_point started_ = Clock::now();
  const ControllerHeartbeat* heartbeat_ = nullptr;  // while Execute runs
};

Result<BackfillReport> Controller::Execute(bool canary_only, int concurrency, bool queue) {
  // From here to the final transition: other machines judge this controller by it.
  ControllerHeartbeat heartbeat(*ctx_.state, record_.id);
  heartbeat_ = &heartbeat;
  struct Unset {
    const ControllerHeartbeat** p;
    ~Unset() { *p = nullptr; }
  } unset{&heartbeat_};
  std::vector<std::string> todo;
  std::vector<std::pair<std::string, int>> queued;  // date, attempts already used
  std::vector<std::string> warnings;
  if (queue && one_run_) {
    // One run reads every date: there is nothing to share among workers.
    warnings.push_back("a --one-run backfill is one run: it runs in this process, not on workers");
    queue = false;
  }
  progress_state_.total = static_cast<int>(record_.dates.size());
  for (const auto& d : record_.dates) {
    RUNLAKE_ASSIGN_OR_RAISE(Need need, Assess(ctx_, d));
    if (need == Need::kDone) ++progress_state_.done;
    // In queue mode a RUNNING date is a worker's task: follow it (enqueueing is idempotent).
    if (need == Need::kElsewhere && !queue) {
      warnings.push_back(d.date + ": execution " + d.execution + " is RUNNING in another process");
    }
    bool run = need == Need::kSameAttempt || need == Need::kNextAttempt ||
               (queue && need == Need::kElsewhere);
    if (!run) continue;
    todo.push_back(d.date);
    queued.emplace_back(d.date, need == Need::kSameAttempt ? d.attempts - 1 : d.attempts);
  }
  // A canary that has not succeeded yet (it failed, or its controller died) runs again
  // alone on resume: the rest waits until one date was looked at.
  canary_only = canary_only && progress_state_.done == 0;
  if (canary_only && todo.size() > 1) {
    todo.resize(1);
    queued.resize(1);
  }
  auto stop_requested = [this] {
    // A controller that lost the backfill stops as if asked: another one may run it now.
    if (heartbeat_->lost()) return true;
    auto rec = ReapAndGetBackfill(*ctx_.state, record_.id);
    return rec.ok() && *rec && (*rec)->status == BackfillStatus::kAborting;
  };
  if (queue) {
    BackfillQueueHooks qhooks;
    qhooks.abandoned = [this] { return heartbeat_->lost(); };
    qhooks.stop_requested = stop_requested;
    qhooks.date_ended = [this](const BackfillDateOutcome& o) { DateEnded(o); };
    qhooks.tick = [this](int running, int live_workers) {
      {
        std::lock_guard lock(mu_);
        progress_state_.running = running;
        progress_state_.live_workers = live_workers;
      }
      Report(nullptr);
    };
    RUNLAKE_ASSIGN_OR_RAISE(BackfillPoolResult pool,
                            RunBackfillQueued(*ctx_.state, record_, queued, concurrency, qhooks));
    return Conclude(canary_only, todo, warnings, pool);
  }

  BackfillPoolHooks hooks;
  hooks.run_date = [this](const std::string& date, const std::function<bool()>& cancelled) {
    RunDate(date, cancelled);
  };
  hooks.stop_requested = stop_requested;
  hooks.daily_running = [this] { return DailyRunning(); };
  hooks.tick = [this](int) { Report(nullptr); };
  // A --one-run backfill is one unit of work: its first date stands for every date.
  std::vector<std::string> units = todo;
  if (one_run_ && units.size() > 1) units.resize(1);
  BackfillPoolResult pool = RunBackfillPool(units, concurrency, hooks);
  return Conclude(canary_only, todo, warnings, pool);
}

Result<BackfillReport> Controller::Conclude(bool canary_only, const std::vector<std::string>& todo,
                                            const std::vector<std::string>& warnings,
                                            const BackfillPoolResult& pool) {
  std::string canary_date = canary_only && !todo.empty() ? todo.front() : "";
  RUNLAKE_ASSIGN_OR_RAISE(BackfillReport report, Finish(canary_date, pool.stopped));
  for (auto& o : report.dates) {
    o.ran_now = std::find(todo.begin(), todo.end(), o.date) != todo.end() && o.status != "PENDING";
  }
  report.warnings.insert(report.warnings.begin(), warnings.begin(), warnings.end());
  report.rows_read = progress_state_.rows;
  report.seconds = std::chrono::duration<double>(Clock::now() - started_).count();
  report.max_parallel = pool.max_parallel;
  return report;
}

// Daily executions are those that publish themselves: the one test (PublishesItself) that
// also decides whether a run publishes, never a second guess from names here.
int Controller::DailyRunning() {
  ExecutionFilter filter;
  filter.status = ExecutionStatus::kRunning;
  auto running = ReapAndListExecutions(*ctx_.state, filter);
  if (!running.ok()) return 0;
  int daily = 0;
  for (const auto& r : *running) {
    auto input = ParseExecutionInput(r.input_json, "execution " + r.name);
    // An execution whose input cannot be read is counted too: the safe side of a quota.
    daily += !input.ok() || PublishesItself(*input, r.run_id);
  }
  return daily;
}

void Controller::RunDate(const std::string& date, const std::function<bool()>& cancelled) {
  // Lost to another controller: it runs the dates now, and must not meet a second attempt.
  if (heartbeat_->lost()) return;
  std::vector<BackfillDate> dates;
  {
    std::lock_guard lock(mu_);
    for (const auto& x : record_.dates) {
      if (one_run_ || x.date == date) dates.push_back(x);
    }
    progress_state_.running += static_cast<int>(dates.size());
  }
  if (dates.empty()) return;
  auto outcome = StartAttempt(&dates, cancelled);
  if (!outcome.ok() && !dates.front().execution.empty()) {
    // The execution may exist and be left RUNNING by the error; fail it so resume retries.
    (void)ctx_.state->FinishExecution(dates.front().execution, ExecutionStatus::kFailed,
                                      "StartFailed", outcome.status().ToString(), json());
  }
  for (const auto& d : dates) {
    int64_t rows = 0;  // DateEnded counts the rows from the outcome's figures
    BackfillDateOutcome o = DateOutcomeOf(d, outcome, &rows);
    {
      std::lock_guard lock(mu_);
      for (auto& x : record_.dates) {
        if (x.date == d.date) x = d;
      }
      --progress_state_.running;
    }
    DateEnded(o);
  }
}

void Controller::DateEnded(const BackfillDateOutcome& o) {
  std::lock_guard lock(mu_);
  if (o.status == "SUCCEEDED") {
    ++progress_state_.done;
  } else {
    ++progress_state_.failed;
  }
  if (o.after.is_object()) progress_state_.rows += o.after.value("input_rows", int64_t{0});
  progress_state_.elapsed_seconds = std::chrono::duration<double>(Clock::now() - started_).count();
  if (progress_) progress_(progress_state_, &o);
}

// The runbook's input JSON (backfill_task.h); a --one-run attempt lists every date's
// bronze in s3_keys instead of s3_key.
std::string Controller::InputOf(const std::vector<BackfillDate>& dates) const {
  if (!one_run_) return BackfillAttemptInput(record_, dates.front(), ctx_.lake_bucket);
  json input = json::parse(BackfillAttemptInput(record_, dates.front(), ctx_.lake_bucket));
  json keys = json::array();
  for (const auto& d : dates) keys.push_back(d.source_key);
  input.erase("s3_key");
  input["s3_keys"] = keys;
  return input.dump(2) + "\n";
}

Result<ExecutionOutcome> Controller::StartAttempt(std::vector<BackfillDate>* dates,
                                                  const std::function<bool()>& cancelled) {
  BackfillDate lead = dates->front();
  RUNLAKE_ASSIGN_OR_RAISE(Need need, Assess(ctx_, lead));
  if (need == Need::kNextAttempt) {
    ++lead.attempts;
    lead.run_id = one_run_ ? BackfillRangeRunId(record_.from_date, record_.to_date, record_.stamp,
                                                lead.attempts)
                           : BackfillRunId(lead.date, record_.stamp, lead.attempts);
    lead.execution = one_run_ ? BackfillRangeExecutionName(record_.id, record_.from_date,
                                                           record_.to_date, lead.attempts)
                              : BackfillExecutionName(record_.id, lead.date, lead.attempts);
  }
  // Recorded before the execution starts: a crash in between leaves a named attempt that
  // resume starts under the same name (kSameAttempt), never a lost one. Dates of one run
  // take the lead date's attempt (a crash between two of these records is repaired here).
  for (auto& d : *dates) {
    bool changed = d.attempts != lead.attempts || d.run_id != lead.run_id ||
                   d.execution != lead.execution;
    d.attempts = lead.attempts;
    d.run_id = lead.run_id;
    d.execution = lead.execution;
    if (changed) RUNLAKE_RETURN_NOT_OK(ctx_.state->RecordBackfillAttempt(record_.id, d));
  }
  StartRequest req;
  req.input_json = InputOf(*dates);  // byte-identical on every resume: idempotent
  req.input_origin = "backfill " + record_.id;
  req.name = lead.execution;
  req.rules = rules_;
  req.max_attempts = record_.options.max_attempts;
  req.contract = RunContractChoice{record_.options.contract_revision, record_.options.contract_text,
                                   record_.options.contract_origin};
  req.publish = false;  // a backfill is published only by promote
  req.cancelled = cancelled;
  // RunExecution retries transient failures of the run itself; this covers the state
  // store failing to start or finish the execution (a busy database, say).
  RetryPolicy policy{req.max_attempts, std::chrono::milliseconds(200), std::chrono::milliseconds(12800)};
  return Retry(policy, [&] { return RunExecution(ctx_, req); });
}

void Controller::Report(const BackfillDateOutcome* finished) {
  std::lock_guard lock(mu_);
  progress_state_.elapsed_seconds = std::chrono::duration<double>(Clock::now() - started_).count();
  if (progress_) progress_(progress_state_, finished);
}

Result<BackfillReport> Controller::Finish(const std::string& canary_date, bool stopped) {
  RUNLAKE_ASSIGN_OR_RAISE(auto current, ReapAndGetBackfill(*ctx_.state, record_.id));
  if (!current) return Status::NotFound("backfill '" + record_.id + "' vanished from the state store");
  RUNLAKE_ASSIGN_OR_RAISE(BackfillReport report,
                          BuildBackfillReport(*ctx_.store, *ctx_.state, *current));
  if (heartbeat_ != nullptr && heartbeat_->lost()) {
    // Its status now belongs to whoever reaped or claimed it: neither conclude nor promote.
    report.warnings.push_back("this controller lost backfill " + record_.id +
                              " (its heartbeat went stale, or another controller claimed it): "
                              "its status was left alone");
    return report;
  }
  bool stopping = stopped || current->status == BackfillStatus::kAborting;
  bool all_ok = report.succeeded == static_cast<int>(report.dates.size());
  json result = current->result.is_object() ? current->result : json::object();
  BackfillStatus final_status;
  if (stopping) {
    final_status = BackfillStatus::kAborted;
  } else if (!canary_date.empty()) {
    // The canary ran: the operator looks at its comparison before the rest runs (or,
    // for a one-date backfill, before it is promoted). A failed canary is FAILED.
    final_status = BackfillStatus::kFailed;
    for (const auto& d : report.dates) {
      if (d.date != canary_date || d.status != "SUCCEEDED") continue;
      final_status = BackfillStatus::kPaused;
      auto diff = CanaryDiff(*ctx_.store, d);
      if (diff.ok()) report.canary_diff = *diff;
      else report.warnings.push_back("canary diff: " + diff.status().message());
    }
  } else {
    final_status = all_ok ? BackfillStatus::kSucceeded : BackfillStatus::kFailed;
    bool requested = record_.options.promote;
    bool already = result.contains("promotion") && result["promotion"].value("promoted", false);
    if (requested && !already) {
      result["promotion"] = PromoteBackfill(*ctx_.store, report, record_.options.reason);
    } else if (!requested) {
      result["promotion"] = {{"requested", false}, {"promoted", false},
                             {"reason", "not requested: `runlake promote` the run_ids, or "
                                        "resume with promotion"}};
    }
  }
  result["succeeded"] = report.succeeded;
  result["failed"] = report.failed;
  result["aborted"] = report.aborted;
  result["pending"] = report.pending;
  RUNLAKE_ASSIGN_OR_RAISE(
      bool moved, ctx_.state->TransitionBackfill(
                      record_.id, {BackfillStatus::kRunning, BackfillStatus::kAborting},
                      final_status, result));
  if (!moved) report.warnings.push_back("backfill status changed under this controller");
  RUNLAKE_ASSIGN_OR_RAISE(auto after, ReapAndGetBackfill(*ctx_.state, record_.id));
  if (after) report.record = *after;
  report.promotion = result.value("promotion", json());
  return report;
}

// The contract the backfill's dates use, checked now (a bad file, a revision that does not
// exist or lacks the schema version: nothing is started) and pinned: "the newest" becomes
// the newest revision's number, so a revision applied while the backfill runs or before a
// resume does not change what its dates use.
Result<RunContractChoice> PinContract(ObjectStore& store, const BackfillPlan& plan,
                                      RunContractChoice choice) {
  RUNLAKE_ASSIGN_OR_RAISE(auto resolved,
                          ResolveRunContract(store, plan.dataset, plan.schema_version, choice));
  if (choice.text.empty() && resolved) choice.revision = resolved->revision;
  return choice;
}

int DefaultConcurrency(int requested) {
  if (requested > 0) return requested;
  unsigned cores = std::thread::hardware_concurrency();
  return cores == 0 ? 1 : static_cast<int>(cores);
}

}  // namespace

Result<BackfillReport> StartBackfill(const ExecutionContext& ctx, const BackfillRunRequest& req,
                                     const BackfillProgressFn& progress) {
  Rules rules = Rules::Defaults();
  if (!req.rules_text.empty()) {
    RUNLAKE_ASSIGN_OR_RAISE(rules, ParseRules(req.rules_text, req.rules_origin));
  }
  RUNLAKE_ASSIGN_OR_RAISE(BackfillPlan plan, PlanBackfill(*ctx.store, *ctx.state, req.plan));
  if (plan.one_run && req.canary) {
    return Status::InvalidArgument(
        "--canary runs the first date alone, --one-run runs the range as one run: choose one");
  }
  if (!plan.problem_dates.empty()) {
    return Status::NotFound("cannot backfill " + req.plan.from + ".." + req.plan.to + ": " +
                            DescribeProblems(plan) + " (nothing was started)");
  }
  BackfillRecord record;
  record.stamp = plan.stamp;
  record.dataset = plan.dataset;
  record.from_date = plan.from;
  record.to_date = plan.to;
  record.status = BackfillStatus::kRunning;
  BackfillOptions& o = record.options;
  for (const auto& d : plan.dates) {
    record.dates.push_back(BackfillDate{d.date, d.source_key, 0, "", ""});
    if (!d.canonical_run_id.empty()) o.canonical[d.date] = d.canonical_run_id;
  }
  o.concurrency = DefaultConcurrency(req.concurrency);
  o.canary = req.canary;
  o.promote = req.promote;
  o.reason = req.reason;
  o.schema_version = plan.schema_version;
  o.bronze_run = req.plan.bronze_run;
  o.max_attempts = req.max_attempts;
  o.rules_hash = rules.hash;
  o.one_run = plan.one_run;
  o.queue = req.queue;
  if (!req.rules_text.empty()) {
    o.rules_text = req.rules_text;
    o.rules_origin = req.rules_origin;
  }
  RUNLAKE_ASSIGN_OR_RAISE(RunContractChoice contract, PinContract(*ctx.store, plan, req.contract));
  o.contract_revision = contract.revision;
  o.contract_text = contract.text;
  o.contract_origin = contract.origin;
  // Another backfill may hold this second's stamp: take the next free one.
  for (int tries = 0;; ++tries) {
    record.id = BackfillId(record.from_date, record.to_date, record.stamp);
    Status created = ctx.state->CreateBackfill(record);
    if (created.ok()) break;
    if (!created.IsAlreadyExists() || tries >= 100) return created;
    record.stamp = NextStamp(record.stamp);
  }
  RUNLAKE_ASSIGN_OR_RAISE(auto stored, ReapAndGetBackfill(*ctx.state, record.id));
  if (!stored) return Status::Internal("backfill '" + record.id + "' was not stored");
  Controller controller(ctx, *stored, rules, progress);
  RUNLAKE_ASSIGN_OR_RAISE(BackfillReport report, controller.Execute(req.canary, o.concurrency, req.queue));
  for (const auto& id : plan.overlapping_backfills) {
    report.warnings.push_back("overlaps backfill " + id + " on some dates");
  }
  return report;
}

Result<BackfillReport> ResumeBackfill(const ExecutionContext& ctx, const std::string& id,
                                      const BackfillProgressFn& progress, int concurrency,
                                      bool queue) {
  RUNLAKE_ASSIGN_OR_RAISE(auto existing, ReapAndGetBackfill(*ctx.state, id));
  if (!existing) return Status::NotFound("no backfill '" + id + "'");
  json promotion = existing->result.is_object() ? existing->result.value("promotion", json()) : json();
  bool promote_pending = existing->options.promote &&
                         !(promotion.is_object() && promotion.value("promoted", false));
  if (existing->status == BackfillStatus::kSucceeded && !promote_pending) {
    RUNLAKE_ASSIGN_OR_RAISE(auto report, BuildBackfillReport(*ctx.store, *ctx.state, *existing));
    report.warnings.push_back("backfill " + id + " already SUCCEEDED: nothing to resume");
    return report;
  }
  RUNLAKE_ASSIGN_OR_RAISE(Rules rules, RulesOf(existing->options));
  RUNLAKE_ASSIGN_OR_RAISE(BackfillRecord claimed, ctx.state->ClaimBackfill(id));
  int workers = concurrency > 0 ? concurrency : existing->options.concurrency;
  Controller controller(ctx, claimed, rules, progress);
  return controller.Execute(claimed.options.canary, DefaultConcurrency(workers),
                            queue || claimed.options.queue);
}

}  // namespace runlake
