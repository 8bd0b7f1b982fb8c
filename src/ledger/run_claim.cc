#include "ledger/run_claim.h"

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "runlake/clock.h"
#include "runlake/layout.h"

namespace runlake {

namespace {
std::string HostName() {
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  return host;
}
}  // namespace

Status ClaimRunId(ObjectStore& store, const std::string& run_id, const std::string& execution_name,
                  const std::string& source) {
  nlohmann::json claim = {{"run_id", run_id}, {"execution_name", execution_name}, {"source", source},
                          {"host", HostName()}, {"pid", getpid()}, {"claimed_at", NowIso8601Utc()}};
  Status st = store.PutIfAbsent(layout::RunClaimKey(run_id), claim.dump(2) + "\n");
  if (!st.IsAlreadyExists()) return st;
  RUNLAKE_ASSIGN_OR_RAISE(auto committed, store.Head(layout::RunManifestKey(run_id)));
  return Status::AlreadyExists("run_id '" + run_id + "' already exists" +
                               (committed ? "" : " (an uncommitted run holds it)") +
                               "; a run path is never written twice, choose a new run_id");
}

Result<bool> ClaimedByThisProcess(ObjectStore& store, const std::string& run_id,
                                  const std::string& execution_name) {
  Result<std::string> text = store.Get(layout::RunClaimKey(run_id));
  if (!text.ok()) {
    if (text.status().IsNotFound()) return false;
    return text.status();
  }
  nlohmann::json claim = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  // Compared field by field without get<>(), which throws on a type we did not write: a
  // claim we cannot read as ours is not ours, and the caller refuses the run_id.
  auto is = [&](const char* field, const nlohmann::json& want) {
    return claim.is_object() && claim.contains(field) && claim[field] == want;
  };
  return is("host", HostName()) && is("pid", getpid()) && is("execution_name", execution_name);
}

}  // namespace runlake
