#include "runlake/pointer.h"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <set>

#include "runlake/clock.h"
#include "common/retry.h"

namespace runlake {

using nlohmann::json;

namespace {
constexpr int kMaxCommitAttempts = 200;
}

std::vector<std::string> PointerVersion::ReferencedRuns() const {
  std::set<std::string> runs;
  for (const auto& [source, run] : sources) runs.insert(run);
  return {runs.begin(), runs.end()};
}

Status RequireReferencedRuns(const PointerVersion& v,
                             const std::function<bool(const std::string& run_id)>& committed,
                             const std::string& consequence) {
  for (const auto& run : v.ReferencedRuns()) {
    if (!committed(run)) {
      return Status::FailedPrecondition(v.layer + " pointer version " + std::to_string(v.version) +
                                        " references run '" + run + "', which has been deleted; " +
                                        consequence);
    }
  }
  return Status::OK();
}

json PointerToJson(const PointerVersion& v) {
  json replaced = json::array();
  for (const auto& c : v.replaced) {
    replaced.push_back({{"source", c.source}, {"old_run_id", c.old_run_id}, {"new_run_id", c.new_run_id}});
  }
  return json{{"version", v.version},
              {"layer", v.layer},
              {"dataset", v.dataset.path()},
              {"sources", v.sources},
              {"previous_version", v.previous_version},
              {"action", v.action},
              {"run_id", v.run_id},
              {"run_ids", v.run_ids},
              {"rolled_back_to", v.rolled_back_to},
              {"reason", v.reason},
              {"created_by", v.created_by},
              {"execution", v.execution},
              {"updated_at", v.updated_at},
              {"replaced", replaced}};
}

Result<PointerVersion> PointerFromJson(const json& j, const std::string& origin) {
  try {
    PointerVersion v;
    v.version = j.at("version").get<int64_t>();
    v.layer = j.at("layer").get<std::string>();
    RUNLAKE_ASSIGN_OR_RAISE(v.dataset, ParseDatasetId(j.at("dataset").get<std::string>()));
    v.sources = j.at("sources").get<std::map<std::string, std::string>>();
    v.previous_version = j.value("previous_version", int64_t{0});
    v.action = j.value("action", "");
    v.run_id = j.value("run_id", "");
    v.run_ids = j.value("run_ids", std::vector<std::string>{});
    v.rolled_back_to = j.value("rolled_back_to", int64_t{0});
    v.reason = j.value("reason", "");
    v.created_by = j.value("created_by", "");
    v.execution = j.value("execution", "");
    v.updated_at = j.value("updated_at", "");
    for (const auto& c : j.value("replaced", json::array())) {
      v.replaced.push_back(PointerChange{c.value("source", ""), c.value("old_run_id", ""),
                                         c.value("new_run_id", "")});
    }
    for (const auto& [source, run] : v.sources) RUNLAKE_RETURN_NOT_OK(ValidateRunId(run));
    return v;
  } catch (const json::exception& e) {
    return Status::Corruption(origin + ": not a valid pointer version (" + e.what() + ")");
  } catch (const std::exception& e) {
    return Status::Corruption(origin + ": not a valid pointer version (" + e.what() + ")");
  }
}


std::string CurrentActor() {
  std::string user;
  if (const char* env = std::getenv("USER"); env != nullptr) user = env;
  if (user.empty()) {
    // getpwuid_r, not getpwuid: commits run on many threads at once (a backfill's dates),
    // and getpwuid's static buffer is shared (TSan found the race).
    struct passwd pw;
    struct passwd* found = nullptr;
    char buf[4096];
    if (getpwuid_r(getuid(), &pw, buf, sizeof(buf), &found) == 0 && found != nullptr) user = found->pw_name;
  }
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  return (user.empty() ? std::string("unknown") : user) + "@" + host;
}

std::string PointerLog::LogPrefix() const { return layout::PointerLogPrefix(layer_, dataset_); }
std::string PointerLog::LatestKey() const { return layout::LatestKey(layer_, dataset_); }
std::string PointerLog::VersionKey(int64_t version) const {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%010lld.json", static_cast<long long>(version));
  return LogPrefix() + buf;
}

Result<std::vector<int64_t>> PointerLog::Versions() {
  RUNLAKE_ASSIGN_OR_RAISE(auto objects, store_.List(LogPrefix()));
  std::vector<int64_t> versions;
  for (const auto& o : objects) {
    std::string name = o.key.substr(LogPrefix().size());
    if (name.size() != 15 || name.compare(10, 5, ".json") != 0 ||
        !std::all_of(name.begin(), name.begin() + 10, ::isdigit)) {
      continue;  // not a log entry (an editor's backup file, say)
    }
    versions.push_back(std::stoll(name.substr(0, 10)));
  }
  std::sort(versions.begin(), versions.end());
  return versions;
}

Result<PointerVersion> PointerLog::Get(int64_t version) {
  std::string key = VersionKey(version);
  auto text = store_.Get(key);
  if (!text.ok()) {
    if (text.status().IsNotFound()) {
      return Status::NotFound(layer_ + " pointer version " + std::to_string(version) + " of " +
                              dataset_.path() + " does not exist");
    }
    return text.status();
  }
  json j = json::parse(*text, nullptr, false);
  if (j.is_discarded()) return Status::Corruption(key + ": pointer log entry is not valid JSON");
  RUNLAKE_ASSIGN_OR_RAISE(PointerVersion v, PointerFromJson(j, key));
  if (v.version != version) {
    return Status::Corruption(key + ": says version " + std::to_string(v.version) +
                              " but is stored as version " + std::to_string(version));
  }
  return v;
}

Result<std::optional<PointerVersion>> PointerLog::Head() {
  RUNLAKE_ASSIGN_OR_RAISE(auto versions, Versions());
  if (versions.empty()) return std::optional<PointerVersion>();
  RUNLAKE_ASSIGN_OR_RAISE(PointerVersion v, Get(versions.back()));
  return std::optional<PointerVersion>(std::move(v));
}

Result<std::vector<PointerVersion>> PointerLog::History() {
  RUNLAKE_ASSIGN_OR_RAISE(auto versions, Versions());
  std::vector<PointerVersion> out;
  for (int64_t n : versions) {
    RUNLAKE_ASSIGN_OR_RAISE(PointerVersion v, Get(n));
    out.push_back(std::move(v));
  }
  return out;
}

Result<std::optional<PointerVersion>> PointerLog::FindNewest(const VersionTest& match, const VersionTest& stop) {
  RUNLAKE_ASSIGN_OR_RAISE(auto versions, Versions());
  for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
    RUNLAKE_ASSIGN_OR_RAISE(PointerVersion v, Get(*it));
    if (match(v)) return std::optional<PointerVersion>(std::move(v));
    if (stop(v)) break;
  }
  return std::optional<PointerVersion>();
}

