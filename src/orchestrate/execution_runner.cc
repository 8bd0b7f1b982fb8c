#include "runlake/execution_runner.h"

#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <set>
#include <thread>

#include "runlake/clock.h"
#include "common/json_duplicates.h"
#include "common/retry.h"
#include "common/test_hooks.h"
#include "runlake/exec_log.h"
#include "orchestrate/execution_finish.h"
#include "orchestrate/execution_heartbeat.h"
#include "runlake/execution_recovery.h"
#include "runlake/execution_stop.h"
#include "runlake/layout.h"
#include "runlake/run.h"
#include "state/process_liveness.h"
#include "runlake/reaping_reads.h"

namespace runlake {
namespace {

using nlohmann::json;

// Step Functions-style error names for the cause field.
std::string CauseFor(const Status& st) {
  switch (st.code()) {
    case StatusCode::kInvalidArgument: return "ValidationError";
    case StatusCode::kNotFound: return "BronzeNotFound";
    case StatusCode::kAlreadyExists: return "RunIdExists";
    case StatusCode::kCorruption: return "CorruptInput";
    case StatusCode::kUnavailable: return "TransientError";  // still failing after its retries
    case StatusCode::kIOError: return "IOError";
    case StatusCode::kResourceExhausted: return "ResourceExhausted";
    case StatusCode::kAborted: return "Aborted";
    default: return "States.TaskFailed";
  }
}

int LineOfOffset(const std::string& text, size_t offset) {
  int line = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) line += text[i] == '\n';
  return line;
}

// The executions this process is running now: RunExecution's, from their start until it
// returns. A RUNNING record of this process that is not among them was left RUNNING here
// when the state store failed to record its end (FinishExecution erred): nobody runs it
// and, this process being alive, no reaper will end it (the state fault sweep found a
// backfill retrying such an attempt that waited on it forever).
class RunningHere {
 public:
  explicit RunningHere(std::string name) : name_(std::move(name)) {
    std::lock_guard lock(mu());
    names().insert(name_);
  }
  ~RunningHere() {
    std::lock_guard lock(mu());
    names().erase(name_);
  }
  RunningHere(const RunningHere&) = delete;
  RunningHere& operator=(const RunningHere&) = delete;

  static bool Orphaned(const ExecutionRecord& rec) {
    if (rec.status != ExecutionStatus::kRunning || rec.pid != ::getpid() || rec.host != LocalHostName()) {
      return false;
    }
    std::lock_guard lock(mu());
    return names().count(rec.name) == 0;
  }

 private:
  static std::mutex& mu() {
    static std::mutex m;
    return m;
  }
  static std::set<std::string>& names() {
    static std::set<std::string> s;
    return s;
  }
  std::string name_;
};

// Ends an execution this process left RUNNING (RunningHere::Orphaned) as the reaper ends a
// dead worker's, so that what it committed is finished like any lost execution's.
Result<ExecutionRecord> EndOrphan(StateStore& state, const ExecutionRecord& rec) {
  RUNLAKE_RETURN_NOT_OK(state.FinishExecution(
      rec.name, ExecutionStatus::kFailed, "WorkerLost",
      "this process started it and could not record its end (the state store failed)", json()));
  RUNLAKE_ASSIGN_OR_RAISE(auto now, ReapAndGetExecution(state, rec.name));
  if (!now) return Status::NotFound("execution '" + rec.name + "' disappeared");
  return *now;
}

// Polls an execution started elsewhere until it ends. The store reaps executions whose
// process died, so this cannot wait forever on a dead worker of this host.
Result<ExecutionRecord> WaitUntilEnded(StateStore& state, ExecutionRecord rec) {
  while (rec.status == ExecutionStatus::kRunning) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    RUNLAKE_ASSIGN_OR_RAISE(auto now, ReapAndGetExecution(state, rec.name));
    if (!now) return Status::NotFound("execution '" + rec.name + "' disappeared");
    rec = *now;
  }
  return rec;
}

}  // namespace


// YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM), the form EventBridge writes, with a
// real calendar date and time of day.
static bool IsIso8601Time(const std::string& t) {
  int y, mo, d, h, mi, sec, n = 0;
  if (t.size() < 20 || std::sscanf(t.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 ||
      n != 19 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':') {
    return false;
  }
  if (!ValidateDate(t.substr(0, 10)).ok() || h > 23 || mi > 59 || sec > 60) return false;
  size_t i = 19;
  if (t[i] == '.') {
    size_t digits = 0;
    while (++i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++digits;
    if (digits == 0) return false;
  }
  std::string zone = t.substr(i);
  if (zone == "Z") return true;
  int zh, zm, m = 0;
  return zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':' &&
         std::sscanf(zone.c_str() + 1, "%2d:%2d%n", &zh, &zm, &m) == 2 && m == 5 && zh <= 23 && zm <= 59;
}

Result<ExecutionInput> ParseExecutionInput(const std::string& text, const std::string& origin) {
  // The input is stored with the execution (and its task and events): a runbook input is a
  // few hundred bytes, so anything past the cap is a mistake, not an input.
  if (text.size() > kMaxInputJsonBytes) {
    return Status::InvalidArgument(origin + ": the input JSON is " + std::to_string(text.size()) +
                                   " bytes; at most " + std::to_string(kMaxInputJsonBytes) + " (1 MiB)");
  }
  // Parsed without exceptions first: a number too big for a double (1E999) is an
  // out_of_range that the throwing parser let escape to std::terminate here (found by
  // tests/fuzz/json_readers_fuzz). Only a syntax error is parsed again, for its line.
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    std::string why = "a number is too large";
    try {
      (void)json::parse(text);
    } catch (const json::parse_error& e) {
      return Status::InvalidArgument(origin + ": line " + std::to_string(LineOfOffset(text, e.byte)) +
                                     ": not valid JSON (" + e.what() + ")");
    } catch (const std::exception& e) {
      why = e.what();
    }
    return Status::InvalidArgument(origin + ": not valid JSON (" + why + ")");
  }
  if (!j.is_object()) return Status::InvalidArgument(origin + ": the input must be a JSON object");
  if (auto dup = FirstDuplicateKey(text)) {
    return Status::InvalidArgument(origin + ": field '" + *dup + "' appears twice (which one was meant?)");
  }
  ExecutionInput in;
  auto field = [&](const char* name, std::string* out, bool required) -> Status {
    if (!j.contains(name)) {
      if (required) return Status::InvalidArgument(origin + ": missing required field '" + name + "'");
      return Status::OK();
    }
    if (j[name].is_null()) {
      return Status::InvalidArgument(origin + ": field '" + name + "' is null: give a string, or leave the field out");
    }
    if (!j[name].is_string()) return Status::InvalidArgument(origin + ": field '" + name + "' must be a string");
    *out = j[name].get<std::string>();
    return Status::OK();
  };
  RUNLAKE_RETURN_NOT_OK(field("s3_key", &in.s3_key, !j.contains("s3_keys")));
  RUNLAKE_RETURN_NOT_OK(field("run_key", &in.run_key, false));
  if (j.contains("run_key") && j["run_key"].is_string()) {
    // An empty run_key would silently become a generated one: say so instead.
    if (in.run_key.empty()) {
      return Status::InvalidArgument(origin + ": field 'run_key' is empty (leave it out for a generated run_id)");
    }
    RUNLAKE_RETURN_NOT_OK(ValidateRunId(in.run_key).WithContext(origin + ": field 'run_key'"));
  }
  RUNLAKE_RETURN_NOT_OK(field("s3_bucket", &in.s3_bucket, false));
  RUNLAKE_RETURN_NOT_OK(field("schema_version", &in.schema_version, false));
  RUNLAKE_RETURN_NOT_OK(field("trigger_source", &in.trigger_source, false));
  RUNLAKE_RETURN_NOT_OK(field("trigger_event_id", &in.trigger_event_id, false));
  RUNLAKE_RETURN_NOT_OK(field("trigger_event_time", &in.trigger_event_time, false));
  if (!in.trigger_event_time.empty() && !IsIso8601Time(in.trigger_event_time)) {
    return Status::InvalidArgument(origin + ": field 'trigger_event_time' is '" + EscapeForMessage(in.trigger_event_time) +
                                   "', not an ISO-8601 time such as 2026-01-29T15:00:00Z");
  }
  if (in.schema_version.empty()) in.schema_version = "v1";
  if (j.contains("s3_keys")) {
    const json& keys = j["s3_keys"];
    bool strings = keys.is_array() && !keys.empty();
    for (const auto& k : strings ? keys : json::array()) strings &= k.is_string() && !k.get<std::string>().empty();
    if (!strings) {
      return Status::InvalidArgument(origin + ": field 's3_keys' must be a non-empty array of bronze keys");
    }
    for (const auto& k : keys) in.s3_keys.push_back(k.get<std::string>());
  } else {
    in.s3_keys = {in.s3_key};
  }
  // The runbook's keys are relative to the bucket; accept a leading '/' too.
  for (auto& key : in.s3_keys) {
    while (!key.empty() && key.front() == '/') key.erase(0, 1);
  }
  while (!in.s3_key.empty() && in.s3_key.front() == '/') in.s3_key.erase(0, 1);
  if (!in.s3_key.empty() && in.s3_key != in.s3_keys.front()) {
    return Status::InvalidArgument(origin + ": 's3_key' must be the first of 's3_keys' when both are given");
  }
  in.s3_key = in.s3_keys.front();
  return in;
}

Status ValidateExecutionName(const std::string& name) {
  if (name.empty() || name.size() > 256) {
    return Status::InvalidArgument("an execution name is 1 to 256 bytes, not " + std::to_string(name.size()));
  }
  for (char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return Status::InvalidArgument("execution name '" + EscapeForMessage(name) + "' holds a control character");
    }
  }
  return Status::OK();
}

