// Choosing a StateStore backend from a --state value, and `runlake state migrate`.

#include <filesystem>

#include "orchestrate/sqlite_schema_internal.h"
#include "orchestrate/state_store.h"

namespace runlake {
namespace {

std::string SqlitePath(const std::string& uri) {
  return uri.rfind("sqlite://", 0) == 0 ? uri.substr(9) : uri;
}

}  // namespace

bool IsPostgresStateUri(const std::string& uri) {
  return uri.rfind("postgres://", 0) == 0 || uri.rfind("postgresql://", 0) == 0;
}

Result<std::unique_ptr<StateStore>> OpenStateStore(const std::string& uri) {
  if (IsPostgresStateUri(uri)) return OpenPostgresStateStore(uri);
  return OpenSqliteStateStore(SqlitePath(uri));
}

Result<SchemaMigration> MigrateStateStore(const std::string& uri) {
  if (IsPostgresStateUri(uri)) return MigratePostgresStateStore(uri);
  return MigrateSqliteStateStore(SqlitePath(uri));
}

Result<SchemaMigration> MigrateSqliteStateStore(const std::string& path) {
  SchemaMigration migration;
  std::error_code ec;
  if (path != ":memory:" && std::filesystem::exists(path, ec)) {
    RUNLAKE_ASSIGN_OR_RAISE(auto db, sqlite::Db::Open(path, 30000));
    RUNLAKE_ASSIGN_OR_RAISE(migration.before, sqlite::ReadSchemaVersion(db.get()));
  }
  RUNLAKE_RETURN_NOT_OK(OpenSqliteStateStore(path).status());
  migration.after = sqlite::LatestSchemaVersion();
  return migration;
}

}  // namespace runlake
