// Choosing a StateStore backend from a --state value, and `runlake state migrate`.

#include "runlake/state_store.h"

namespace runlake {
namespace {

std::string SqlitePath(const std::string& uri) {
  return uri.rfind("sqlite://", 0) == 0 ? uri.substr(9) : uri;
}

// `mysql://x` is a URI of a kind runlake does not know, not a file named ./mysql:/x.
Status CheckScheme(const std::string& uri) {
  size_t colon = uri.find("://");
  if (colon == std::string::npos || uri.rfind("sqlite://", 0) == 0) return Status::OK();
  return Status::InvalidArgument("state store '" + uri + "': unknown scheme '" + uri.substr(0, colon) +
                                 "://' (use a SQLite path, sqlite://PATH or postgres://user@host:port/db)");
}

}  // namespace

bool IsPostgresStateUri(const std::string& uri) {
  return uri.rfind("postgres://", 0) == 0 || uri.rfind("postgresql://", 0) == 0;
}

Result<std::unique_ptr<StateStore>> OpenStateStore(const std::string& uri) {
  if (IsPostgresStateUri(uri)) return OpenPostgresStateStore(uri);
  RUNLAKE_RETURN_NOT_OK(CheckScheme(uri));
  return OpenSqliteStateStore(SqlitePath(uri));
}

Result<SchemaMigration> MigrateStateStore(const std::string& uri) {
  if (IsPostgresStateUri(uri)) return MigratePostgresStateStore(uri);
  RUNLAKE_RETURN_NOT_OK(CheckScheme(uri));
  return MigrateSqliteStateStore(SqlitePath(uri));
}

}  // namespace runlake
