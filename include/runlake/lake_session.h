#pragma once
// LakeSession: one lake and its state store, opened on first use, the way every front end
// (the CLI, the dashboard, tests) opens them. A lake is a location holding `_lake.json`;
// its state store is --state, else a SQLite file the session derives from the lake.

#include <memory>
#include <string>

#include "runlake/object_store.h"
#include "runlake/state_store.h"
#include "runlake/status.h"

namespace runlake {

class LakeSession {
 public:
  std::string lake_uri;   // a path, file://..., s3://bucket/prefix or mem://
  std::string state_uri;  // "" = the default beside the lake (StateUri())

  // The lake, which must exist (`_lake.json`, written by `init` and `ingest`): a location
  // that is not a lake is InvalidArgument rather than an empty lake or new state there.
  Result<ObjectStore*> Store();
  // For `init` and `ingest`: opens the lake and writes `_lake.json` if it is missing,
  // refusing a lake inside (or around) another. Returns whether this call created it.
  Result<bool> CreateLake();
  Result<StateStore*> State();
  // A SQLite state path the user named must be in a folder that exists: a mistyped one
  // would otherwise become a new, empty store that no later command finds (InvalidArgument
  // naming it). The default path is runlake's choice: its folder is made as needed.
  Status CheckStatePath() const;
  // The state store's URI: state_uri, else the default SQLite file for the lake.
  std::string StateUri() const;
  // Where execution logs live: beside the state database (for PostgreSQL, where the
  // default SQLite file would be: logs stay on the machine that ran the execution).
  Result<std::string> LogDir();
  // The bucket of an s3:// lake, "" otherwise.
  std::string LakeBucket() const;
  // A PostgreSQL state store: backfills default to queue mode (workers do the dates).
  bool StateIsPostgres() const;

 private:
  std::string DefaultStatePath() const;
  Result<ObjectStore*> OpenStore();
  bool lake_checked_ = false;
  std::unique_ptr<ObjectStore> store_;
  std::unique_ptr<StateStore> state_;
};

}  // namespace runlake
