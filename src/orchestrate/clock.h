#pragma once
// UTC time as text, the two formats runlake writes everywhere: ISO-8601 with
// milliseconds for records and logs (sorts lexicographically = chronologically), and the
// compact form the runbook uses inside run ids and execution names.

#include <chrono>
#include <string>

namespace runlake {

// "2026-01-29T15:00:00.123Z"
std::string ToIso8601Utc(std::chrono::system_clock::time_point t);
std::string NowIso8601Utc();

// "20260129T150000Z" (second precision, as in "backfill-2024-01-15-20260129T150000Z").
std::string ToRunIdTimestamp(std::chrono::system_clock::time_point t);
std::string NowRunIdTimestamp();

}  // namespace runlake
