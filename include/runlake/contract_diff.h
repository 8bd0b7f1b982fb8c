#pragma once
// What changed between two contracts (`dataset diff D N M`, and `backfill plan`'s "changed
// since the canonical runs' revision"): every changed column, check and limit, compared after
// defaults and `extends` are resolved, so spelling a default out is no change.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "runlake/contract.h"

namespace runlake {

struct ContractChange {
  enum class Kind { kAdded, kRemoved, kChanged };
  Kind kind = Kind::kChanged;
  // Columns and derived columns by name, so a move is one "position" change:
  // "gate.max_quarantine_rate", "schemas.v2", "schemas.v1.columns.amount.type".
  std::string path;
  nlohmann::json before;  // null when added
  nlohmann::json after;   // null when removed

  // One line: "changed gate.max_quarantine_rate: 0.05 -> 0.1", "added schemas.v3: {…}".
  std::string ToString() const;
  // {"change": "added"|"removed"|"changed", "path": …, "before": …, "after": …}
  nlohmann::json ToJson() const;
};

// Every difference from `a` to `b`, in contract order: top-level settings, then each schema
// version (by number), its columns (in b's order, then those removed), check_order, derived.
// Empty when the two resolve to the same contract (the sha256 is not compared).
std::vector<ContractChange> DiffContracts(const Contract& a, const Contract& b);

}  // namespace runlake
