// runlake catalog export: DDL for external engines (catalog/catalog_export.h).

#include <filesystem>
#include <iostream>

#include "cli/cli_context.h"
#include "runlake/canonical_table.h"
#include "runlake/catalog_export.h"

namespace runlake::cli {
namespace {

// The lake root as an external engine addresses it: the s3:// URI itself, or file:// and
// the absolute path of a local lake.
std::string DefaultLocation(const std::string& lake_uri) {
  if (lake_uri.rfind("s3://", 0) == 0) return lake_uri;
  std::string path = lake_uri.rfind("file://", 0) == 0 ? lake_uri.substr(7) : lake_uri;
  std::error_code ec;
  auto abs = std::filesystem::absolute(path, ec);
  return "file://" + (ec ? path : abs.lexically_normal().string());
}

}  // namespace

void RegisterCatalog(CLI::App& app, CliContext& ctx, int& exit_code) {
  auto* cmd = app.add_subcommand("catalog", "The lake as tables for Athena, Trino, Spark, Glue");
  cmd->require_subcommand(1);
  static std::string engine, database = "runlake", location, dataset = "mortgages/transactions";
  auto* exp = cmd->add_subcommand("export", "Print the DDL (Glue: TableInput JSON) on stdout");
  exp->add_option("--engine", engine, "athena, trino, spark or glue")->required();
  exp->add_option("--database", database, "database/schema name")->capture_default_str();
  exp->add_option("--location", location, "lake root as the engine sees it (default: the lake)");
  exp->add_option("--dataset", dataset, "domain/dataset")->capture_default_str();
  exp->callback(ctx.Handle(exit_code, [&ctx]() -> Status {
    auto e = ParseExternalEngine(engine);
    if (!e.ok()) return e.status();
    auto d = ParseDatasetId(dataset);
    if (!d.ok()) return d.status();
    CatalogExportOptions o;
    o.engine = *e;
    o.database = database;
    o.location = location.empty() ? DefaultLocation(ctx.lake_uri) : location;
    o.dataset = *d;
    auto ddl = ExportCatalog(o);
    if (!ddl.ok()) return ddl.status();
    // The view reads canonical_sources: make sure every pointer version has its table
    // (versions from before canonical_sources existed, or a crash in between).
    auto store = ctx.Store();
    if (!store.ok()) return store.status();
    auto written = WriteMissingCanonicalTables(**store, *d);
    if (!written.ok()) return written.status();
    if (!written->empty()) {
      std::cerr << "runlake: wrote canonical_sources for " << written->size()
                << " pointer version(s) that lacked it\n";
    }
    if (ctx.json) {
      ctx.PrintJson({{"engine", engine}, {"database", database}, {"location", o.location},
                     {"ddl", *ddl}});
    } else {
      std::cout << *ddl;
    }
    return Status::OK();
  }));
}

}  // namespace runlake::cli
