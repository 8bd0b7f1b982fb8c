#pragma once
// The evolution rules `dataset apply` enforces between a dataset's current contract and the
// next revision (DESIGN.md, "Revisions"): silver files already written must stay readable
// under one schema per version, so what a version's rows look like never changes.

#include "runlake/contract.h"
#include "runlake/status.h"

namespace runlake {

// OK when `newer` may follow `older`. A later revision may change any check, reason,
// check_order, key and key_reason, the gate, max_attempts, the source's max_record_bytes, the
// description and derived expressions, and may add schema versions. It may not change the
// dataset, partition_by, the source's format or delimiter, remove a version, or change an
// existing version's columns (names, `from`, types, order) or its derived columns' names and
// types. A new version (numbered after every existing one) keeps every column of the version
// before it, in order, with the same `from` and the same type or a widening (int64 ->
// decimal(P,0) with P >= 19; decimal(P,S) -> decimal(P',S) with P' > P), and may add columns
// and derived columns; nothing else.
// FailedPrecondition (exit 1) otherwise, naming every refused change: its version, column and
// rule ("schemas.v1.columns.amount: type decimal(16,2) -> decimal(18,2): an existing
// version's columns may not change").
Status CheckEvolution(const Contract& older, const Contract& newer);

}  // namespace runlake