Result<PointerVersion> PointerLog::Commit(const NextVersionFn& next) {
  // Losing version N to another writer is a race, not a failure: re-read and try N+1.
  Backoff backoff(RetryPolicy{kMaxCommitAttempts, std::chrono::milliseconds(2), std::chrono::milliseconds(256)});
  do {
    RUNLAKE_ASSIGN_OR_RAISE(auto head, Head());
    RUNLAKE_ASSIGN_OR_RAISE(PointerVersion v, next(head));
    v.version = head ? head->version + 1 : 1;
    v.previous_version = head ? head->version : 0;
    v.layer = layer_;
    v.dataset = dataset_;
    if (v.created_by.empty()) v.created_by = CurrentActor();
    v.updated_at = NowIso8601Utc();
    std::string text = PointerToJson(v).dump(2) + "\n";
    Status st = store_.PutIfAbsent(VersionKey(v.version), text);
    if (st.ok()) {
      // The commit is done; a failure here only leaves the copy behind (repaired later).
      (void)store_.Put(LatestKey(), text);
      return v;
    }
    if (!st.IsAlreadyExists()) return st;
  } while (backoff.Next());
  return Status::Conflict("could not commit a new " + layer_ + " pointer version of " + dataset_.path() +
                          " after " + std::to_string(kMaxCommitAttempts) + " attempts (too many writers)");
}

Result<LatestState> PointerLog::CheckLatest() {
  RUNLAKE_ASSIGN_OR_RAISE(auto head, Head());
  auto text = store_.Get(LatestKey());
  if (!head) return LatestState::kNoLog;
  if (!text.ok()) {
    if (text.status().IsNotFound()) return LatestState::kMissing;
    return text.status();
  }
  json j = json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return LatestState::kHandEdited;
  if (j == PointerToJson(*head)) return LatestState::kInSync;
  // An older version, copied verbatim, is a copy that a crash left behind.
  int64_t v = j.value("version", int64_t{-1});
  if (v >= 1 && v < head->version) {
    auto older = Get(v);
    if (older.ok() && j == PointerToJson(*older)) return LatestState::kBehind;
  }
  return LatestState::kHandEdited;
}

Status PointerLog::RepairLatest() {
  RUNLAKE_ASSIGN_OR_RAISE(auto head, Head());
  if (!head) return Status::OK();
  return store_.Put(LatestKey(), PointerToJson(*head).dump(2) + "\n");
}

}  // namespace runlake
