#pragma once
// The PostgreSQL state store's schema, as an ordered list of migrations (the same tables
// as the SQLite store's, in PostgreSQL's types). `schema_version` records how many have
// been applied; opening applies the rest in one transaction that first takes a
// transaction-scoped advisory lock, so concurrent openers migrate exactly once and a
// failed migration leaves nothing half-applied. Append new migrations at the end; never
// edit one that has shipped.

#include <string>
#include <vector>

#include "state/postgres/session_internal.h"

namespace runlake::pg {

// Migrations()[i] takes the schema from version i to version i + 1.
const std::vector<std::string>& Migrations();
inline int LatestSchemaVersion() { return static_cast<int>(Migrations().size()); }

// Brings the database to LatestSchemaVersion(); returns the version it found.
// FailedPrecondition when a newer runlake wrote the schema.
Result<int> MigrateSchema(Session* session);

// The version recorded in the database (0 for an empty one), without changing it.
Result<int> ReadSchemaVersion(Session* session);

}  // namespace runlake::pg
