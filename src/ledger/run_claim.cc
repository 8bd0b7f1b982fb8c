#include "ledger/run_claim.h"

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "runlake/clock.h"
#include "runlake/layout.h"

namespace runlake {

Status ClaimRunId(ObjectStore& store, const std::string& run_id, const std::string& execution_name,
                  const std::string& source) {
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  nlohmann::json claim = {{"run_id", run_id}, {"execution_name", execution_name}, {"source", source},
                          {"host", host}, {"pid", getpid()}, {"claimed_at", NowIso8601Utc()}};
  Status st = store.PutIfAbsent(layout::RunClaimKey(run_id), claim.dump(2) + "\n");
  if (!st.IsAlreadyExists()) return st;
  RUNLAKE_ASSIGN_OR_RAISE(auto committed, store.Head(layout::RunManifestKey(run_id)));
  return Status::AlreadyExists("run_id '" + run_id + "' already exists" +
                               (committed ? "" : " (an uncommitted run holds it)") +
                               "; a run path is never written twice, choose a new run_id");
}

}  // namespace runlake
