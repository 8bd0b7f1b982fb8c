#pragma once
// The columns inside runlake's Parquet files (DESIGN.md "Rows"), in file order, shared by
// the writer (which casts to exactly these types), the views (which must expose them even
// over zero files) and the external-engine DDL (catalog/catalog_export.h).

#include <array>

namespace runlake {

struct ColumnSpec {
  const char* name;
  const char* type;  // DuckDB SQL type
};

inline constexpr std::array<ColumnSpec, 11> kSilverFileColumns = {{
    {"transaction_id", "VARCHAR"},
    {"account_id", "VARCHAR"},
    {"amount", "DECIMAL(16,2)"},
    {"currency", "VARCHAR"},
    {"tx_date", "TIMESTAMP"},
    {"transaction_type", "VARCHAR"},
    {"ingest_date", "DATE"},
    {"source_key", "VARCHAR"},
    {"source_line", "BIGINT"},
    {"row_hash", "VARCHAR"},
    {"ingestion_timestamp", "TIMESTAMP"},
}};

// The lineage columns every silver file ends with, after its dataset's columns (the
// writer's; the views above still list the transactions dataset's whole file).
inline constexpr std::array<ColumnSpec, 5> kSilverLineageColumns = {{
    {"ingest_date", "DATE"},
    {"source_key", "VARCHAR"},
    {"source_line", "BIGINT"},
    {"row_hash", "VARCHAR"},
    {"ingestion_timestamp", "TIMESTAMP"},
}};

// Hive path columns of silver: .../year=YYYY/month=MM/schema_v=vN/run_id=RID/part-N.parquet
inline constexpr std::array<ColumnSpec, 4> kSilverPathColumns = {{
    {"year", "INTEGER"}, {"month", "INTEGER"}, {"schema_v", "VARCHAR"}, {"run_id", "VARCHAR"},
}};

// raw_bytes came with issue 18: files written before it lack the column (see
// kLegacyRejectFileColumns and CreateRejectView).
inline constexpr std::array<ColumnSpec, 11> kRejectFileColumns = {{
    {"raw_record", "VARCHAR"},
    {"raw_bytes", "BLOB"},
    {"source_line", "BIGINT"},
    {"validation_error", "VARCHAR"},
    {"validation_errors", "VARCHAR[]"},
    {"source_key", "VARCHAR"},
    {"ingest_date", "DATE"},
    {"row_hash", "VARCHAR"},
    {"attempt_count", "INTEGER"},
    {"ingestion_timestamp", "TIMESTAMP"},
    {"run_id", "VARCHAR"},
}};

// Hive path columns of quarantine/condemned: .../ingest_date=D/run_id=RID/part-N.parquet.
// Both are also inside the files, with the same values; the path copy enables pruning.
inline constexpr std::array<ColumnSpec, 2> kRejectPathColumns = {{
    {"ingest_date", "DATE"}, {"run_id", "VARCHAR"},
}};

}  // namespace runlake
