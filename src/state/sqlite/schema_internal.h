#pragma once
// The SQLite state store's schema, as an ordered list of migrations. The database
// records how many have been applied in `schema_version`; opening applies the rest in
// one write transaction, so concurrent openers migrate exactly once. Append new
// migrations at the end; never edit one that has shipped.

#include <string>
#include <vector>

#include "state/sqlite/db_internal.h"
#include "runlake/status.h"

namespace runlake::sqlite {

// kMigrations[i] takes the schema from version i to version i + 1.
const std::vector<std::string>& Migrations();
inline int LatestSchemaVersion() { return static_cast<int>(Migrations().size()); }

// Brings `db` to LatestSchemaVersion(). FailedPrecondition when the database was
// written by a newer runlake (a version this build does not know).
Status MigrateSchema(Db* db);

// The version recorded in `db` (0 for an empty database).
// PRAGMA quick_check: Corruption naming the file unless the database is sound.
Status QuickCheck(Db* db);
Result<int> ReadSchemaVersion(Db* db);
// The same without creating the version table (0 when it is missing): for a store opened
// read-only.
Result<int> ReadSchemaVersionReadOnly(Db* db);

}  // namespace runlake::sqlite
