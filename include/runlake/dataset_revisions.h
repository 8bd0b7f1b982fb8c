#pragma once
// Dataset contract revisions in the lake (DESIGN.md, "Revisions"): each dataset's contracts
// are an immutable log, _datasets/<domain>/<dataset>/NNNNNNNNNN.yaml, created with
// put-if-absent like the pointer log, so two concurrent applies can never both take
// revision N (the loser re-reads the newest and tries N+1). The newest revision is the
// dataset's current contract. Runs record the revision they used (contract_revision,
// contract_sha256 in the manifest and _SUCCESS).
//
// A stored revision is one line of metadata as a YAML comment, then the contract exactly as
// applied: "# runlake-revision: {json}\n<contract text>". The stored object stays valid YAML,
// and contract_sha256 is the SHA-256 of the contract text alone, so `sha256sum FILE` of the
// applied file matches what runs record, and re-applying the same bytes is recognised.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "runlake/contract.h"
#include "runlake/contract_diff.h"
#include "runlake/layout.h"
#include "runlake/object_store.h"
#include "runlake/status.h"

namespace runlake {

struct DatasetRevision {
  DatasetId dataset;
  int64_t revision = 0;  // >= 1
  std::string contract_sha256;
  std::string created_at;  // ISO-8601 UTC
  std::string created_by;  // user@host
  std::string reason;      // `--reason`, "" when none was given
  std::string contract;    // the contract's YAML text as applied
};

// What the stored object of `r` holds (the metadata line, then the contract text).
std::string EncodeDatasetRevision(const DatasetRevision& r);
// The revision stored at `key`. Corruption naming the key when the metadata line is missing
// or does not parse, or when it disagrees with the key or with the contract's hash.
Result<DatasetRevision> DecodeDatasetRevision(const std::string& key, const std::string& stored);

struct ApplyContractRequest {
  std::string text;    // the contract file's bytes
  std::string origin;  // the file name, for messages ("fx.yaml:3:5: ...")
  std::string reason;  // why (recorded)
  std::string created_by;  // "" -> the current user@host
};

struct ApplyContractResult {
  DatasetRevision revision;  // the stored revision, or the newest when nothing was stored
  bool applied = false;      // false: the newest revision has these bytes already (a no-op)
};

// Stores `request.text` as the next revision of the dataset it declares (for the
// transactions dataset, after storing the built-in contract as revision 1 if the lake has
// no revision of it yet). InvalidArgument
// (exit 2) for a contract that does not load (ParseContract's file:line:column: key
// message). FailedPrecondition (exit 1) when the evolution rules refuse it against the
// newest revision (CheckEvolution) or another dataset already has the same last name
// segment (their views would collide); nothing is stored then. The same bytes as the newest
// revision are a no-op (applied = false). Losing revision N to a concurrent apply re-reads
// the newest and checks and tries again (bounded: Conflict when it never wins).
Result<ApplyContractResult> ApplyContract(ObjectStore& store, const ApplyContractRequest& request);

// The built-in transactions contract as revision 1 when its dataset has no revision yet
// (`runlake init`, idempotent; a lake made before revisions gets it from the next `init` or
// its first `dataset apply` of the transactions dataset). Returns the
// dataset's newest revision either way; a lake whose transactions contract has been evolved
// keeps its revisions.
Result<DatasetRevision> EnsureBuiltinContract(ObjectStore& store);

// Every revision number of `dataset`, oldest first (empty when none).
Result<std::vector<int64_t>> ListContractRevisions(ObjectStore& store, const DatasetId& dataset);
// The newest revision of `dataset`; nullopt when it has none.
Result<std::optional<DatasetRevision>> NewestContractRevision(ObjectStore& store,
                                                              const DatasetId& dataset);
// Revision `revision` of `dataset`; NotFound naming both when it does not exist.
Result<DatasetRevision> GetContractRevision(ObjectStore& store, const DatasetId& dataset,
                                            int64_t revision);
// The newest revision of every dataset that has one, sorted by dataset.
Result<std::vector<DatasetRevision>> ListDatasetContracts(ObjectStore& store);

// The newest revision of `dataset` whose contract_sha256 is `sha256`; nullopt when none is.
Result<std::optional<DatasetRevision>> FindContractRevisionBySha(ObjectStore& store,
                                                                 const DatasetId& dataset,
                                                                 const std::string& sha256);

// The contract a run uses and records (DESIGN.md: `run`/`backfill` take `--contract FILE`,
// used and recorded but not applied, or `--contract-revision N`; else the newest revision).
struct RunContractChoice {
  int64_t revision = 0;       // --contract-revision N; 0: the newest
  std::string text;           // --contract FILE's bytes; "" when not given
  std::string origin;         // its file name
};
struct RunContract {
  // The revision recorded: the stored one used, or for --contract FILE the stored revision
  // with the same bytes; 0 when the file matches no stored revision (it was not applied).
  int64_t revision = 0;
  std::string sha256;  // of the contract text used
  Contract contract;
};
// Resolves `choice` for a run of `dataset` with `schema_version`. InvalidArgument (exit 2)
// for a file that does not load or declares another dataset, NotFound for a revision that
// does not exist, InvalidArgument for a schema version the contract lacks. When the dataset
// has no revision and none was chosen: the transactions dataset uses its built-in contract
// (revision 0: not stored; a run writes nothing but its own files), any other dataset
// nullopt (the run goes on as before contracts and records none).
Result<std::optional<RunContract>> ResolveRunContract(ObjectStore& store, const DatasetId& dataset,
                                                      const std::string& schema_version,
                                                      const RunContractChoice& choice);

// What `backfill plan` says about contracts: the contract its dates will use, the revisions
// the canonical runs of those dates recorded, and what changed since (DiffContracts) when they
// all recorded one stored revision other than the chosen one.
struct PlanContract {
  std::optional<RunContract> contract;       // nullopt: the dataset has no contract
  std::vector<int64_t> canonical_revisions;  // distinct, sorted (0: no stored revision)
  int64_t canonical_without_contract = 0;    // canonical runs that recorded no contract
  std::optional<int64_t> compared_with;      // the canonical revision `changes` start from
  std::vector<ContractChange> changes;       // empty when nothing changed or not comparable
};
// Errors as ResolveRunContract; a canonical run whose manifest is gone is left out.
Result<PlanContract> DescribePlanContract(ObjectStore& store, const DatasetId& dataset,
                                          const std::string& schema_version,
                                          const RunContractChoice& choice,
                                          const std::vector<std::string>& canonical_run_ids);

}  // namespace runlake
