#pragma once
// UTC time as text, the two formats runlake writes everywhere: ISO-8601 with
// milliseconds for records and logs (sorts lexicographically = chronologically), and the
// compact form the runbook uses inside run ids and execution names.

#include <chrono>
#include <cstdint>
#include <string>

namespace runlake {

// This process's idea of now: the system clock, shifted by $RUNLAKE_CLOCK_SKEW_SECONDS
// (a signed number; read once) when set. The shift exists to test that nothing which
// must agree between machines (task leases, worker liveness) trusts a process clock:
// those times come from the state store's clock instead.
std::chrono::system_clock::time_point SystemNow();

// "2026-01-29T15:00:00.123Z"
std::string ToIso8601Utc(std::chrono::system_clock::time_point t);
std::string NowIso8601Utc();

// "20260129T150000Z" (second precision, as in "backfill-2024-01-15-20260129T150000Z").
std::string ToRunIdTimestamp(std::chrono::system_clock::time_point t);
std::string NowRunIdTimestamp();

// Microseconds since the epoch, UTC (ingestion_timestamp).
int64_t UnixMicrosNow();

// Seconds since `start` on the steady clock (durations in metrics).
inline double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace runlake
