// Task queue values: status strings, JSON, attempt naming (include/runlake/task_queue.h).

#include "runlake/task_queue.h"

#include <algorithm>

namespace runlake {

const char* ToString(TaskKind kind) { return kind == TaskKind::kDaily ? "daily" : "backfill"; }

Result<TaskKind> ParseTaskKind(const std::string& text) {
  if (text == "daily") return TaskKind::kDaily;
  if (text == "backfill") return TaskKind::kBackfill;
  return Status::InvalidArgument("unknown task kind '" + text + "' (known: daily, backfill)");
}

std::string TaskKindsText(const std::vector<TaskKind>& kinds) {
  std::string out;
  for (TaskKind k : kinds) out += (out.empty() ? "" : ",") + std::string(ToString(k));
  return out;
}

Result<std::vector<TaskKind>> ParseTaskKinds(const std::string& text) {
  std::vector<TaskKind> kinds;
  for (size_t start = 0; start < text.size();) {
    size_t comma = std::min(text.find(',', start), text.size());
    if (comma > start) {
      RUNLAKE_ASSIGN_OR_RAISE(TaskKind k, ParseTaskKind(text.substr(start, comma - start)));
      if (std::find(kinds.begin(), kinds.end(), k) == kinds.end()) kinds.push_back(k);
    }
    start = comma + 1;
  }
  return kinds;
}

const char* ToString(TaskStatus status) {
  switch (status) {
    case TaskStatus::kQueued:
      return "QUEUED";
    case TaskStatus::kRunning:
      return "RUNNING";
    case TaskStatus::kSucceeded:
      return "SUCCEEDED";
    case TaskStatus::kFailed:
      return "FAILED";
    case TaskStatus::kCancelled:
      return "CANCELLED";
  }
  return "FAILED";
}

Result<TaskStatus> ParseTaskStatus(const std::string& text) {
  for (TaskStatus s : {TaskStatus::kQueued, TaskStatus::kRunning, TaskStatus::kSucceeded,
                       TaskStatus::kFailed, TaskStatus::kCancelled}) {
    if (text == ToString(s)) return s;
  }
  return Status::InvalidArgument("unknown task status '" + text + "'");
}

nlohmann::json ToJson(const TaskRecord& t) {
  return {{"id", t.id},
          {"name", t.name},
          {"kind", ToString(t.kind)},
          {"backfill_id", t.backfill_id},
          {"priority", t.priority},
          {"status", ToString(t.status)},
          {"attempts", t.attempts},
          {"max_attempts", t.max_attempts},
          {"execution", t.attempts > 0 ? TaskAttemptName(t.name, t.attempts) : ""},
          {"worker_id", t.worker_id},
          {"lease_expires_at", t.lease_expires_at},
          {"cancel_requested", t.cancel_requested},
          {"enqueued_at", t.enqueued_at},
          {"claimed_at", t.claimed_at},
          {"finished_at", t.finished_at},
          {"error", t.error},
          {"result", t.result}};
}

nlohmann::json ToJson(const WorkerRecord& w) {
  nlohmann::json kinds = nlohmann::json::array();
  for (TaskKind k : w.kinds) kinds.push_back(ToString(k));
  return {{"id", w.id},
          {"host", w.host},
          {"pid", w.pid},
          {"concurrency", w.concurrency},
          {"queues", kinds},
          {"status", w.status},
          {"started_at", w.started_at},
          {"heartbeat_at", w.heartbeat_at},
          {"stopped_at", w.stopped_at},
          {"seconds_since_heartbeat", w.seconds_since_heartbeat}};
}

std::string TaskAttemptName(const std::string& name, int attempt) {
  return attempt <= 1 ? name : name + "#" + std::to_string(attempt);
}

std::string TaskAttemptRunId(const std::string& run_id, int attempt) {
  return attempt <= 1 ? run_id : run_id + "-r" + std::to_string(attempt);
}

}  // namespace runlake
