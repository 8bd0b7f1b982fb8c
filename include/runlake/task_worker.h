#pragma once
// `runlake worker`: a long-running process that registers itself in the state store,
// claims tasks (task_queue.h) with N threads and runs them (task_runner.h), renewing
// their leases and its heartbeat every lease/3 seconds.
//
// Stopping: when stop_requested turns true (SIGTERM/SIGINT) the worker stops claiming
// and lets running tasks finish for up to drain_seconds; then it stops them (their
// executions end ABORTED, nothing is committed) and releases them to the queue, so
// another worker retries them at once as their next attempt. A worker killed outright
// (SIGKILL, machine gone) holds nothing once its leases expire.
//
// Lost lease: a worker whose lease was not renewed in time (stalled, cut off from the
// store) may find its task claimed by another worker. It stops the run and never
// commits: the lease is checked right before the manifest (RunRequest::before_commit).

#include <functional>
#include <string>
#include <vector>

#include "runlake/execution_runner.h"
#include "runlake/task_runner.h"
#include "runlake/task_queue.h"

namespace runlake {

struct WorkerOptions {
  std::string worker_id;  // "" -> <host>:<pid>:<UTC stamp>
  int concurrency = 1;    // tasks at once (threads)
  std::vector<TaskKind> kinds = {TaskKind::kDaily, TaskKind::kBackfill};
  TaskKindHandlers handlers;  // how each kind but daily runs; every kind in `kinds` needs one
  int lease_seconds = 30;
  int drain_seconds = 60;
  int idle_poll_ms = 500;                // wait between claims while the queue is empty
  std::function<bool()> stop_requested;  // polled about 10 times a second
  // One line per event (claimed, ended, released, lost), for the worker's stderr.
  std::function<void(const std::string&)> log;
};

// Runs until stop_requested and drained. Errors: the worker could not register (or its
// id is taken), InvalidArgument for bad options (a kind without a handler). Task
// failures are logged, not returned.
Status RunWorker(const ExecutionContext& ctx, const WorkerOptions& options);

// <host>:<pid>:<UTC stamp>
std::string DefaultWorkerId();

}  // namespace runlake
