#include "lake/previous_attempts.h"

#include "lake/local_files.h"
#include "runlake/run_manifest.h"

namespace runlake {

Result<std::unordered_map<std::string, int>> LoadPreviousAttempts(
    ObjectStore& store, Engine& engine, const std::vector<RunManifest>& manifests,
    const BronzeKeyParts& source, const std::string& scratch_dir) {
  std::unordered_map<std::string, int> attempts;
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
  if (keys.empty()) return attempts;
  RUNLAKE_ASSIGN_OR_RAISE(auto paths, LocalPathsFor(store, keys, scratch_dir));
  std::string list;
  for (const auto& p : paths) list += (list.empty() ? "" : ", ") + Engine::Quote(p);
  RUNLAKE_ASSIGN_OR_RAISE(
      auto result, engine.Query("SELECT row_hash, max(attempt_count) FROM read_parquet([" + list +
                                "]) GROUP BY row_hash"));
  for (const auto& row : result.rows) {
    if (row[0] && row[1]) attempts[*row[0]] = std::stoi(*row[1]);
  }
  return attempts;
}

}  // namespace runlake
