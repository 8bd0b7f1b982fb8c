// Choosing a StateStore backend from a --state value, and `runlake state migrate`.

#include "state/state_store.h"

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

}  // namespace runlake
