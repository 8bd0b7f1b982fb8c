#pragma once
// A dataset contract (DESIGN.md, "Datasets are declared in contracts, not compiled"): how a
// dataset's bronze files are read, the columns of each schema version, the checks and
// reason codes of each column, the key, the partitioning, loop prevention and the gate.
// This is the model after loading: every default filled in and every `extends` resolved,
// so a reader never needs to know what the YAML left out.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runlake/status.h"

namespace re2 {
class RE2;
}

namespace runlake {

enum class ColumnKind { kString, kInt64, kDecimal, kBoolean, kDate, kTimestamp };

struct ColumnType {
  ColumnKind kind = ColumnKind::kString;
  int precision = 0, scale = 0;  // decimal only: 1 <= precision <= 38, 0 <= scale <= precision

  // "string", "int64", "decimal(16,2)", "boolean", "date", "timestamp": the contract's text.
  std::string ToString() const;
  // The silver column's SQL type: VARCHAR, BIGINT, DECIMAL(P,S), BOOLEAN, DATE, TIMESTAMP.
  std::string SqlType() const;
  bool operator==(const ColumnType&) const = default;
};

// Parses a contract's type text. InvalidArgument with the problem ("decimal precision 39 is
// out of range 1..38") for anything else.
Result<ColumnType> ParseColumnType(std::string_view text);

// As the rules file's tx_date_window: whole UTC days, an unset bound is no bound.
struct DateWindow {
  std::optional<std::string> not_before;     // YYYY-MM-DD: the value >= its 00:00 UTC
  std::optional<int> max_days_after_ingest;  // the value's UTC day - ingest_date <= this
  bool operator==(const DateWindow&) const = default;
};

struct Column {
  std::string name;  // silver column
  std::string from;  // bronze header name (default: name)
  ColumnType type;
  // Date and timestamp columns only: strptime-style, tried in order (default ISO 8601);
  // empty for other types.
  std::vector<std::string> formats;
  bool required = false;  // an empty field is NULL_VALUE_ERROR (else NULL)
  bool trim = true;       // leading and trailing spaces are dropped before the checks
  std::vector<std::string> enum_values;           // exact match; empty: no list
  bool enum_iso4217 = false;                      // `enum: iso4217`
  std::optional<std::string> pattern;             // RE2, matching the whole text
  std::shared_ptr<const re2::RE2> pattern_re;     // `pattern` compiled once, shared by copies
  std::optional<int64_t> min_length, max_length;  // in characters
  std::optional<std::string> min, max;  // as written; checked to parse as the column's type
  std::optional<DateWindow> window;     // date and timestamp columns only
  // Boolean columns only (default [true, 1] / [false, 0]); empty for other types.
  std::vector<std::string> true_values, false_values;
  std::optional<std::string> reason;  // replaces this column's default reason codes
};

// A derived column: a DuckDB SQL expression over its version's columns and ingest_date,
// evaluated in the silver COPY after the columns. The loader stores it unbound (binding
// needs DuckDB, which only src/engine may use): see DerivedColumnsToBind below.
struct DerivedColumn {
  std::string name;
  ColumnType type;
  std::string expr;
  // "<origin>:<line>:<column>: schemas.v2.derived[0].expr": where it was written, so a
  // binding error can name file, line, column and key as the loader's own errors do.
  std::string expr_at;
};

struct SchemaVersion {
  std::string name;                    // "v1", "v2", …
  std::optional<std::string> extends;  // the parent version, as written
  std::vector<Column> columns;         // resolved: the parent's columns, then its own
  // Every column name once: the listed check_order (its own, else the nearest ancestor's),
  // then the columns it leaves out, in column order.
  std::vector<std::string> check_order;
  std::vector<DerivedColumn> derived;  // resolved: the parent's, then its own

  const Column* FindColumn(std::string_view column_name) const;  // nullptr when absent
};

struct ContractSource {
  std::string format = "csv";  // the only format so far
  char delimiter = ',';
  int64_t max_record_bytes = int64_t{8} << 20;  // 1024 .. 1 GiB, as the rules file's
};

// The rules file's gate (runlake/rules.h, QualityGate), with the same defaults and meaning;
// its own type because the contract room comes before ingest and may use only common.
struct ContractGate {
  double max_quarantine_rate = 0.05;  // passes when quarantined/input < this
  int64_t max_condemned_rows = 100;   // passes when condemned < this
};

inline constexpr std::string_view kIngestDatePartition = "ingest_date";

struct Contract {
  std::string dataset;  // "<domain>/<dataset>"
  std::string description;
  ContractSource source;
  std::string partition_by = std::string(kIngestDatePartition);  // or a date/timestamp column
  std::vector<std::string> key;                                  // empty: no key
  std::string key_reason = "DUPLICATE_KEY";
  int max_attempts = 3;
  ContractGate gate;
  std::vector<SchemaVersion> schemas;  // sorted by version number: v1, v2, …, v10
  std::string sha256;                  // ContractSha256 of the text it was parsed from

  const SchemaVersion* FindSchema(std::string_view version) const;  // nullptr when absent
};

// Loads a contract from YAML (or JSON) text and checks every key. InvalidArgument, with
// "<origin>:<line>:<column>: <key path>: <problem>" (1-based, at the offending key or
// value), for a syntax error, an unknown or duplicate key, a value of the wrong type or out
// of range, a bad name or reason code, a duplicate column or `from`, an empty enum, a pattern
// RE2 cannot compile, a min/max that does not parse as its column's type, an `extends` cycle
// or unknown parent, a check_order, key or partition_by naming a column that is not there.
// Derived expressions are not bound here (see DerivedColumnsToBind).
Result<Contract> ParseContract(std::string_view text, const std::string& origin);

// The contract_sha256 runs record: SHA-256 (lowercase hex) of the YAML text as stored, so two
// revisions with the same bytes are the same revision and any edit, even a comment, is not.
std::string ContractSha256(std::string_view yaml_text);

// The reason code a failing check of `column` records: the column's `reason` when it has
// one, else TYPE_ERROR for a parse failure (TIMESTAMP_ERROR for dates and timestamps),
// DOMAIN_ERROR for enum, pattern and length, RANGE_ERROR for min/max, TIMESTAMP_ERROR for
// the window. An empty required field is NULL_VALUE_ERROR whatever the column's reason.
enum class CheckKind { kParse, kEnum, kPattern, kLength, kRange, kWindow };
std::string ReasonFor(const Column& column, CheckKind check);

// A derived column with what binding it needs: its version's columns (and ingest_date) are
// the names its expression may use. The integration with DuckDB (src/engine) binds each one
// when a contract is applied and refuses the contract (exit 2, naming `expr_at`) when the
// expression does not bind or its type does not cast to the declared one.
struct DerivedToBind {
  std::string version;
  const DerivedColumn* derived;      // points into the contract
  const std::vector<Column>* scope;  // the version's columns
};
std::vector<DerivedToBind> DerivedColumnsToBind(const Contract& contract);

// The data columns of a dataset's silver files, before the lineage columns: every schema
// version's columns and derived columns, each name once, in the order they first appear (v1's,
// then what v2 adds, ...), typed as the last version that has it declares (evolution only
// widens). A run of one version writes NULL in the columns its version lacks, so the files of
// every version of one contract revision have the same columns (the transactions contract:
// "transaction_type (v2; NULL in v1)").
struct SilverDataColumn {
  std::string name;
  ColumnType type;
};
std::vector<SilverDataColumn> SilverDataColumns(const Contract& contract);

}  // namespace runlake
