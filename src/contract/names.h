#pragma once
// The names a contract may use (DESIGN.md): they become paths in the lake, SQL identifiers
// in views and reason codes in quarantine files, so each has one strict form.

#include <string>
#include <string_view>

namespace runlake::contract_internal {

// Each returns "" when `s` is well formed, else the problem, naming the form it must have.
std::string DatasetNameProblem(std::string_view s);  // <domain>/<dataset>, [a-z][a-z0-9_]{0,62}
std::string ColumnNameProblem(std::string_view s);   // [a-z_][a-z0-9_]{0,62}, not a lineage name
std::string ReasonCodeProblem(std::string_view s);   // [A-Z][A-Z0-9_]{0,62}, not a row-level code
std::string VersionNameProblem(std::string_view s);  // v<N>, N from 1 (no leading zero)

// The number of a well-formed version name ("v12" -> 12).
int VersionNumber(std::string_view version);

}  // namespace runlake::contract_internal
