#include "runlake/catalog_export.h"

#include <nlohmann/json.hpp>
#include <regex>
#include <vector>

#include "engine/lake_schema.h"
#include "runlake/canonical_table.h"

namespace runlake {
namespace {

using nlohmann::json;

struct Column {
  std::string name;
  std::string type;  // DuckDB type, mapped per engine
};

// Columns as the files hold them, minus those a table takes from the path instead.
template <size_t N>
std::vector<Column> FileColumns(const std::array<ColumnSpec, N>& specs,
                                const std::vector<std::string>& from_path = {}) {
  std::vector<Column> out;
  for (const auto& c : specs) {
    bool in_path = false;
    for (const auto& p : from_path) in_path = in_path || p == c.name;
    if (!in_path) out.push_back({c.name, c.type});
  }
  return out;
}

std::vector<Column> SilverColumns() { return FileColumns(kSilverFileColumns); }
// raw_bytes (the exact bytes of a record that is not valid UTF-8) is in newer reject files;
// engines read a missing column as NULL.
std::vector<Column> RejectColumns() {
  auto cols = FileColumns(kRejectFileColumns, {"ingest_date", "run_id"});
  bool has_raw_bytes = false;
  for (const auto& c : cols) has_raw_bytes = has_raw_bytes || c.name == "raw_bytes";
  if (!has_raw_bytes) cols.insert(cols.begin() + 1, Column{"raw_bytes", "BLOB"});
  return cols;
}
std::vector<Column> GoldColumns() {
  return {{"account_id", "VARCHAR"},
          {"currency", "VARCHAR"},
          {"month", "VARCHAR"},
          {"balance", "DECIMAL(38,2)"}};
}
std::vector<Column> CanonicalColumns() {
  return {{"ingest_date", "DATE"},
          {"run_id", "VARCHAR"},
          {"updated_at", "TIMESTAMP"},
          {"action", "VARCHAR"}};
}

// Hive types: Athena, Spark and Glue.
std::string HiveType(const std::string& t) {
  if (t == "VARCHAR") return "string";
  if (t == "BIGINT") return "bigint";
  if (t == "INTEGER") return "int";
  if (t == "DATE") return "date";
  if (t == "TIMESTAMP") return "timestamp";
  if (t == "BLOB") return "binary";
  if (t == "VARCHAR[]") return "array<string>";
  if (t.rfind("DECIMAL", 0) == 0) return "decimal" + t.substr(7);
  return t;
}

std::string TrinoType(const std::string& t) {
  if (t == "VARCHAR[]") return "array(varchar)";
  if (t == "BLOB") return "varbinary";
  if (t == "TIMESTAMP") return "timestamp(6)";
  std::string lower;
  for (char c : t) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

std::string Join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
  return out;
}

std::string ColumnList(const std::vector<Column>& cols, const std::string& quote,
                       std::string (*type)(const std::string&)) {
  std::vector<std::string> lines;
  for (const auto& c : cols) lines.push_back("  " + quote + c.name + quote + " " + type(c.type));
  return Join(lines, ",\n");
}

struct Locations {
  std::string silver, quarantine, condemned, gold, canonical;
};

Locations LocationsOf(const CatalogExportOptions& o) {
  std::string root = o.location;
  while (!root.empty() && root.back() == '/') root.pop_back();
  const std::string d = o.dataset.path();
  return {root + "/silver/" + d + "/", root + "/quarantine/" + d + "/",
          root + "/condemned/" + d + "/", root + "/gold/" + o.dataset.domain + "/" + o.gold_table + "/",
          root + "/" + CanonicalTablePrefix(o.dataset)};
}

// The view every engine gets: silver rows of the newest canonical_sources version only.
std::string SilverCurrentSelect(const std::string& db, const std::string& q) {
  return "SELECT s.*\nFROM " + q + db + q + "." + q + "silver_transactions" + q + " s\nJOIN " + q + db + q +
         "." + q + "canonical_sources" + q +
         " c\n  ON s.ingest_date = c.ingest_date AND s.run_id = c.run_id\nWHERE c.version = "
         "(SELECT max(version) FROM " + q + db + q + "." + q + "canonical_sources" + q + ")";
}

// ---- Athena (engine v3). Partition projection, so no partition is ever registered:
// year/month/schema_v are projected; run_id is NOT a partition (injected projection would
// demand a literal run_id in every query, which a join cannot give), it is read from the
// object path ("$path") in the view silver_transactions, and Athena reads the run_id=...
// folders under each projected schema_v folder. canonical_sources is one unpartitioned
// table over every version's file; version also comes from "$path".
std::string Athena(const CatalogExportOptions& o) {
  const Locations l = LocationsOf(o);
  const std::string& db = o.database;
  // Athena's DDL (Hive) quotes with backticks, its views (Trino SQL) with double quotes.
  auto T = [&](const std::string& name) { return "`" + db + "`.`" + name + "`"; };
  auto V = [&](const std::string& name) { return "\"" + db + "\".\"" + name + "\""; };
  const std::string run_id_of_path = "regexp_extract(\"$path\", '/run_id=([^/]+)/', 1)";
  std::string s;
  s += "-- runlake catalog export --engine athena (Athena engine v3: zstd Parquet)\n";
  s += "-- Timestamps are UTC wall-clock values (Parquet TIMESTAMP, isAdjustedToUTC=false).\n";
  s += "CREATE DATABASE IF NOT EXISTS `" + db + "`;\n\n";
  s += "CREATE EXTERNAL TABLE IF NOT EXISTS " + T("silver_files") + " (\n" +
       ColumnList(SilverColumns(), "`", HiveType) +
       "\n)\nPARTITIONED BY (`year` int, `month` int, `schema_v` string)\nSTORED AS PARQUET\n"
       "LOCATION '" + l.silver + "'\nTBLPROPERTIES (\n"
       "  'projection.enabled'='true',\n"
       "  'projection.year.type'='integer', 'projection.year.range'='1900,2999',\n"
       "  'projection.month.type'='integer', 'projection.month.range'='1,12', "
       "'projection.month.digits'='2',\n"
       "  'projection.schema_v.type'='enum', 'projection.schema_v.values'='v1,v2',\n"
       "  'storage.location.template'='" + l.silver +
       "year=${year}/month=${month}/schema_v=${schema_v}/'\n);\n\n";
  s += "CREATE OR REPLACE VIEW " + V("silver_transactions") + " AS\nSELECT f.*, " +
       run_id_of_path + " AS run_id\nFROM " + V("silver_files") + " f;\n\n";
  for (const auto& [name, loc] : {std::pair{"quarantine", l.quarantine},
                                  std::pair{"condemned", l.condemned}}) {
    s += "CREATE EXTERNAL TABLE IF NOT EXISTS " + T(name) + " (\n" +
         ColumnList(RejectColumns(), "`", HiveType) + ",\n  `run_id` string" +
         "\n)\nPARTITIONED BY (`ingest_date` string)\nSTORED AS PARQUET\nLOCATION '" + loc +
         "'\nTBLPROPERTIES (\n  'projection.enabled'='true',\n"
         "  'projection.ingest_date.type'='date', 'projection.ingest_date.format'='yyyy-MM-dd',\n"
         "  'projection.ingest_date.range'='1900-01-01,NOW+1DAYS',\n"
         "  'storage.location.template'='" + loc + "ingest_date=${ingest_date}/'\n);\n\n";
  }
  const std::string gold = "gold_" + o.gold_table;
  s += "CREATE EXTERNAL TABLE IF NOT EXISTS " + T(gold + "_files") + " (\n" +
       ColumnList(GoldColumns(), "`", HiveType) + "\n)\nSTORED AS PARQUET\nLOCATION '" + l.gold +
       "';\n\n";
  s += "CREATE OR REPLACE VIEW " + V(gold) + " AS\nSELECT g.*, " + run_id_of_path +
       " AS run_id\nFROM " + V(gold + "_files") + " g;\n\n";
  s += "CREATE EXTERNAL TABLE IF NOT EXISTS " + T("canonical_files") + " (\n" +
       ColumnList(CanonicalColumns(), "`", HiveType) + "\n)\nSTORED AS PARQUET\nLOCATION '" +
       l.canonical + "';\n\n";
  s += "CREATE OR REPLACE VIEW " + V("canonical_sources") + " AS\nSELECT c.*, CAST("
       "regexp_extract(\"$path\", '/version=([0-9]+)/', 1) AS bigint) AS version\nFROM " +
       V("canonical_files") + " c;\n\n";
  s += "CREATE OR REPLACE VIEW " + V("silver_current") + " AS\n" + SilverCurrentSelect(db, "\"") +
       ";\n\n";
  s += "CREATE OR REPLACE VIEW " + V("silver_at_version") + " AS\nSELECT s.*, c.version AS "
       "canonical_version\nFROM " + V("silver_transactions") + " s\nJOIN " +
       V("canonical_sources") + " c\n  ON s.ingest_date = c.ingest_date AND s.run_id = c.run_id;\n";
  return s;
}

// The tables of the Hive-style engines (Trino, Spark): each partitioned by its Hive path
// columns, so partition sync / MSCK REPAIR finds new runs and pointer versions.
struct TableDef {
  std::string name;
  std::vector<Column> columns, partitions;
  std::string location;
};

std::vector<TableDef> PartitionedTables(const CatalogExportOptions& o) {
  const Locations l = LocationsOf(o);
  const std::vector<Column> rejects_by = {{"ingest_date", "DATE"}, {"run_id", "VARCHAR"}};
  return {{"silver_transactions", SilverColumns(),
           {{"year", "INTEGER"}, {"month", "INTEGER"}, {"schema_v", "VARCHAR"}, {"run_id", "VARCHAR"}},
           l.silver},
          {"quarantine", RejectColumns(), rejects_by, l.quarantine},
          {"condemned", RejectColumns(), rejects_by, l.condemned},
          {"gold_" + o.gold_table, GoldColumns(), {{"run_id", "VARCHAR"}}, l.gold},
          {"canonical_sources", CanonicalColumns(), {{"version", "BIGINT"}}, l.canonical}};
}

// ---- Trino, Hive connector: partitioned tables, registered with sync_partition_metadata
// (after new runs or pointer versions: it only adds partitions, the DDL stays).
std::string Trino(const CatalogExportOptions& o) {
  const Locations l = LocationsOf(o);
  const std::string& db = o.database;
  auto table = [&](const std::string& name, const std::vector<Column>& cols,
                   const std::vector<Column>& parts, const std::string& loc) {
    std::vector<Column> all = cols;
    all.insert(all.end(), parts.begin(), parts.end());
    std::vector<std::string> part_names;
    for (const auto& p : parts) part_names.push_back("'" + p.name + "'");
    return "CREATE TABLE IF NOT EXISTS hive." + db + "." + name + " (\n" +
           ColumnList(all, "", TrinoType) + "\n)\nWITH (\n  external_location = '" + loc +
           "',\n  format = 'PARQUET'" +
           (parts.empty() ? "" : ",\n  partitioned_by = ARRAY[" + Join(part_names, ", ") + "]") +
           "\n);\n\n";
  };
  std::string s = "-- runlake catalog export --engine trino (Hive connector, catalog 'hive')\n";
  s += "-- Timestamps are UTC wall-clock values (Parquet TIMESTAMP, isAdjustedToUTC=false).\n";
  s += "CREATE SCHEMA IF NOT EXISTS hive." + db + ";\n\n";
  for (const auto& t : PartitionedTables(o)) s += table(t.name, t.columns, t.partitions, t.location);
  s += "-- After runs and pointer changes (adds partitions; run it on a schedule):\n";
  for (const auto& table_def : PartitionedTables(o)) {
    const std::string& t = table_def.name;
    s += "CALL hive.system.sync_partition_metadata('" + db + "', '" + t + "', 'FULL');\n";
  }
  s += "\nCREATE OR REPLACE VIEW hive." + db + ".silver_current AS\n" +
       "SELECT s.*\nFROM hive." + db + ".silver_transactions s\nJOIN hive." + db +
       ".canonical_sources c\n  ON s.ingest_date = c.ingest_date AND s.run_id = c.run_id\n"
       "WHERE c.version = (SELECT max(version) FROM hive." + db + ".canonical_sources);\n\n";
  s += "CREATE OR REPLACE VIEW hive." + db + ".silver_at_version AS\nSELECT s.*, c.version AS "
       "canonical_version\nFROM hive." + db + ".silver_transactions s\nJOIN hive." + db +
       ".canonical_sources c\n  ON s.ingest_date = c.ingest_date AND s.run_id = c.run_id;\n";
  return s;
}

// ---- Spark SQL (3.3+): datasource tables over the folders, MSCK REPAIR to find partitions.
std::string Spark(const CatalogExportOptions& o) {
  const Locations l = LocationsOf(o);
  const std::string& db = o.database;
  auto table = [&](const std::string& name, const std::vector<Column>& cols,
                   const std::vector<Column>& parts, const std::string& loc) {
    std::vector<Column> all = cols;
    all.insert(all.end(), parts.begin(), parts.end());
    std::vector<std::string> part_names;
    for (const auto& p : parts) part_names.push_back("`" + p.name + "`");
    return "CREATE TABLE IF NOT EXISTS `" + db + "`.`" + name + "` (\n" +
           ColumnList(all, "`", HiveType) + "\n)\nUSING parquet\n" +
           (parts.empty() ? "" : "PARTITIONED BY (" + Join(part_names, ", ") + ")\n") +
           "LOCATION '" + loc + "';\n\n";
  };
  std::string s = "-- runlake catalog export --engine spark (Spark SQL 3.3+)\n";
  s += "-- Timestamps are UTC wall-clock values: SET spark.sql.session.timeZone=UTC.\n";
  s += "CREATE DATABASE IF NOT EXISTS `" + db + "`;\n\n";
  for (const auto& t : PartitionedTables(o)) s += table(t.name, t.columns, t.partitions, t.location);
  s += "-- After runs and pointer changes (finds new partitions):\n";
  for (const auto& table_def : PartitionedTables(o)) {
    const std::string& t = table_def.name;
    s += "MSCK REPAIR TABLE `" + db + "`.`" + t + "`;\n";
  }
  s += "\nCREATE OR REPLACE VIEW `" + db + "`.`silver_current` AS\n" + SilverCurrentSelect(db, "`") +
       ";\n\n";
  s += "CREATE OR REPLACE VIEW `" + db + "`.`silver_at_version` AS\nSELECT s.*, c.version AS "
       "canonical_version\nFROM `" + db + "`.`silver_transactions` s\nJOIN `" + db +
       "`.`canonical_sources` c\n  ON s.ingest_date = c.ingest_date AND s.run_id = c.run_id;\n";
  return s;
}

// ---- Glue: TableInput documents for `aws glue create-table`, with Athena's projection.
json GlueTable(const std::string& name, const std::vector<Column>& cols,
               const std::vector<Column>& parts, const std::string& loc, json params) {
  json columns = json::array(), keys = json::array();
  for (const auto& c : cols) columns.push_back({{"Name", c.name}, {"Type", HiveType(c.type)}});
  for (const auto& p : parts) keys.push_back({{"Name", p.name}, {"Type", HiveType(p.type)}});
  params["classification"] = "parquet";
  params["EXTERNAL"] = "TRUE";
  return {{"Name", name},
          {"TableType", "EXTERNAL_TABLE"},
          {"Parameters", params},
          {"PartitionKeys", keys},
          {"StorageDescriptor",
           {{"Columns", columns},
            {"Location", loc},
            {"InputFormat", "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"},
            {"OutputFormat", "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"},
            {"SerdeInfo",
             {{"SerializationLibrary",
               "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"}}}}}};
}

std::string Glue(const CatalogExportOptions& o) {
  const Locations l = LocationsOf(o);
  json tables = json::array();
  tables.push_back(GlueTable(
      "silver_files", SilverColumns(),
      {{"year", "INTEGER"}, {"month", "INTEGER"}, {"schema_v", "VARCHAR"}}, l.silver,
      {{"projection.enabled", "true"},
       {"projection.year.type", "integer"},
       {"projection.year.range", "1900,2999"},
       {"projection.month.type", "integer"},
       {"projection.month.range", "1,12"},
       {"projection.month.digits", "2"},
       {"projection.schema_v.type", "enum"},
       {"projection.schema_v.values", "v1,v2"},
       {"storage.location.template", l.silver + "year=${year}/month=${month}/schema_v=${schema_v}/"}}));
  auto rejects = RejectColumns();
  rejects.push_back({"run_id", "VARCHAR"});
  for (const auto& [name, loc] : {std::pair{"quarantine", l.quarantine},
                                  std::pair{"condemned", l.condemned}}) {
    tables.push_back(GlueTable(name, rejects, {{"ingest_date", "VARCHAR"}}, loc,
                               {{"projection.enabled", "true"},
                                {"projection.ingest_date.type", "date"},
                                {"projection.ingest_date.format", "yyyy-MM-dd"},
                                {"projection.ingest_date.range", "1900-01-01,NOW+1DAYS"},
                                {"storage.location.template", loc + "ingest_date=${ingest_date}/"}}));
  }
  tables.push_back(GlueTable("gold_" + o.gold_table + "_files", GoldColumns(), {}, l.gold, json::object()));
  tables.push_back(GlueTable("canonical_files", CanonicalColumns(), {}, l.canonical, json::object()));
  json out = {{"DatabaseInput", {{"Name", o.database}}}, {"TableInputs", tables}};
  // The views cannot be Glue tables portably: they are the Athena statements.
  CatalogExportOptions athena = o;
  std::string ddl = Athena(athena);
  json views = json::array();
  size_t at = 0;
  while ((at = ddl.find("CREATE OR REPLACE VIEW", at)) != std::string::npos) {
    size_t end = ddl.find(";\n", at);
    views.push_back(ddl.substr(at, end - at));
    at = end;
  }
  out["AthenaViews"] = views;
  return out.dump(2) + "\n";
}

}  // namespace

Result<ExternalEngine> ParseExternalEngine(const std::string& name) {
  if (name == "athena") return ExternalEngine::kAthena;
  if (name == "trino") return ExternalEngine::kTrino;
  if (name == "spark") return ExternalEngine::kSpark;
  if (name == "glue") return ExternalEngine::kGlue;
  return Status::InvalidArgument("--engine '" + name + "': expected athena, trino, spark or glue");
}

Result<std::string> ExportCatalog(const CatalogExportOptions& o) {
  static const std::regex kIdentifier("[A-Za-z_][A-Za-z0-9_]{0,127}");
  if (!std::regex_match(o.database, kIdentifier))
    return Status::InvalidArgument("--database '" + o.database +
                                   "': expected an identifier ([A-Za-z_][A-Za-z0-9_]*)");
  if (!std::regex_match(o.gold_table, kIdentifier))
    return Status::InvalidArgument("gold table '" + o.gold_table + "' is not an identifier");
  if (o.location.empty() || o.location.find('\'') != std::string::npos)
    return Status::InvalidArgument("--location '" + o.location + "': expected a URI without quotes");
  bool s3 = o.location.rfind("s3://", 0) == 0;
  if ((o.engine == ExternalEngine::kAthena || o.engine == ExternalEngine::kGlue) && !s3)
    return Status::InvalidArgument("Athena and Glue read S3: --location s3://bucket/prefix, not '" +
                                   o.location + "'");
  switch (o.engine) {
    case ExternalEngine::kAthena: return Athena(o);
    case ExternalEngine::kTrino: return Trino(o);
    case ExternalEngine::kSpark: return Spark(o);
    case ExternalEngine::kGlue: return Glue(o);
  }
  return Status::Internal("unknown engine");
}

}  // namespace runlake
