#pragma once
// Partition pruning before any download (DESIGN.md "Readers"): the literal constraints a
// `runlake query` statement puts on year, month, run_id and ingest_date, so the catalog
// fetches only the committed files that can hold matching rows. The manifest already
// knows each file's partition values (year/month from its Hive path, run_id, and the
// ingest dates of its run's sources), so pruning costs no request at all.
//
// Pruning must never change an answer, so it is taken only from statements simple enough
// that every row they can see satisfies the constraint: one SELECT (no subquery, CTE or
// set operation), one FROM item, the lake view named once (no join), no OR, NOT, BETWEEN,
// CASE, VALUES or comment anywhere, and constraints that are top-level AND-ed terms of the
// WHERE clause of the forms `[alias.]col = literal`, `literal = col` or
// `col IN (literal, ...)`. Anything else yields an empty filter: every file is fetched, as
// before. DuckDB still evaluates the predicate on what remains, so the filter only has to
// keep a superset of the files that matter.

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace runlake {

struct PartitionFilter {
  std::string view;  // the one lake view the constraints apply to ("" = none)
  std::optional<std::set<int>> years, months;
  std::optional<std::set<std::string>> run_ids, ingest_dates;

  bool Empty() const { return !years && !months && !run_ids && !ingest_dates; }
  // Whether a file of `view` with these partition values can hold a matching row. A value
  // the file does not have (year 0, no ingest dates) never excludes it.
  bool Admits(const std::string& view, int year, int month, const std::string& run_id,
              const std::vector<std::string>& ingest_dates) const;
};

// The filter of `sql` over the views in `views` (lower-case names); empty when none applies.
PartitionFilter PartitionFilterOf(const std::string& sql, const std::vector<std::string>& views);

// "year=2024/month=03" -> 2024 and 3; 0 for what the path does not carry.
void PartitionYearMonth(const std::string& partition, int* year, int* month);

}  // namespace runlake