namespace {

// An event is a record for people: the execution goes on without it, and a store that
// cannot append one shows its trouble at the execution's end, which is recorded (and
// whose failure is returned). So this is the one place an event's result is dropped.
void RecordEvent(const ExecutionContext& ctx, const std::string& name, const std::string& type,
                 const json& details) {
  (void)ctx.state->AppendEvent(name, type, details);
}

// What a start needs once its input is read: the input, and the run_id it will use.
struct PreparedStart {
  ExecutionInput input;
  std::string run_id;
  bool generated = false;  // the run_id is this second's: a collision takes a suffix
};

// Step 1a: the input is read and checked before anything is recorded.
Result<PreparedStart> Prepare(const ExecutionContext& ctx, const StartRequest& request) {
  if (!request.name.empty()) RUNLAKE_RETURN_NOT_OK(ValidateExecutionName(request.name));
  PreparedStart p;
  RUNLAKE_ASSIGN_OR_RAISE(p.input, ParseExecutionInput(request.input_json, request.input_origin));
  if (!ctx.lake_bucket.empty() && !p.input.s3_bucket.empty() && p.input.s3_bucket != ctx.lake_bucket) {
    return Status::InvalidArgument(request.input_origin + ": s3_bucket '" + p.input.s3_bucket +
                                   "' is not the lake's bucket '" + ctx.lake_bucket + "'");
  }
  // Without a run_key the run_id is the UTC second; two starts in one second get a
  // suffix instead of colliding (as bronze ingest does).
  p.generated = p.input.run_key.empty() && request.run_id.empty();
  p.run_id = !request.run_id.empty() ? request.run_id : p.generated ? NowRunIdTimestamp() : p.input.run_key;
  // A key that names nothing would end a FAILED execution under this name, and the name
  // could then never run the corrected input: refused before anything is recorded.
  for (const auto& key : p.input.s3_keys) {
    RUNLAKE_ASSIGN_OR_RAISE(auto found, ctx.store->Head(key));
    if (!found) {
      return Status::InvalidArgument(request.input_origin + ": s3_key '" + EscapeForMessage(key) +
                                     "' is not in the lake (nothing started; `runlake bronze list` shows what is)");
    }
  }
  return p;
}

// Step 1b: records the execution, or finds the one of this name and input (idempotent
// start). Fixes p->run_id (a generated one may take a suffix).
Result<ExecutionOutcome> StartOrReuse(const ExecutionContext& ctx, const StartRequest& request, PreparedStart* p) {
  ExecutionRecord proposed;
  proposed.input_json = request.input_json;
  Result<StartOutcome> started = Status::Internal("not started");
  for (int attempt = 0;; ++attempt) {
    proposed.run_id = attempt == 0 ? p->run_id : p->run_id + "-" + std::to_string(attempt);
    proposed.name = request.name.empty() ? proposed.run_id : request.name;
    started = ctx.state->StartExecution(proposed);
    bool retry = p->generated && request.name.empty() && attempt < 100 &&
                 (started.ok() ? !started->created : started.status().IsAlreadyExists());
    if (!retry) break;
  }
  if (started.status().IsAlreadyExists()) {
    return Status::AlreadyExists(started.status().message() + ": run this input under another name with --name NAME");
  }
  RUNLAKE_RETURN_NOT_OK(started.status());
  p->run_id = proposed.run_id;
  ExecutionOutcome outcome;
  outcome.created = started->created;
  outcome.record = started->record;
  return outcome;
}

// An execution that existed already: reported once it has ended (`run` waits), finished
// first when its process died after the commit.
Result<ExecutionOutcome> ReportExisting(const ExecutionContext& ctx, ExecutionOutcome outcome) {
  if (RunningHere::Orphaned(outcome.record)) {
    RUNLAKE_ASSIGN_OR_RAISE(outcome.record, EndOrphan(*ctx.state, outcome.record));
  }
  RUNLAKE_ASSIGN_OR_RAISE(outcome.record, WaitUntilEnded(*ctx.state, outcome.record));
  RUNLAKE_ASSIGN_OR_RAISE(outcome.record, RecoverLostExecution(ctx, outcome.record));
  return outcome;
}

// Step 2: while the execution runs here, its heartbeat and its stop. A stop from another
// process is seen through the store (execution_stop.h): between batches a second's delay
// is enough; before the commit the store is always read.
class Watch {
 public:
  Watch(const ExecutionContext& ctx, const StartRequest& request, const std::string& name)
      : ctx_(ctx), request_(request), name_(name), running_here_(name), heartbeat_(*ctx.state, name) {}

