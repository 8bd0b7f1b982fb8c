#pragma once
// The lake's key layout (DESIGN.md "The lake layout"). Every key runlake reads or
// writes is built here, so the contract operators and Athena depend on lives in one file.

#include <cstdint>
#include <optional>
#include <string>

#include "runlake/status.h"

namespace runlake {

// "mortgages/transactions" split in two.
struct DatasetId {
  std::string domain = "mortgages";
  std::string dataset = "transactions";
  std::string path() const { return domain + "/" + dataset; }
  bool operator==(const DatasetId&) const = default;
};

// Parses "domain/dataset"; InvalidArgument on anything else.
Result<DatasetId> ParseDatasetId(const std::string& text);

// run_id: [A-Za-z0-9._-]{1,128} starting with a letter or digit, no "..". InvalidArgument
// says which rule failed (the offending character escaped).
Status ValidateRunId(const std::string& run_id);
// `text` safe to print in a message: non-printable bytes as \xNN, cut at 160 characters.
std::string EscapeForMessage(const std::string& text);
// YYYY-MM-DD naming a real calendar date.
Status ValidateDate(const std::string& date);

// What a bronze key says about itself.
struct BronzeKeyParts {
  DatasetId dataset;
  std::string ingest_date;  // YYYY-MM-DD
  std::string bronze_run_id;
  std::string file_name;
};
// Parses bronze/<domain>/<dataset>/ingest_date=D/run_id=R/<name>; InvalidArgument otherwise.
Result<BronzeKeyParts> ParseBronzeKey(const std::string& key);

namespace layout {

std::string BronzeKey(const DatasetId& d, const std::string& ingest_date,
                      const std::string& run_id, const std::string& file_name);
std::string BronzeIngestRecordKey(const DatasetId& d, const std::string& ingest_date,
                                  const std::string& run_id);
std::string BronzeDatePrefix(const DatasetId& d, const std::string& ingest_date);
inline constexpr const char* kBronzePrefix = "bronze/";
std::string BronzeDatasetPrefix(const DatasetId& d);         // bronze/<d>/
std::string BronzeIngestRecordsPrefix(const DatasetId& d);   // bronze/<d>/_ingests/
// gold/<domain>/<table>/run_id=<RID>: one gold build's folder.
std::string GoldRunDir(const DatasetId& table, const std::string& run_id);
// <dir>/_SUCCESS: the marker a partition or gold folder is complete.
std::string SuccessKey(const std::string& dir);
// "year=2024/month=01/schema_v=v1/run_id=R" under silver/<d>/.
std::string SilverPartitionDir(const DatasetId& d, const std::string& year_month_partition,
                               const std::string& schema_v, const std::string& run_id);
// layer: "quarantine" or "condemned".
std::string RejectDir(const std::string& layer, const DatasetId& d,
                      const std::string& ingest_date, const std::string& run_id);
std::string PartFileName(int index);  // part-00000.parquet
std::string RunManifestKey(const std::string& run_id);
std::string RunClaimKey(const std::string& run_id);  // written first; makes run_ids unique
inline constexpr const char* kRunClaimsPrefix = "_runs/_claims/";
// <layer>/<d>/_pointer_log/ (one object per version) and <layer>/<d>/_LATEST.json.
std::string PointerLogPrefix(const std::string& layer, const DatasetId& d);
std::string LatestKey(const std::string& layer, const DatasetId& d);
inline constexpr const char* kRunsPrefix = "_runs/";

// Dataset contract revisions: _datasets/<domain>/<dataset>/NNNNNNNNNN.yaml, immutable,
// created with put-if-absent (the newest is the dataset's current contract).
inline constexpr const char* kDatasetsPrefix = "_datasets/";
std::string DatasetRevisionsPrefix(const DatasetId& d);  // "_datasets/<d>/<ds>/"
std::string DatasetRevisionKey(const DatasetId& d, int64_t revision);
// The dataset and revision a key under kDatasetsPrefix names; nullopt for any other key
// (an editor's backup file, a stray object), which readers skip.
struct DatasetRevisionRef {
  DatasetId dataset;
  int64_t revision = 0;
};
std::optional<DatasetRevisionRef> ParseDatasetRevisionKey(const std::string& key);

}  // namespace layout
}  // namespace runlake
