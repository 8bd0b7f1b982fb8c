#include "orchestrate/execution_runner.h"

#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "common/clock.h"
#include "common/json_duplicates.h"
#include "orchestrate/exec_log.h"
#include "orchestrate/execution_heartbeat.h"
#include "orchestrate/execution_recovery.h"
#include "orchestrate/execution_stop.h"
#include "runlake/layout.h"
#include "runlake/canonical_table.h"
#include "runlake/promote.h"
#include "runlake/run.h"
#include "state/process_liveness.h"

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
    case StatusCode::kIOError: return "TransientError";
    case StatusCode::kAborted: return "Aborted";
    default: return "States.TaskFailed";
  }
}

// Only storage trouble is worth retrying; bad data fails the same way every time.
bool IsTransient(const Status& st) { return st.IsIOError(); }

std::chrono::milliseconds Backoff(int attempt) {
  static thread_local std::mt19937 rng{std::random_device{}()};
  int base = 200 * (1 << std::min(attempt, 6));
  return std::chrono::milliseconds(base / 2 + std::uniform_int_distribution<int>(0, base / 2)(rng));
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
  RUNLAKE_ASSIGN_OR_RAISE(auto now, state.GetExecution(rec.name));
  if (!now) return Status::NotFound("execution '" + rec.name + "' disappeared");
  return *now;
}

// Polls an execution started elsewhere until it ends. The store reaps executions whose
// process died, so this cannot wait forever on a dead worker of this host.
Result<ExecutionRecord> WaitUntilEnded(StateStore& state, ExecutionRecord rec) {
  while (rec.status == ExecutionStatus::kRunning) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    RUNLAKE_ASSIGN_OR_RAISE(auto now, state.GetExecution(rec.name));
    if (!now) return Status::NotFound("execution '" + rec.name + "' disappeared");
    rec = *now;
  }
  return rec;
}

}  // namespace

bool IsBackfillExecution(const ExecutionInput& input, const std::string& run_id) {
  return input.trigger_source == "manual_backfill" || input.trigger_source == "backfill" ||
         run_id.rfind("backfill-", 0) == 0;
}

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

