#pragma once
// Canonical data (DESIGN.md "Canonical data: _LATEST.json"). Each dataset of a layer has
// an immutable pointer log, <layer>/<domain>/<dataset>/_pointer_log/NNNNNNNNNN.json; a
// version maps every source (an ingest_date for silver, the table for gold) to the run
// that is canonical for it. Creating version N+1 with put-if-absent is the commit, so
// concurrent promoters cannot lose an update (the Delta Lake log idea). _LATEST.json is a
// copy of the newest version for humans and simple readers; the log is the truth.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runlake/layout.h"
#include "runlake/object_store.h"

namespace runlake {

struct PointerChange {
  std::string source;
  std::string old_run_id;  // "" when the source was not canonical before
  std::string new_run_id;  // "" when the source leaves the canonical state
};

struct PointerVersion {
  int64_t version = 0;
  std::string layer;  // silver, gold
  DatasetId dataset;
  std::map<std::string, std::string> sources;  // source -> canonical run_id
  int64_t previous_version = 0;                // 0 for the first version
  std::string action;                          // publish, promote, rollback
  std::string run_id;        // the run this version made canonical ("" for a rollback)
  std::vector<std::string> run_ids;  // every run it made canonical
  int64_t rolled_back_to = 0;        // rollback: the version whose mapping it copies
  std::string reason, created_by, execution;
  std::string updated_at;  // ISO-8601 UTC
  std::vector<PointerChange> replaced;

  // Every run this version references.
  std::vector<std::string> ReferencedRuns() const;
};

nlohmann::json PointerToJson(const PointerVersion& v);
Result<PointerVersion> PointerFromJson(const nlohmann::json& j, const std::string& origin);

// The state of _LATEST.json against the log.
enum class LatestState { kInSync, kMissing, kBehind, kHandEdited, kNoLog };

class PointerLog {
 public:
  PointerLog(ObjectStore& store, std::string layer, DatasetId dataset)
      : store_(store), layer_(std::move(layer)), dataset_(std::move(dataset)) {}

  // The newest version, nullopt before the first commit. Corruption names an entry that
  // does not parse (the log is never guessed around).
  Result<std::optional<PointerVersion>> Head();
  // One version; NotFound when it does not exist.
  Result<PointerVersion> Get(int64_t version);
  // Every version, oldest first.
  Result<std::vector<PointerVersion>> History();
  // The newest version for which `match` holds, reading back from the head and stopping
  // (nullopt) at the first version for which `stop` holds or at the start of the log.
  using VersionTest = std::function<bool(const PointerVersion&)>;
  Result<std::optional<PointerVersion>> FindNewest(const VersionTest& match, const VersionTest& stop);

  // Commits head+1 built by `next` from the current head (nullopt before the first
  // version). When another writer wins the version, re-reads the head and calls `next`
  // again (bounded, with jittered backoff), so no update is lost. `next` may return an
  // error to give up (it is returned as is). The committed version's number, previous
  // version, created_by and updated_at are filled here. Then refreshes _LATEST.json.
  using NextVersionFn =
      std::function<Result<PointerVersion>(const std::optional<PointerVersion>& head)>;
  Result<PointerVersion> Commit(const NextVersionFn& next);

  // Compares _LATEST.json with the newest log entry.
  Result<LatestState> CheckLatest();
  // Rewrites _LATEST.json from the newest log entry (after a crash between the two
  // writes, or a hand edit). OK when there is no log.
  Status RepairLatest();

  std::string LogPrefix() const;
  std::string LatestKey() const;
  std::string VersionKey(int64_t version) const;

 private:
  Result<std::vector<int64_t>> Versions();
  ObjectStore& store_;
  std::string layer_;
  DatasetId dataset_;
};

// FailedPrecondition when `v` maps a source to a run for which `committed` says false (its
// manifest is gone: the run was deleted): "<layer> pointer version N references run 'X',
// which has been deleted; <consequence>". Every read or rollback at a named version checks
// this, so none of them silently returns or publishes partial data.
Status RequireReferencedRuns(const PointerVersion& v,
                             const std::function<bool(const std::string& run_id)>& committed,
                             const std::string& consequence);

// A step run right after a version is committed, outside the ledger: the catalog's
// canonical_sources table (PublishCanonicalTable, runlake/canonical_table.h). The ledger
// knows no query engine, so whoever changes the pointer through it passes the step in
// (the way TaskKindHandlers hands the queue its kinds); nullptr runs nothing.
using AfterPointerCommit = std::function<void(ObjectStore& store, const PointerVersion& committed)>;

// "user@host", for created_by.
std::string CurrentActor();

}  // namespace runlake