  bool Cancelled() {
    if (request_.cancelled && request_.cancelled()) return true;
    if (!stopped_in_store_ && std::chrono::steady_clock::now() - last_check_ > std::chrono::seconds(1)) {
      last_check_ = std::chrono::steady_clock::now();
      auto asked = StopRequested(*ctx_.state, name_);
      stopped_in_store_ = asked.ok() && *asked;
    }
    return stopped_in_store_;
  }

  Status BeforeCommit(const std::string& run_id) {
    // Reaped as stale while it ran: another process may already be retrying this input.
    if (heartbeat_.lost()) {
      return Status::Aborted("execution " + name_ + " was reaped (its heartbeat went stale) before the commit");
    }
    RUNLAKE_ASSIGN_OR_RAISE(bool asked, StopRequested(*ctx_.state, name_));
    if (asked) return Status::Aborted("run " + run_id + " was stopped before its commit");
    HoldForTests();
    if (request_.before_commit) RUNLAKE_RETURN_NOT_OK(request_.before_commit());
    if (request_.after_last_stop_check) request_.after_last_stop_check();
    return Status::OK();
  }

 private:
  // Test hook: hold the run just before its commit (its files are written, its claim
  // taken), so a signal test lands in the window every time. Ends early when cancelled.
  void HoldForTests() {
    auto hold = test_hooks::HoldBeforeCommit();
    if (hold.count() <= 0) return;
    auto until = std::chrono::steady_clock::now() + hold;
    while (!(request_.cancelled && request_.cancelled()) && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  const ExecutionContext& ctx_;
  const StartRequest& request_;
  const std::string name_;
  RunningHere running_here_;
  ExecutionHeartbeat heartbeat_;  // renewed until the execution has ended here
  std::chrono::steady_clock::time_point last_check_ = std::chrono::steady_clock::now();
  bool stopped_in_store_ = false;
};

RunLogger LoggerFor(ExecutionLog& log) {
  return [&log](const std::string& level, const std::string& msg, const json& extra) {
    if (level == "METRIC") {
      log.Metric(extra.value("metric_name", msg), extra.value("metric_value", 0.0));
    } else if (level == "WARN") {
      log.Warn(msg, extra);
    } else if (level == "ERROR") {
      log.Error(msg, extra);
    } else {
      log.Info(msg, extra);
    }
  };
}

RunRequest RunRequestFor(const PreparedStart& p, const StartRequest& request, const ExecutionRecord& record,
                         Watch& watch) {
  RunRequest run;
  run.run_id = p.run_id;
  run.source_keys = p.input.s3_keys;
  run.schema_version = p.input.schema_version;
  if (request.rules) run.rules = *request.rules;
  run.contract = request.contract;
  run.execution_name = record.name;
  run.execution_arn = record.arn;
  run.trigger_source = p.input.trigger_source;
  run.trigger_event_id = p.input.trigger_event_id;
  run.s3_bucket = p.input.s3_bucket;
  run.progress = request.progress;
  run.cancelled = [&watch] { return watch.Cancelled(); };
  run.before_commit = [&watch, run_id = p.run_id] { return watch.BeforeCommit(run_id); };
  return run;
}

// Records the Transform state with what the end needs if this process dies: whether the
// run publishes itself and, for one that does, each source's canonical run now
// (execution_recovery.h). Returns the latter (nullopt when it could not be read).
std::optional<std::map<std::string, std::string>> EnterTransform(const ExecutionContext& ctx,
                                                                 const StartRequest& request,
                                                                 const PreparedStart& p, const std::string& name) {
  json transform = {{"state", "Transform"}, {kPublishKey, request.publish}};
  std::optional<std::map<std::string, std::string>> expected;
  if (request.publish) {
    json at_start = CanonicalAtStart(*ctx.store, p.input);
    transform[kCanonicalAtStartKey] = at_start;
    if (at_start.is_object()) {
      expected.emplace();
      for (const auto& [source, run] : at_start.items()) (*expected)[source] = run.get<std::string>();
    }
  }
  RecordEvent(ctx, name, "TaskStateEntered", transform);
  return expected;
}

// Step 3: the run, tried again while it fails with a transient error (common/retry.h).
Result<RunManifest> AttemptLoop(const ExecutionContext& ctx, const StartRequest& request, const RunRequest& run,
                                ExecutionLog& log) {
  RunLogger logger = LoggerFor(log);
  RetryPolicy policy{request.max_attempts, std::chrono::milliseconds(200), std::chrono::milliseconds(12800)};
  return Retry(policy, [&] { return ExecuteRun(*ctx.store, run, logger); }, IsTransient,
               [&](int attempt, const Status& error, std::chrono::milliseconds wait) {
                 log.Warn("transient failure, retrying", json{{"attempt", attempt}, {"error", error.ToString()},
                                                              {"backoff_ms", wait.count()}});
                 RecordEvent(ctx, run.execution_name, "TaskRetry", json{{"attempt", attempt}, {"error", error.ToString()}});
               });
}

// Step 4a: a run that did not commit ends the execution FAILED (ABORTED when stopped).
Status FinishUncommitted(const ExecutionContext& ctx, const std::string& name, const Status& error,
                         ExecutionLog& log) {
  log.Error("execution failed: " + error.message(), json{{"cause", CauseFor(error)}});
  RecordEvent(ctx, name, "TaskFailed", json{{"state", "Transform"}, {"error", error.message()}});
  auto final_status = error.code() == StatusCode::kAborted ? ExecutionStatus::kAborted : ExecutionStatus::kFailed;
  log.Flush();  // whoever sees the execution ended sees its lines
  return ctx.state->FinishExecution(name, final_status, CauseFor(error), error.message(), json());
}

// Step 4b: a committed run ends as FinishCommittedRun decides (execution_finish.h).
Status FinishCommitted(const ExecutionContext& ctx, const StartRequest& request, const std::string& name,
                       const RunManifest& m, std::optional<std::map<std::string, std::string>> expected,
                       ExecutionLog& log) {
  const json summary = RunSummary(m);
  RecordEvent(ctx, name, "TaskSucceeded", json{{"state", "Transform"}, {"output", summary}});
  // A stop that came after the last check found the run committed: too late to abort.
  auto late_stop = StopRequested(*ctx.state, name);
  if (late_stop.ok() && *late_stop) {
    log.Warn("a stop request arrived after the run committed; the execution completes");
    RecordEvent(ctx, name, kStopIgnoredEvent,
                                 json{{"reason", "the run had committed before the stop was seen"},
                                      {"run_id", m.run_id}});
  }
  CommittedRun run;
  run.manifest = &m;
  run.execution = name;
  run.publish = request.publish;
  run.expected = std::move(expected);
  run.publish_retry = RetryPolicy{request.max_attempts, std::chrono::milliseconds(200), std::chrono::milliseconds(12800)};
  if (run.publish && m.gate.passed) {
    RecordEvent(ctx, name, "TaskStateEntered", json{{"state", "Publish"}});
  }
  auto end = FinishCommittedRun(*ctx.store, run, [&](int attempt, const Status& error, std::chrono::milliseconds wait) {
    log.Warn("transient failure publishing, retrying",
             json{{"attempt", attempt}, {"error", error.ToString()}, {"backoff_ms", wait.count()}});
  });
  RUNLAKE_RETURN_NOT_OK(end.status());
  if (end->summary.contains("pointer_version") && end->summary.value("published", false)) {
    RecordEvent(ctx, name, "TaskSucceeded",
                                 json{{"state", "Publish"}, {"pointer_version", end->summary["pointer_version"]}});
  }
  if (end->status == ExecutionStatus::kSucceeded) {
    log.Info(end->note, end->summary);
    log.Info("execution succeeded", end->summary);
  } else {
    log.Error(end->cause == "QualityGateFailed" ? "quality gate failed: " + end->error : end->note, end->summary);
  }
  log.Flush();  // whoever sees the execution ended sees its lines
  return ctx.state->FinishExecution(name, end->status, end->cause, end->error, end->summary);
}

}  // namespace

bool PublishesItself(const ExecutionInput& input, const std::string& run_id) {
  return !(input.trigger_source == "manual_backfill" || input.trigger_source == "backfill" ||
           run_id.rfind("backfill-", 0) == 0);
}

Result<ExecutionOutcome> RunExecution(const ExecutionContext& ctx, const StartRequest& request) {
  RUNLAKE_ASSIGN_OR_RAISE(PreparedStart p, Prepare(ctx, request));
  RUNLAKE_ASSIGN_OR_RAISE(ExecutionOutcome outcome, StartOrReuse(ctx, request, &p));
  if (!outcome.created) return ReportExisting(ctx, std::move(outcome));

  const std::string name = outcome.record.name;
  Watch watch(ctx, request, name);
  RUNLAKE_ASSIGN_OR_RAISE(auto log, ExecutionLog::Open(ctx.log_dir, name, p.run_id, ctx.state));
  log->Info("execution started", json{{"s3_key", p.input.s3_key}, {"s3_keys", p.input.s3_keys},
                                      {"schema_version", p.input.schema_version},
                                      {"trigger_source", p.input.trigger_source}});
  RunRequest run = RunRequestFor(p, request, outcome.record, watch);
  auto expected = EnterTransform(ctx, request, p, name);
  Result<RunManifest> result = AttemptLoop(ctx, request, run, *log);
  if (result.ok()) test_hooks::ExitAfterCommit();  // tests of execution_recovery.h
  if (!result.ok()) {
    outcome.error = result.status();
    RUNLAKE_RETURN_NOT_OK(FinishUncommitted(ctx, name, outcome.error, *log));
  } else {
    outcome.manifest = *result;
    RUNLAKE_RETURN_NOT_OK(FinishCommitted(ctx, request, name, *outcome.manifest, std::move(expected), *log));
  }
  RUNLAKE_ASSIGN_OR_RAISE(auto finished, ReapAndGetExecution(*ctx.state, name));
  if (finished) outcome.record = *finished;
  return outcome;
}

}  // namespace runlake
