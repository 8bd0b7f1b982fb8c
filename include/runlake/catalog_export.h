#pragma once
// `runlake catalog export`: the DDL with which Athena, Trino and Spark (or AWS Glue, as
// TableInput JSON) read the lake's files directly, canonical rows only through the view
// silver_current, which joins silver to the newest canonical_sources version
// (canonical_table.h). Promotes and rollbacks only add canonical_sources versions, so the
// DDL never changes after it is created. See docs/external-engines.md for each engine's
// requirements and why the tables are laid out as they are.

#include <string>

#include "runlake/layout.h"
#include "runlake/status.h"

namespace runlake {

enum class ExternalEngine { kAthena, kTrino, kSpark, kGlue };

// "athena", "trino", "spark", "glue"; InvalidArgument names the choices.
Result<ExternalEngine> ParseExternalEngine(const std::string& name);

struct CatalogExportOptions {
  ExternalEngine engine = ExternalEngine::kAthena;
  std::string database = "runlake";
  // The lake's root as the engine addresses it: s3://bucket/prefix (Athena and Glue need
  // s3://), or file:///abs/path for a local Spark/Trino. No trailing slash needed.
  std::string location;
  DatasetId dataset;
  std::string gold_table = "account_balances";
};

// The DDL text (Glue: one JSON document) on success; InvalidArgument for a location the
// engine cannot read (Athena/Glue without s3://) or a database name that is not an
// identifier ([A-Za-z_][A-Za-z0-9_]*).
Result<std::string> ExportCatalog(const CatalogExportOptions& options);

}  // namespace runlake
