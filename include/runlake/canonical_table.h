#pragma once
// canonical_sources (DESIGN.md, "External engines"): every silver pointer version N, as a
// Parquet table external engines can join to, at
//   catalog/<domain>/<dataset>/canonical/version=NNNNNNNNNN/part-00000.parquet
// with one row per source: ingest_date DATE, run_id VARCHAR, updated_at TIMESTAMP (UTC),
// action VARCHAR; `version` comes from the path. The table is a pure function of version
// N and is written put-if-absent right after N is committed, so two writers can only
// write the same bytes' meaning and a promoter that lost the race for N never writes it.

#include <cstdint>
#include <string>
#include <vector>

#include "runlake/layout.h"
#include "runlake/object_store.h"
#include "runlake/pointer.h"

namespace runlake {

// The label of the writer's scratch folders in $TMPDIR (Staging::ScratchPattern).
inline constexpr char kCanonicalScratchLabel[] = "canonical";

// The table's folder for `dataset` ("catalog/<d>/<ds>/canonical/"), and version N's file.
std::string CanonicalTablePrefix(const DatasetId& dataset);
std::string CanonicalTableKey(const DatasetId& dataset, int64_t version);

// Writes version v's table unless it is there already (OK then: same content). IOError
// when local scratch space or the store fails.
Status WriteCanonicalTable(ObjectStore& store, const PointerVersion& v);

// The silver versions of `dataset` whose table is missing (a process died between the
// version and its table, or the version predates canonical_sources), oldest first.
Result<std::vector<int64_t>> MissingCanonicalTables(ObjectStore& store, const DatasetId& dataset);

// Writes every missing table (check --repair, and the next pointer change). Returns the
// versions it wrote.
Result<std::vector<int64_t>> WriteMissingCanonicalTables(ObjectStore& store,
                                                         const DatasetId& dataset);

// The post-commit step of every pointer change (an AfterPointerCommit, pointer.h): after
// silver version v, its table and any an earlier crash left unwritten. Never fails the
// commit (it is done): a table that cannot be written now is written by the next pointer
// change or `runlake check --repair`; a warning says so. Gold versions have no table.
void PublishCanonicalTable(ObjectStore& store, const PointerVersion& v);

}  // namespace runlake
