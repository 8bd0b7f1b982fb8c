// Which contract revision a run uses and records, and the built-in transactions contract
// as revision 1.

#include "runlake/builtin_contracts.h"
#include "runlake/dataset_revisions.h"

namespace runlake {
namespace {

// A run's schema_version must be one of its contract's versions (exit 2, nothing written).
Result<std::optional<RunContract>> CheckSchema(RunContract& chosen, const DatasetId& dataset,
                                               const std::string& schema_version) {
  if (chosen.contract.FindSchema(schema_version) == nullptr) {
    std::string known;
    for (const auto& s : chosen.contract.schemas) known += (known.empty() ? "" : ", ") + s.name;
    const std::string which =
        chosen.revision > 0 ? " revision " + std::to_string(chosen.revision) : "";
    return Status::InvalidArgument("schema_version '" + schema_version + "' is not in the contract of " +
                                   dataset.path() + which + " (its versions: " + known + ")");
  }
  return std::optional<RunContract>(std::move(chosen));
}

}  // namespace

Result<DatasetRevision> EnsureBuiltinContract(ObjectStore& store) {
  RUNLAKE_ASSIGN_OR_RAISE(DatasetId dataset, ParseDatasetId(std::string(kTransactionsDataset)));
  RUNLAKE_ASSIGN_OR_RAISE(auto newest, NewestContractRevision(store, dataset));
  if (newest) return *newest;
  // Two first uses at once both try revision 1 with the same bytes: the loser finds it
  // stored and ApplyContract returns it as a no-op.
  RUNLAKE_ASSIGN_OR_RAISE(ApplyContractResult r,
                          ApplyContract(store, ApplyContractRequest{std::string(TransactionsContractYaml()),
                                                                    "built-in " + dataset.path(),
                                                                    "built-in contract (runlake init)", ""}));
  return r.revision;
}

Result<std::optional<RunContract>> ResolveRunContract(ObjectStore& store, const DatasetId& dataset,
                                                      const std::string& schema_version,
                                                      const RunContractChoice& choice) {
  RunContract out;
  if (!choice.text.empty()) {
    // --contract FILE: used and recorded, not applied; its revision is the stored one with
    // the same bytes, if any.
    RUNLAKE_ASSIGN_OR_RAISE(out.contract, ParseContract(choice.text, choice.origin));
    if (out.contract.dataset != dataset.path()) {
      return Status::InvalidArgument(choice.origin + " declares dataset " + out.contract.dataset +
                                     ", but the run reads bronze of " + dataset.path());
    }
    out.sha256 = ContractSha256(choice.text);
    RUNLAKE_ASSIGN_OR_RAISE(auto same, FindContractRevisionBySha(store, dataset, out.sha256));
    if (same) out.revision = same->revision;
  } else {
    std::optional<DatasetRevision> stored;
    if (choice.revision > 0) {
      RUNLAKE_ASSIGN_OR_RAISE(DatasetRevision r, GetContractRevision(store, dataset, choice.revision));
      stored = std::move(r);
    } else {
      RUNLAKE_ASSIGN_OR_RAISE(stored, NewestContractRevision(store, dataset));
    }
    if (!stored && dataset.path() == kTransactionsDataset) {
      // A lake made before revisions existed, or by `ingest` without `init`: the run uses the
      // built-in contract and records its hash with revision 0 (no stored revision). It does
      // not store it: a run's writes are its own files, and the lake gets revision 1 from the
      // next `runlake init` or `dataset apply` of this dataset (EnsureBuiltinContract).
      std::string text(TransactionsContractYaml());
      RUNLAKE_ASSIGN_OR_RAISE(out.contract, ParseContract(text, "built-in " + dataset.path()));
      out.sha256 = ContractSha256(text);
      return CheckSchema(out, dataset, schema_version);
    }
    if (!stored) return std::optional<RunContract>();
    const std::string origin = layout::DatasetRevisionKey(dataset, stored->revision);
    auto parsed = ParseContract(stored->contract, origin);
    if (!parsed.ok()) return Status::Corruption(parsed.status().message());
    out.contract = std::move(*parsed);
    out.revision = stored->revision;
    out.sha256 = stored->contract_sha256;
  }
  return CheckSchema(out, dataset, schema_version);
}

}  // namespace runlake