Result<ExecutionOutcome> RunExecution(const ExecutionContext& ctx, const StartRequest& request) {
  if (!request.name.empty()) RUNLAKE_RETURN_NOT_OK(ValidateExecutionName(request.name));
  RUNLAKE_ASSIGN_OR_RAISE(ExecutionInput input,
                          ParseExecutionInput(request.input_json, request.input_origin));
  if (!ctx.lake_bucket.empty() && !input.s3_bucket.empty() && input.s3_bucket != ctx.lake_bucket) {
    return Status::InvalidArgument(request.input_origin + ": s3_bucket '" + input.s3_bucket +
                                   "' is not the lake's bucket '" + ctx.lake_bucket + "'");
  }
  // Without a run_key the run_id is the UTC second; two starts in one second get a
  // suffix instead of colliding (as bronze ingest does).
  const bool generated = input.run_key.empty() && request.run_id.empty();
  std::string run_id = !request.run_id.empty() ? request.run_id
                       : generated             ? NowRunIdTimestamp()
                                               : input.run_key;
  // A key that names nothing would end a FAILED execution under this name, and the name
  // could then never run the corrected input: refused before anything is recorded.
  for (const auto& key : input.s3_keys) {
    RUNLAKE_ASSIGN_OR_RAISE(auto found, ctx.store->Head(key));
    if (!found) {
      return Status::InvalidArgument(request.input_origin + ": s3_key '" + EscapeForMessage(key) +
                                     "' is not in the lake (nothing started; `runlake bronze list` shows what is)");
    }
  }
  ExecutionRecord proposed;
  proposed.input_json = request.input_json;
  Result<StartOutcome> started = Status::Internal("not started");
  for (int attempt = 0;; ++attempt) {
    proposed.run_id = attempt == 0 ? run_id : run_id + "-" + std::to_string(attempt);
    proposed.name = request.name.empty() ? proposed.run_id : request.name;
    started = ctx.state->StartExecution(proposed);
    bool retry = generated && request.name.empty() && attempt < 100 &&
                 (started.ok() ? !started->created : started.status().IsAlreadyExists());
    if (!retry) break;
  }
  if (started.status().IsAlreadyExists()) {
    return Status::AlreadyExists(started.status().message() + ": run this input under another name with --name NAME");
  }
  RUNLAKE_RETURN_NOT_OK(started.status());
  run_id = proposed.run_id;
  ExecutionOutcome outcome;
  outcome.created = started->created;
  outcome.record = started->record;
  if (!started->created) {
    // Idempotent start: report the existing execution, once it has ended (`run` waits).
    if (RunningHere::Orphaned(outcome.record)) {
      RUNLAKE_ASSIGN_OR_RAISE(outcome.record, EndOrphan(*ctx.state, outcome.record));
    }
    RUNLAKE_ASSIGN_OR_RAISE(outcome.record, WaitUntilEnded(*ctx.state, outcome.record));
    RUNLAKE_ASSIGN_OR_RAISE(outcome.record, RecoverLostExecution(ctx, outcome.record));
    return outcome;
  }

  const std::string& name = outcome.record.name;
  RunningHere running_here(name);
  // Renewed until this function returns: the execution ends (or is reaped) before that.
  ExecutionHeartbeat heartbeat(*ctx.state, name);
  RUNLAKE_ASSIGN_OR_RAISE(auto log, ExecutionLog::Open(ctx.log_dir, name, run_id, ctx.state));
  log->Info("execution started", json{{"s3_key", input.s3_key}, {"s3_keys", input.s3_keys},
                                      {"schema_version", input.schema_version},
                                      {"trigger_source", input.trigger_source}});
  RunRequest run;
  run.run_id = run_id;
  run.source_keys = input.s3_keys;
  run.schema_version = input.schema_version;
  if (request.rules) run.rules = *request.rules;
  run.execution_name = name;
  run.execution_arn = outcome.record.arn;
  run.trigger_source = input.trigger_source;
  run.trigger_event_id = input.trigger_event_id;
  run.s3_bucket = input.s3_bucket;
  run.progress = request.progress;
  // A stop from another process is seen through the store (execution_stop.h): between
  // batches a second's delay is enough; before the commit the store is always read.
  auto last_check = std::chrono::steady_clock::now();
  bool stopped_in_store = false;
  run.cancelled = [&]() {
    if (request.cancelled && request.cancelled()) return true;
    if (!stopped_in_store && std::chrono::steady_clock::now() - last_check > std::chrono::seconds(1)) {
      last_check = std::chrono::steady_clock::now();
      auto asked = StopRequested(*ctx.state, name);
      stopped_in_store = asked.ok() && *asked;
    }
    return stopped_in_store;
  };
  run.before_commit = [&]() -> Status {
    // Reaped as stale while it ran: another process may already be retrying this input.
    if (heartbeat.lost()) {
      return Status::Aborted("execution " + name + " was reaped (its heartbeat went stale) before the commit");
    }
    RUNLAKE_ASSIGN_OR_RAISE(bool asked, StopRequested(*ctx.state, name));
    if (asked) return Status::Aborted("run " + run_id + " was stopped before its commit");
    if (request.before_commit) RUNLAKE_RETURN_NOT_OK(request.before_commit());
    if (request.after_last_stop_check) request.after_last_stop_check();
    return Status::OK();
  };
  RunLogger logger = [&](const std::string& level, const std::string& msg, const json& extra) {
    if (level == "METRIC") {
      log->Metric(extra.value("metric_name", msg), extra.value("metric_value", 0.0));
    } else if (level == "WARN") {
      log->Warn(msg, extra);
    } else if (level == "ERROR") {
      log->Error(msg, extra);
    } else {
      log->Info(msg, extra);
    }
  };

  json transform = {{"state", "Transform"}};
  // What a late publish checks if this process dies after the commit (execution_recovery.h).
  if (!IsBackfillExecution(input, run_id)) transform[kCanonicalAtStartKey] = CanonicalAtStart(*ctx.store, input);
  (void)ctx.state->AppendEvent(name, "TaskStateEntered", transform);
  Result<RunManifest> result = Status::Internal("not run");
  for (int attempt = 1;; ++attempt) {
    result = ExecuteRun(*ctx.store, run, logger);
    if (result.ok() || !IsTransient(result.status()) || attempt >= request.max_attempts) break;
    auto wait = Backoff(attempt);
    log->Warn("transient failure, retrying", json{{"attempt", attempt}, {"error", result.status().ToString()},
                                                  {"backoff_ms", wait.count()}});
    (void)ctx.state->AppendEvent(name, "TaskRetry", json{{"attempt", attempt},
                                                          {"error", result.status().ToString()}});
    std::this_thread::sleep_for(wait);
  }

  // Test hook: die like a killed process right after the commit point, before the
  // publish and the execution's end (tests of execution_recovery.h).
  if (result.ok() && std::getenv("RUNLAKE_TEST_EXIT_AFTER_COMMIT")) _exit(137);
  if (!result.ok()) {
    outcome.error = result.status();
    log->Error("execution failed: " + outcome.error.message(), json{{"cause", CauseFor(outcome.error)}});
    (void)ctx.state->AppendEvent(name, "TaskFailed", json{{"state", "Transform"},
                                                          {"error", outcome.error.message()}});
    auto final_status = outcome.error.code() == StatusCode::kAborted ? ExecutionStatus::kAborted
                                                                     : ExecutionStatus::kFailed;
    log->Flush();  // whoever sees the execution ended sees its lines
    RUNLAKE_RETURN_NOT_OK(ctx.state->FinishExecution(name, final_status, CauseFor(outcome.error),
                                                     outcome.error.message(), json()));
  } else {
    outcome.manifest = *result;
    const RunManifest& m = *outcome.manifest;
    json summary = {{"run_id", m.run_id}, {"metrics", MetricsToJson(m.metrics)},
                    {"quality_gate", {{"passed", m.gate.passed}, {"reasons", m.gate.reasons}}}};
    (void)ctx.state->AppendEvent(name, "TaskSucceeded", json{{"state", "Transform"}, {"output", summary}});
    // A stop that came after the last check found the run committed: too late to abort.
    auto late_stop = StopRequested(*ctx.state, name);
    if (late_stop.ok() && *late_stop) {
      log->Warn("a stop request arrived after the run committed; the execution completes");
      (void)ctx.state->AppendEvent(name, kStopIgnoredEvent,
                                   json{{"reason", "the run had committed before the stop was seen"},
                                        {"run_id", m.run_id}});
    }
    if (m.gate.passed && IsBackfillExecution(input, run_id)) {
      log->Info("execution succeeded; a backfill is published only by promote", summary);
      log->Flush();  // whoever sees the execution ended sees its lines
      RUNLAKE_RETURN_NOT_OK(
          ctx.state->FinishExecution(name, ExecutionStatus::kSucceeded, "", "", summary));
    } else if (m.gate.passed) {
      // A daily run publishes itself: its sources now point at it, in one new version.
      (void)ctx.state->AppendEvent(name, "TaskStateEntered", json{{"state", "Publish"}});
      PromoteRequest publish;
    publish.after_commit = PublishCanonicalTable;
      publish.run_ids = {m.run_id};
      publish.action = "publish";
      publish.execution = name;
      publish.reason = "daily execution " + name;
      // The run is committed: a transient storage error must not cost it its publish, so
      // the publish retries like the run does (the fault sweep's IOError at the pointer
      // log's put ended such executions FAILED with their run committed).
      auto published = Promote(*ctx.store, publish);
      for (int attempt = 1; !published.ok() && IsTransient(published.status()) &&
                            attempt < request.max_attempts;
           ++attempt) {
        auto wait = Backoff(attempt);
        log->Warn("transient failure publishing, retrying",
                  json{{"attempt", attempt}, {"error", published.status().ToString()},
                       {"backoff_ms", wait.count()}});
        std::this_thread::sleep_for(wait);
        published = Promote(*ctx.store, publish);
      }
      if (!published.ok()) {
        outcome.error = published.status();
        log->Error("publish failed: " + outcome.error.message());
        log->Flush();  // whoever sees the execution ended sees its lines
        RUNLAKE_RETURN_NOT_OK(ctx.state->FinishExecution(name, ExecutionStatus::kFailed, "PublishFailed",
                                                         outcome.error.message(), summary));
      } else {
        int64_t version = published->version ? published->version->version : 0;
        summary["pointer_version"] = version;
        (void)ctx.state->AppendEvent(name, "TaskSucceeded", json{{"state", "Publish"}, {"pointer_version", version}});
        log->Info("published as silver pointer version " + std::to_string(version), summary);
        log->Info("execution succeeded", summary);
        log->Flush();  // whoever sees the execution ended sees its lines
        RUNLAKE_RETURN_NOT_OK(
            ctx.state->FinishExecution(name, ExecutionStatus::kSucceeded, "", "", summary));
      }
    } else {
      std::string reasons;
      for (const auto& r : m.gate.reasons) reasons += (reasons.empty() ? "" : "; ") + r;
      log->Error("quality gate failed: " + reasons, summary);
      log->Flush();  // whoever sees the execution ended sees its lines
      RUNLAKE_RETURN_NOT_OK(ctx.state->FinishExecution(name, ExecutionStatus::kFailed,
                                                       "QualityGateFailed", reasons, summary));
    }
  }
  RUNLAKE_ASSIGN_OR_RAISE(auto finished, ctx.state->GetExecution(name));
  if (finished) outcome.record = *finished;
  return outcome;
}

}  // namespace runlake
