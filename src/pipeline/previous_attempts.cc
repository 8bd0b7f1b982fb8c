#include "pipeline/previous_attempts.h"

#include "store/local_files.h"
#include "runlake/run_manifest.h"

namespace runlake {

Result<std::unique_ptr<AttemptSpill>> LoadPreviousAttempts(
    ObjectStore& store, Engine& engine, const std::vector<RunManifest>& manifests,
    const BronzeKeyParts& source, const std::string& scratch_dir) {
  std::vector<std::string> keys;
  for (const auto& m : manifests) {
    if (!(m.dataset == source.dataset)) continue;
    bool same_source = false;
    for (const auto& s : m.sources) same_source |= s.ingest_date == source.ingest_date;
    if (!same_source) continue;
    for (const auto& f : m.files) {
      if ((f.layer == "quarantine" || f.layer == "condemned") &&
          f.partition == "ingest_date=" + source.ingest_date) {
        keys.push_back(f.key);
      }
    }
  }
  if (keys.empty()) return std::unique_ptr<AttemptSpill>();
  RUNLAKE_ASSIGN_OR_RAISE(auto paths, LocalPathsFor(store, keys, scratch_dir));
  std::string list;
  for (const auto& p : paths) list += (list.empty() ? "" : ", ") + Engine::Quote(p);
  auto spill = std::make_unique<AttemptSpill>(AttemptSpillOptions{scratch_dir});
  // No GROUP BY: the spill keeps the highest count per hash itself, in bounded memory,
  // where DuckDB's aggregate would hold every distinct hash.
  RUNLAKE_RETURN_NOT_OK(engine.StreamTextAndNumber(
      "SELECT row_hash, CAST(attempt_count AS BIGINT) FROM read_parquet([" + list + "])",
      [&](std::string_view hash, int64_t count) -> Status {
        auto key = RowKeyOfHex(hash);
        if (!key.ok()) return Status::Corruption("an earlier reject file holds row_hash '" + std::string(hash.substr(0, 80)) + "'");
        return spill->AddEarlier(*key, static_cast<int>(std::min<int64_t>(count, 1 << 20)));
      }));
  return spill;
}

}  // namespace runlake
