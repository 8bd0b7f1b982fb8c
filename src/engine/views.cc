// Lake views. Parquet views list their files explicitly and read partition values from the
// Hive path, so filters on them prune files before DuckDB opens them.

#include "engine/views.h"

#include <algorithm>
#include <span>

#include "engine/engine_internal.h"
#include "engine/lake_schema.h"

namespace runlake {
namespace {

// SELECT of `columns` over `files`; columns in `absent` are NULL (files written before them).
std::string ParquetSelect(const std::vector<ColumnSpec>& columns,
                          const std::vector<std::string>& files,
                          std::span<const ColumnSpec> path_columns,
                          std::span<const char* const> absent, const char* extra) {
  std::string select;
  for (const ColumnSpec& c : columns) {
    bool null = files.empty() || std::any_of(absent.begin(), absent.end(), [&](const char* a) {
                  return std::string(a) == c.name;
                });
    select += select.empty() ? "" : ", ";
    select += null ? "CAST(NULL AS " + std::string(c.type) + ") AS " + c.name : std::string(c.name);
  }
  if (extra != nullptr) {
    const std::string e(extra);
    // With no files there is no source_key to compute from: the extra column is NULL.
    select += ", " + (files.empty() ? "CAST(NULL AS VARCHAR) AS " + e.substr(e.rfind(' ') + 1) : e);
  }
  std::string sql = "SELECT " + select;
  if (files.empty()) return sql + " WHERE false";
  std::string list, types;
  for (const std::string& f : files) list += (list.empty() ? "" : ", ") + Engine::Quote(f);
  for (const ColumnSpec& p : path_columns) {
    types += (types.empty() ? "" : ", ") + Engine::Quote(p.name) + ": " + p.type;
  }
  return sql + " FROM read_parquet([" + list + "], hive_partitioning = true, hive_types = {" +
         types + "})";
}

// Not union_by_name: with it DuckDB opens every file's footer when binding, so a filtered
// query would still touch every file of the lake. Every runlake writer of one file format
// writes the full column set (transaction_type is NULL in v1), so the first file's schema
// is everyone's; files of an older format (`legacy`, lacking the `absent` columns) are a
// second read_parquet under UNION ALL, which keeps partition pruning on both sides.
Status CreateParquetView(Engine& engine, const std::string& view_name,
                         const std::vector<std::string>& files,
                         std::span<const ColumnSpec> file_columns,
                         std::span<const ColumnSpec> path_columns,
                         const std::vector<std::string>& legacy = {},
                         std::span<const char* const> absent = {},
                         const char* extra = nullptr) {
  std::vector<ColumnSpec> columns(file_columns.begin(), file_columns.end());
  for (const ColumnSpec& p : path_columns) {
    bool in_file = std::any_of(file_columns.begin(), file_columns.end(),
                               [&](const ColumnSpec& c) { return std::string(c.name) == p.name; });
    if (!in_file) columns.push_back(p);  // else the path's value wins; they are equal
  }
  std::string body;
  if (!files.empty() || legacy.empty()) body = ParquetSelect(columns, files, path_columns, {}, extra);
  if (!legacy.empty()) {
    body += (body.empty() ? "" : " UNION ALL ") +
            ParquetSelect(columns, legacy, path_columns, absent, extra);
  }
  std::string sql =
      "CREATE OR REPLACE VIEW " + Engine::QuoteIdentifier(view_name) + " AS " + body;
  return engine.Execute(sql).WithContext("creating view " + view_name);
}

// Every dataset's rejects share one view: `dataset` comes from source_key
// (bronze/<domain>/<dataset>/...).
constexpr const char* kRejectDatasetColumn =
    "CAST(split_part(source_key, '/', 2) || '/' || split_part(source_key, '/', 3) AS VARCHAR) "
    "AS dataset";

// Reject files written before issue 18 have no raw_bytes.
constexpr const char* kLegacyRejectAbsent[] = {"raw_bytes"};

}  // namespace

ViewColumns TransactionsSilverFileColumns() {
  ViewColumns out;
  for (const ColumnSpec& c : kSilverFileColumns) out.emplace_back(c.name, c.type);
  return out;
}

ViewColumns SilverLineageColumns() {
  ViewColumns out;
  for (const ColumnSpec& c : kSilverLineageColumns) out.emplace_back(c.name, c.type);
  return out;
}

Status CreateSilverView(Engine& engine, const std::string& view_name,
                        const std::vector<std::string>& files) {
  std::vector<std::vector<std::string>> groups;
  if (!files.empty()) groups.push_back(files);
  return CreateSilverView(engine, view_name, groups, TransactionsSilverFileColumns());
}

Status CreateSilverView(Engine& engine, const std::string& view_name,
                        const std::vector<std::vector<std::string>>& groups,
                        const ViewColumns& empty_columns) {
  std::vector<ViewColumns> layouts;
  for (const auto& files : groups) {
    if (files.empty()) continue;
    RUNLAKE_ASSIGN_OR_RAISE(QueryResult d, engine.Query("DESCRIBE SELECT * FROM read_parquet(" +
                                                        Engine::Quote(files.front()) +
                                                        ", hive_partitioning = false)"));
    ViewColumns layout;
    for (const auto& row : d.rows) {
      if (row.size() >= 2 && row[0] && row[1]) layout.emplace_back(*row[0], *row[1]);
    }
    layouts.push_back(std::move(layout));
  }
  // The union, in first-appearance order, typed by the last layout that has the column.
  ViewColumns all;
  for (const ViewColumns& layout : layouts) {
    for (const auto& [name, type] : layout) {
      auto it = std::find_if(all.begin(), all.end(), [&](const auto& c) { return c.first == name; });
      if (it == all.end()) {
        all.emplace_back(name, type);
      } else {
        it->second = type;
      }
    }
  }
  std::string types;
  for (const ColumnSpec& p : kSilverPathColumns) {
    types += (types.empty() ? "" : ", ") + Engine::Quote(p.name) + ": " + p.type;
  }
  std::string body;
  if (layouts.empty()) {
    for (const auto& [name, type] : empty_columns) {
      body += (body.empty() ? "SELECT " : ", ") + std::string("CAST(NULL AS ") + type + ") AS " +
              Engine::QuoteIdentifier(name);
    }
    for (const ColumnSpec& p : kSilverPathColumns) {
      body += std::string(", CAST(NULL AS ") + p.type + ") AS " + p.name;
    }
    body += " WHERE false";
  }
  size_t layout = 0;
  for (const auto& files : groups) {
    if (files.empty()) continue;
    const ViewColumns& have = layouts[layout++];
    std::string select;
    for (const auto& [name, type] : all) {
      auto it = std::find_if(have.begin(), have.end(), [&](const auto& c) { return c.first == name; });
      const std::string id = Engine::QuoteIdentifier(name);
      std::string expr = it == have.end()   ? "CAST(NULL AS " + type + ") AS " + id
                         : it->second == type ? id
                                              : "CAST(" + id + " AS " + type + ") AS " + id;
      select += (select.empty() ? "" : ", ") + expr;
    }
    for (const ColumnSpec& p : kSilverPathColumns) select += std::string(", ") + p.name;
    std::string list;
    for (const std::string& f : files) list += (list.empty() ? "" : ", ") + Engine::Quote(f);
    body += (body.empty() ? "" : " UNION ALL ") + std::string("SELECT ") + select +
            " FROM read_parquet([" + list + "], hive_partitioning = true, hive_types = {" + types +
            "})";
  }
  return engine
      .Execute("CREATE OR REPLACE VIEW " + Engine::QuoteIdentifier(view_name) + " AS " + body)
      .WithContext("creating view " + view_name);
}

Status CreateRejectView(Engine& engine, const std::string& view_name,
                        const std::vector<std::string>& files,
                        const std::vector<std::string>& legacy_files) {
  return CreateParquetView(engine, view_name, files, kRejectFileColumns, kRejectPathColumns,
                           legacy_files, kLegacyRejectAbsent, kRejectDatasetColumn);
}

Status CreateJsonView(Engine& engine, const std::string& view_name,
                      const std::vector<std::string>& json_objects,
                      const std::vector<JsonField>& fields) {
  const std::string table = Engine::QuoteIdentifier(view_name + "__json");
  RUNLAKE_RETURN_NOT_OK(
      engine.Execute("CREATE OR REPLACE TABLE " + table + "(ord BIGINT, doc VARCHAR)"));
  duckdb_appender appender = nullptr;
  std::string table_name = view_name + "__json";
  Status st;
  if (duckdb_appender_create(engine.impl()->conn, nullptr, table_name.c_str(), &appender) ==
      DuckDBError) {
    st = Status::Internal("creating appender for " + table_name);
  }
  for (size_t i = 0; st.ok() && i < json_objects.size(); i++) {
    const std::string& doc = json_objects[i];
    if (duckdb_append_int64(appender, static_cast<int64_t>(i)) ||
        duckdb_append_varchar_length(appender, doc.data(), doc.size()) ||
        duckdb_appender_end_row(appender)) {
      st = Status::Internal("appending to " + table_name);
    }
  }
  if (st.ok() && duckdb_appender_close(appender) == DuckDBError) {
    st = Status::Internal("flushing " + table_name);
  }
  duckdb_appender_destroy(&appender);
  RUNLAKE_RETURN_NOT_OK(st);

  RUNLAKE_ASSIGN_OR_RAISE(
      QueryResult bad,
      engine.Query("SELECT min(ord) FROM " + table + " WHERE NOT json_valid(doc) OR "
                   "CASE WHEN json_valid(doc) THEN json_type(doc) <> 'OBJECT' END"));
  if (!bad.rows.empty() && bad.rows[0][0]) {
    return Status::Corruption(view_name + ": document " + *bad.rows[0][0] +
                              " is not a JSON object");
  }
  std::string select;
  for (const JsonField& f : fields) {
    std::string path = Engine::Quote(f.path.empty() ? "$." + f.name : f.path);
    std::string expr = f.type == "JSON" ? "json_extract(doc, " + path + ")"
                                        : "TRY_CAST(json_extract_string(doc, " + path +
                                              ") AS " + f.type + ")";
    select += expr + " AS " + Engine::QuoteIdentifier(f.name) + ", ";
  }
  return engine
      .Execute("CREATE OR REPLACE VIEW " + Engine::QuoteIdentifier(view_name) + " AS SELECT " +
               select + "CAST(doc AS JSON) AS json FROM " + table + " ORDER BY ord")
      .WithContext("creating view " + view_name);
}

}  // namespace runlake
