#pragma once
// Is the worker that owns a RUNNING execution still alive? Answers only for processes
// on this host; a pid alone is not enough because pids are reused, so callers record
// the process start time next to the pid and compare it later.

#include <cstdint>
#include <string>

namespace runlake {

// gethostname(), or "localhost" if that fails.
std::string LocalHostName();

// The start time of `pid` in clock ticks since boot (field 22 of /proc/<pid>/stat), or 0
// when it cannot be read (no such process, no /proc). 0 means "unknown", never a time.
int64_t ProcessStartTicks(int64_t pid);

// True only when the process is certainly gone: kill(pid, 0) says ESRCH, it is a zombie
// (it exited and nobody has waited for it yet), or its start time differs from
// `recorded_start_ticks` (the pid was reused). Unknown cases (pid <= 0, unreadable
// /proc, EPERM) count as alive: a live execution must never be failed by mistake.
bool ProcessIsGone(int64_t pid, int64_t recorded_start_ticks);

// How old (by the state store's clock) a backfill controller's heartbeat may grow before
// the controller counts as gone, whatever its host: 60 s, or RUNLAKE_CONTROLLER_STALE_SECONDS
// (a positive number, fractions allowed; tests use ~1 s). In milliseconds.
int64_t ControllerStaleMillis();

}  // namespace runlake
