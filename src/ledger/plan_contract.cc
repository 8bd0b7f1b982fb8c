// `backfill plan`'s contract line: which revision the dates will use and what changed since
// the revision the canonical runs used.

#include <set>

#include "runlake/dataset_revisions.h"
#include "runlake/run_manifest.h"

namespace runlake {

Result<PlanContract> DescribePlanContract(ObjectStore& store, const DatasetId& dataset,
                                          const std::string& schema_version,
                                          const RunContractChoice& choice,
                                          const std::vector<std::string>& canonical_run_ids) {
  PlanContract out;
  RUNLAKE_ASSIGN_OR_RAISE(out.contract, ResolveRunContract(store, dataset, schema_version, choice));
  std::set<int64_t> revisions;
  for (const auto& run_id : std::set<std::string>(canonical_run_ids.begin(), canonical_run_ids.end())) {
    if (run_id.empty()) continue;
    RUNLAKE_ASSIGN_OR_RAISE(auto m, LoadRunManifest(store, run_id));
    if (!m) continue;  // deleted meanwhile: the plan itself reports the canonical state
    if (m->contract_sha256.empty()) {
      ++out.canonical_without_contract;
    } else {
      revisions.insert(m->contract_revision);
    }
  }
  out.canonical_revisions.assign(revisions.begin(), revisions.end());
  // One stored revision behind the canonical data, and the plan uses another: the diff.
  if (!out.contract || revisions.size() != 1 || *revisions.begin() < 1 ||
      *revisions.begin() == out.contract->revision) {
    return out;
  }
  const int64_t canonical = *revisions.begin();
  RUNLAKE_ASSIGN_OR_RAISE(DatasetRevision stored, GetContractRevision(store, dataset, canonical));
  auto before = ParseContract(stored.contract, layout::DatasetRevisionKey(dataset, canonical));
  if (!before.ok()) return Status::Corruption(before.status().message());
  out.compared_with = canonical;
  out.changes = DiffContracts(*before, out.contract->contract);
  return out;
}

}  // namespace runlake
