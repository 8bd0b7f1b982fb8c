#pragma once
// StateStore: where executions and their histories live, shared by every runlake process
// working on one lake. It is four interfaces (executions, logs, backfills, the task
// queue), each in its own header; a backend object implements all four. Backends:
// SQLite (a file; the default, several processes on one machine) and PostgreSQL (many
// workers on many machines). Nothing here names a backend's SQL or types; one
// conformance suite (tests/state/) runs against each.
//
// Every method is safe to call from several threads on one store object, and from
// several processes on stores opened on the same backing database.

#include <memory>
#include <string>

#include "runlake/backfill_store.h"
#include "runlake/execution_store.h"
#include "runlake/log_store.h"
#include "runlake/task_store.h"

namespace runlake {

class StateStore : public ExecutionStore, public LogStore, public BackfillStore, public TaskStore {
 public:
  ~StateStore() override = default;
};

// Opens (creating the file and its parent directories) the SQLite state store at `path`,
// in WAL mode with a busy timeout so several processes can share it, migrating its schema
// to this build's version. ":memory:" gives a private in-memory store (tests).
// IOError when the file cannot be created or stays locked; Corruption when it is not a
// SQLite database; FailedPrecondition when a newer runlake wrote its schema.
Result<std::unique_ptr<StateStore>> OpenSqliteStateStore(const std::string& path);

// Opens the PostgreSQL state store at `uri` (postgres://user[:password]@host[:port]/db,
// postgresql://…, or a libpq key=value string), migrating its schema to this build's
// version under an advisory lock (concurrent openers migrate once). One connection per
// store object, shared by its threads; a transient failure (connection lost, server
// restarting, serialization failure, deadlock) reconnects and retries with backoff for up
// to a minute. IOError naming host:port (never the password) when the server is
// unreachable at open; FailedPrecondition when a newer runlake wrote its schema.
Result<std::unique_ptr<StateStore>> OpenPostgresStateStore(const std::string& uri);

struct SchemaMigration {
  int before = 0;  // the version found (0: an empty database)
  int after = 0;   // the version now: this build's
};

// Open*StateStore migrate on their own; these also say from which version.
Result<SchemaMigration> MigrateSqliteStateStore(const std::string& path);
Result<SchemaMigration> MigratePostgresStateStore(const std::string& uri);

// The backend a --state value names: postgres:// or postgresql:// is PostgreSQL;
// sqlite://PATH or any other value a SQLite file path.
bool IsPostgresStateUri(const std::string& uri);
Result<std::unique_ptr<StateStore>> OpenStateStore(const std::string& uri);
Result<SchemaMigration> MigrateStateStore(const std::string& uri);

}  // namespace runlake
