#pragma once
// The read-only dashboard (`runlake serve`): pages and their /api JSON twins on 127.0.0.1.

#include <functional>
#include <string>

#include "runlake/object_store.h"
#include "runlake/state_store.h"
#include "runlake/status.h"

namespace runlake {

struct DashboardServerOptions {
  ObjectStore* store = nullptr;
  StateStore* state = nullptr;  // read as stored: the dashboard never writes
  std::string log_dir;          // execution logs (LakeSession::LogDir)
  std::string lake_bucket;      // the bucket of an s3:// lake, "" otherwise
  int port = 8080;              // on 127.0.0.1; 0 picks a free one
};

// Binds, calls `on_listening` with the URL, and serves until SIGINT or SIGTERM, which end it
// cleanly (OK: stopping is how a dashboard ends). The signals are blocked in every thread
// and taken by one waiting thread, so no work happens in a signal handler. IOError when the
// port cannot be bound or listening fails.
Status ServeDashboardUntilSignal(const DashboardServerOptions& options,
                                 const std::function<void(const std::string& url)>& on_listening);

}  // namespace runlake
