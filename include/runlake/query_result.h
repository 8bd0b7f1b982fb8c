#pragma once
// A fully materialised query result, as DuckDB printed each value ("12.50" for a
// DECIMAL(16,2), "2024-01-05 10:00:00" for a TIMESTAMP, "[a, b]" for a list).

#include <optional>
#include <string>
#include <vector>

namespace runlake {

struct QueryResult {
  std::vector<std::string> column_names;
  std::vector<std::string> column_types;  // DuckDB type names: "BIGINT", "DECIMAL(16,2)", ...
  std::vector<std::vector<std::optional<std::string>>> rows;  // nullopt = SQL NULL
};

}  // namespace runlake
