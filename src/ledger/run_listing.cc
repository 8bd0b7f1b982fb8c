// ListRunsWithCanonical (runlake/run_listing.h).

#include "runlake/run_listing.h"

#include <map>
#include <set>

#include "ledger/run_files.h"
#include "runlake/pointer.h"

namespace runlake {

Result<RunsWithCanonical> ListRunsWithCanonical(ObjectStore& store) {
  RUNLAKE_ASSIGN_OR_RAISE(RunListing listing, ListRuns(store));
  if (store.LocalPath("_runs")) {
    std::vector<const RunManifest*> all;
    for (const auto& m : listing.runs) all.push_back(&m);
    RUNLAKE_ASSIGN_OR_RAISE(auto problems, CheckRunFiles(store, all));
    std::set<std::string> corrupt;
    for (const auto& p : problems) {
      if (corrupt.insert(p.run_id).second) listing.broken.push_back(BrokenRun{p.run_id, p.problem});
    }
    std::erase_if(listing.runs, [&](const RunManifest& m) { return corrupt.count(m.run_id) > 0; });
  }
  // Which sources each run is canonical for, from each dataset's newest pointer version.
  std::map<std::string, std::vector<std::string>> canonical;
  std::set<std::string> seen;
  for (const auto& m : listing.runs) {
    std::string layer = m.kind == "gold" ? "gold" : "silver";
    if (!seen.insert(layer + " " + m.dataset.path()).second) continue;
    RUNLAKE_ASSIGN_OR_RAISE(auto head, PointerLog(store, layer, m.dataset).Head());
    if (head) {
      for (const auto& [source, run] : head->sources) canonical[run].push_back(source);
    }
  }
  RunsWithCanonical out;
  out.broken = std::move(listing.broken);
  for (auto& m : listing.runs) {
    auto it = canonical.find(m.run_id);
    std::vector<std::string> sources = it == canonical.end() ? std::vector<std::string>{} : it->second;
    out.runs.push_back(ListedRun{std::move(m), std::move(sources)});
  }
  return out;
}

}  // namespace runlake
