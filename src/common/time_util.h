#pragma once
// UTC clock formatting shared by manifests, ids and logs.

#include <chrono>
#include <cstdint>
#include <string>

namespace runlake {

// "2026-01-29T15:00:00.123Z"
std::string IsoUtcNow();
std::string IsoUtc(std::chrono::system_clock::time_point t);
// "20260129T150000Z", the runbook's run_id timestamp.
std::string CompactUtcNow();
int64_t UnixMicrosNow();

// Seconds since `start` on the steady clock.
inline double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace runlake
