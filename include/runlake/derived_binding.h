#pragma once
// Derived columns bound before any row is read (DESIGN.md "Datasets are declared in
// contracts": "a derived expression that does not bind: exit 2 with the file, line, column
// and key"). The contract loader cannot bind them (binding needs DuckDB); `dataset apply`,
// `run` and `backfill` call this first, so a typo in an expression is refused at once rather
// than failing a run after its rows were read.

#include "runlake/status.h"

namespace runlake {

struct Contract;

// Prepares every derived column of every schema version with DuckDB, over that version's
// columns (typed as silver types them, no rows) and ingest_date, cast to the declared type.
// InvalidArgument "<file>:<line>:<column>: schemas.v2.derived[0].expr: <DuckDB's message>"
// for the first that does not bind; OK for a contract without derived columns (no DuckDB).
Status BindDerivedColumns(const Contract& contract);

}  // namespace runlake
