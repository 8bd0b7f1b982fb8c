// Lake views. Parquet views list their files explicitly and read partition values from the
// Hive path, so filters on them prune files before DuckDB opens them.

#include "engine/views.h"

#include <algorithm>
#include <span>

#include "engine/engine_internal.h"
#include "engine/lake_schema.h"

namespace runlake {
namespace {

// Not union_by_name: with it DuckDB opens every file's footer when binding, so a filtered
// query would still touch every file of the lake. Every runlake writer writes the full
// column set (transaction_type is NULL in v1), so the first file's schema is everyone's.
Status CreateParquetView(Engine& engine, const std::string& view_name,
                         const std::vector<std::string>& files,
                         std::span<const ColumnSpec> file_columns,
                         std::span<const ColumnSpec> path_columns) {
  std::vector<ColumnSpec> columns(file_columns.begin(), file_columns.end());
  for (const ColumnSpec& p : path_columns) {
    bool in_file = std::any_of(file_columns.begin(), file_columns.end(),
                               [&](const ColumnSpec& c) { return std::string(c.name) == p.name; });
    if (!in_file) columns.push_back(p);  // else the path's value wins; they are equal
  }
  std::string select;
  for (const ColumnSpec& c : columns) {
    select += select.empty() ? "" : ", ";
    select += files.empty() ? "CAST(NULL AS " + std::string(c.type) + ") AS " + c.name
                            : std::string(c.name);
  }
  std::string sql = "CREATE OR REPLACE VIEW " + Engine::QuoteIdentifier(view_name) +
                    " AS SELECT " + select;
  if (files.empty()) {
    sql += " WHERE false";
  } else {
    std::string list, types;
    for (const std::string& f : files) list += (list.empty() ? "" : ", ") + Engine::Quote(f);
    for (const ColumnSpec& p : path_columns) {
      types += (types.empty() ? "" : ", ") + Engine::Quote(p.name) + ": " + p.type;
    }
    sql += " FROM read_parquet([" + list + "], hive_partitioning = true, hive_types = {" +
           types + "})";
  }
  return engine.Execute(sql).WithContext("creating view " + view_name);
}

}  // namespace

Status CreateSilverView(Engine& engine, const std::string& view_name,
                        const std::vector<std::string>& files) {
  return CreateParquetView(engine, view_name, files, kSilverFileColumns, kSilverPathColumns);
}

Status CreateRejectView(Engine& engine, const std::string& view_name,
                        const std::vector<std::string>& files) {
  return CreateParquetView(engine, view_name, files, kRejectFileColumns, kRejectPathColumns);
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
