#pragma once
// Bounded parallelism for independent round trips (GETs of manifests, downloads of
// committed files): the time of a reader is round trips, not CPU, so they go out at once.

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <functional>
#include <thread>
#include <vector>

namespace runlake {

// The default bound on requests in flight at once.
inline constexpr int kParallelRequests = 32;

// Calls fn(i) for every i in [0, n), on up to `max_threads` threads (the calling thread
// included). fn must be safe to call concurrently for different i; it reports its own
// errors (e.g. into a per-index slot). Returns after every call has returned.
inline void ParallelFor(size_t n, int max_threads, const std::function<void(size_t)>& fn) {
  size_t threads = std::min<size_t>(n, static_cast<size_t>(std::max(1, max_threads)));
  if (threads <= 1) {
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < n; i = next++) fn(i);
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
}

}  // namespace runlake
