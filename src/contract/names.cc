// Name forms (see names.h).

#include "contract/names.h"

#include <re2/re2.h>

namespace runlake::contract_internal {

std::string DatasetNameProblem(std::string_view s) {
  static const RE2 kForm("[a-z][a-z0-9_]{0,62}/[a-z][a-z0-9_]{0,62}");
  if (RE2::FullMatch(s, kForm)) return "";
  return "'" + std::string(s) + "' is not <domain>/<dataset>, each [a-z][a-z0-9_]{0,62}";
}

std::string ColumnNameProblem(std::string_view s) {
  static const RE2 kForm("[a-z_][a-z0-9_]{0,62}");
  if (!RE2::FullMatch(s, kForm)) {
    return "'" + std::string(s) + "' is not a column name ([a-z_][a-z0-9_]{0,62})";
  }
  // Every silver row carries these (DESIGN.md, "Rows"); a column of the same name would
  // give the silver file two columns with one name.
  for (const char* lineage : {"ingest_date", "source_key", "source_line", "row_hash",
                              "ingestion_timestamp", "year", "month", "schema_v", "run_id"}) {
    if (s == lineage) return "'" + std::string(s) + "' is a lineage column every silver row has";
  }
  return "";
}

std::string ReasonCodeProblem(std::string_view s) {
  static const RE2 kForm("[A-Z][A-Z0-9_]{0,62}");
  if (!RE2::FullMatch(s, kForm)) {
    return "'" + std::string(s) + "' is not a reason code ([A-Z][A-Z0-9_]{0,62})";
  }
  // These are the record-level reasons, decided before any column check; reusing one for a
  // column would make a quarantine count unreadable.
  for (const char* fixed : {"SCHEMA_ERROR", "ENCODING_ERROR", "NULL_VALUE_ERROR", "MAX_ATTEMPTS"}) {
    if (s == fixed) return "'" + std::string(s) + "' is a reason runlake itself assigns";
  }
  return "";
}

std::string VersionNameProblem(std::string_view s) {
  static const RE2 kForm("v[1-9][0-9]{0,8}");
  if (RE2::FullMatch(s, kForm)) return "";
  return "'" + std::string(s) + "' is not a schema version name (v1, v2, …)";
}

int VersionNumber(std::string_view version) {
  int n = 0;
  for (char c : version.substr(1)) n = n * 10 + (c - '0');
  return n;
}

}  // namespace runlake::contract_internal
