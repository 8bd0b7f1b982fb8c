#pragma once
// Views of the lake for queries: silver and reject views over an explicit list of committed
// Parquet files (the catalog decides what is committed, not a glob), and JSON documents
// (run manifests, pointer versions) as a table. Files are local paths.

#include <string>
#include <vector>

#include "engine/engine.h"
#include "runlake/status.h"

namespace runlake {

// (name, DuckDB type) of view columns.
using ViewColumns = std::vector<std::pair<std::string, std::string>>;

// CREATE OR REPLACE VIEW <view_name> over silver files given in groups, each of one column
// layout (the files of the runs of one dataset contract: its columns, then the lineage
// columns; DESIGN.md "Datasets are declared in contracts"). Each group's layout is read from
// its first file (one footer). The view has every group's columns in the order they first
// appear, NULL where a group lacks one (a column a later revision added), typed as the last
// group that has it types it (evolution only widens); then year, month (INTEGER), schema_v,
// run_id read from each path (.../year=YYYY/month=MM/schema_v=vN/run_id=RID/
// part-NNNNN.parquet). Filters on those four prune files before they are opened. With no
// files the view has `empty_columns` (then the Hive columns) and no rows. Errors as for
// Engine::Execute (e.g. IOError when a group's first file cannot be read).
Status CreateSilverView(Engine& engine, const std::string& view_name,
                        const std::vector<std::vector<std::string>>& groups,
                        const ViewColumns& empty_columns);
// One group; with no files, the transactions dataset's columns.
Status CreateSilverView(Engine& engine, const std::string& view_name,
                        const std::vector<std::string>& files);
// The transactions dataset's silver file columns (its contract's, then the lineage ones).
ViewColumns TransactionsSilverFileColumns();
// The lineage columns every silver file ends with.
ViewColumns SilverLineageColumns();

// The same for quarantine/condemned files (.../ingest_date=YYYY-MM-DD/run_id=RID/
// part-NNNNN.parquet): the reject file columns, with ingest_date and run_id prunable, then
// `dataset` (<domain>/<dataset>, from each row's source_key).
// `legacy_files` were written before raw_bytes existed (manifest file format 1): the view
// shows NULL raw_bytes for their rows.
Status CreateRejectView(Engine& engine, const std::string& view_name,
                        const std::vector<std::string>& files,
                        const std::vector<std::string>& legacy_files = {});

// A column of a JSON view: `type` is a DuckDB type; `path` a JSONPath into the document
// ("$.metrics.valid_rows"), "" meaning "$.<name>". Type "JSON" keeps the raw JSON value;
// other types are TRY_CAST from the value's text, so a missing or odd field is NULL.
struct JsonField {
  std::string name;
  std::string type;
  std::string path;
};

// CREATE OR REPLACE <view_name> with the given fields plus `json` (the whole document,
// JSON), one row per document, in order. The documents are copied into the engine (a table
// named <view_name>__json), so the caller's strings need not outlive the call. Corruption
// when a text is not one JSON object; InvalidArgument for a bad field type or path.
Status CreateJsonView(Engine& engine, const std::string& view_name,
                      const std::vector<std::string>& json_objects,
                      const std::vector<JsonField>& fields);

}  // namespace runlake
