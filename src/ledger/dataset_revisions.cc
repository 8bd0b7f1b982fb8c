// The dataset contract revision log: reading, listing and applying (put-if-absent).

#include "runlake/dataset_revisions.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>

#include "runlake/clock.h"
#include "common/retry.h"
#include "runlake/builtin_contracts.h"
#include "runlake/contract_evolution.h"
#include "runlake/pointer.h"

namespace runlake {

using nlohmann::json;

namespace {

constexpr std::string_view kMetadataPrefix = "# runlake-revision: ";
// As the pointer log: losing a revision to another writer is a race, not a failure.
constexpr int kMaxApplyAttempts = 50;

std::string LastSegment(const DatasetId& d) { return d.dataset; }

Result<std::optional<DatasetRevision>> Newest(ObjectStore& store, const DatasetId& dataset) {
  RUNLAKE_ASSIGN_OR_RAISE(auto revisions, ListContractRevisions(store, dataset));
  if (revisions.empty()) return std::optional<DatasetRevision>();
  RUNLAKE_ASSIGN_OR_RAISE(DatasetRevision r, GetContractRevision(store, dataset, revisions.back()));
  return std::optional<DatasetRevision>(std::move(r));
}

// Two datasets may not share their names' last segment: their views (silver_<ds>) collide.
Status CheckNameIsFree(ObjectStore& store, const DatasetId& dataset) {
  RUNLAKE_ASSIGN_OR_RAISE(auto objects, store.List(layout::kDatasetsPrefix));
  for (const auto& o : objects) {
    auto ref = layout::ParseDatasetRevisionKey(o.key);
    if (!ref || ref->dataset == dataset || LastSegment(ref->dataset) != LastSegment(dataset)) continue;
    return Status::FailedPrecondition("dataset " + dataset.path() + " is refused: " +
                                      ref->dataset.path() + " already has the name '" +
                                      LastSegment(dataset) +
                                      "' (its views silver_" + LastSegment(dataset) +
                                      " would collide); name the dataset differently");
  }
  return Status::OK();
}

}  // namespace

std::string EncodeDatasetRevision(const DatasetRevision& r) {
  // dump() escapes control characters, so a reason with a newline stays on this one line.
  json meta{{"dataset", r.dataset.path()},     {"revision", r.revision},
            {"contract_sha256", r.contract_sha256}, {"created_at", r.created_at},
            {"created_by", r.created_by},       {"reason", r.reason}};
  return std::string(kMetadataPrefix) + meta.dump() + "\n" + r.contract;
}

Result<DatasetRevision> DecodeDatasetRevision(const std::string& key, const std::string& stored) {
  auto bad = [&](const std::string& why) {
    return Status::Corruption(key + ": not a dataset contract revision (" + why + ")");
  };
  size_t eol = stored.find('\n');
  if (stored.rfind(kMetadataPrefix, 0) != 0 || eol == std::string::npos) {
    return bad("no '" + std::string(kMetadataPrefix) + "' line first");
  }
  json meta = json::parse(stored.substr(kMetadataPrefix.size(), eol - kMetadataPrefix.size()), nullptr,
                          false);
  if (!meta.is_object()) return bad("its metadata line is not a JSON object");
  auto ref = layout::ParseDatasetRevisionKey(key);
  if (!ref) return bad("the key is not _datasets/<domain>/<dataset>/NNNNNNNNNN.yaml");
  DatasetRevision r;
  r.dataset = ref->dataset;
  r.revision = ref->revision;
  r.contract = stored.substr(eol + 1);
  r.contract_sha256 = ContractSha256(r.contract);
  try {
    if (meta.at("revision").get<int64_t>() != r.revision) return bad("its metadata names another revision");
    if (meta.at("dataset").get<std::string>() != r.dataset.path()) return bad("its metadata names another dataset");
    if (meta.at("contract_sha256").get<std::string>() != r.contract_sha256) {
      return bad("the contract's bytes do not match the contract_sha256 recorded with it");
    }
    r.created_at = meta.value("created_at", "");
    r.created_by = meta.value("created_by", "");
    r.reason = meta.value("reason", "");
  } catch (const json::exception& e) {
    return bad(e.what());
  }
  return r;
}

Result<std::vector<int64_t>> ListContractRevisions(ObjectStore& store, const DatasetId& dataset) {
  RUNLAKE_ASSIGN_OR_RAISE(auto objects, store.List(layout::DatasetRevisionsPrefix(dataset)));
  std::vector<int64_t> out;
  for (const auto& o : objects) {
    auto ref = layout::ParseDatasetRevisionKey(o.key);
    if (ref && ref->dataset == dataset) out.push_back(ref->revision);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::optional<DatasetRevision>> NewestContractRevision(ObjectStore& store,
                                                              const DatasetId& dataset) {
  return Newest(store, dataset);
}

Result<DatasetRevision> GetContractRevision(ObjectStore& store, const DatasetId& dataset,
                                            int64_t revision) {
  const std::string key = layout::DatasetRevisionKey(dataset, revision);
  auto text = store.Get(key);
  if (!text.ok()) {
    if (!text.status().IsNotFound()) return text.status();
    return Status::NotFound("dataset " + dataset.path() + " has no contract revision " +
                            std::to_string(revision));
  }
  return DecodeDatasetRevision(key, *text);
}

Result<std::vector<DatasetRevision>> ListDatasetContracts(ObjectStore& store) {
  RUNLAKE_ASSIGN_OR_RAISE(auto objects, store.List(layout::kDatasetsPrefix));
  std::map<std::string, layout::DatasetRevisionRef> newest;  // by dataset path: sorted
  for (const auto& o : objects) {
    auto ref = layout::ParseDatasetRevisionKey(o.key);
    if (!ref) continue;
    auto [it, inserted] = newest.emplace(ref->dataset.path(), *ref);
    if (!inserted && it->second.revision < ref->revision) it->second = *ref;
  }
  std::vector<DatasetRevision> out;
  for (const auto& [path, ref] : newest) {
    RUNLAKE_ASSIGN_OR_RAISE(DatasetRevision r, GetContractRevision(store, ref.dataset, ref.revision));
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::optional<DatasetRevision>> FindContractRevisionBySha(ObjectStore& store,
                                                                 const DatasetId& dataset,
                                                                 const std::string& sha256) {
  RUNLAKE_ASSIGN_OR_RAISE(auto revisions, ListContractRevisions(store, dataset));
  for (auto it = revisions.rbegin(); it != revisions.rend(); ++it) {
    RUNLAKE_ASSIGN_OR_RAISE(DatasetRevision r, GetContractRevision(store, dataset, *it));
    if (r.contract_sha256 == sha256) return std::optional<DatasetRevision>(std::move(r));
  }
  return std::optional<DatasetRevision>();
}

Result<ApplyContractResult> ApplyContract(ObjectStore& store, const ApplyContractRequest& request) {
  RUNLAKE_ASSIGN_OR_RAISE(Contract contract, ParseContract(request.text, request.origin));
  RUNLAKE_ASSIGN_OR_RAISE(DatasetId dataset, ParseDatasetId(contract.dataset));
  RUNLAKE_RETURN_NOT_OK(CheckNameIsFree(store, dataset));
  // The transactions dataset's history starts with the built-in contract (revision 1), so a
  // lake from before revisions checks its first apply against what its runs have used.
  if (dataset.path() == kTransactionsDataset && request.text != TransactionsContractYaml()) {
    RUNLAKE_RETURN_NOT_OK(EnsureBuiltinContract(store).status());
  }
  DatasetRevision next;
  next.dataset = dataset;
  next.contract = request.text;
  next.contract_sha256 = ContractSha256(request.text);
  next.created_by = request.created_by.empty() ? CurrentActor() : request.created_by;
  next.reason = request.reason;
  Backoff backoff(RetryPolicy{kMaxApplyAttempts, std::chrono::milliseconds(2), std::chrono::milliseconds(256)});
  do {
    RUNLAKE_ASSIGN_OR_RAISE(auto newest, Newest(store, dataset));
    if (newest && newest->contract_sha256 == next.contract_sha256) {
      return ApplyContractResult{*newest, false};
    }
    if (newest) {
      // The stored revision loaded when it was applied; one that no longer does is damage.
      auto older = ParseContract(newest->contract, layout::DatasetRevisionKey(dataset, newest->revision));
      if (!older.ok()) return Status::Corruption(older.status().message());
      RUNLAKE_RETURN_NOT_OK(CheckEvolution(*older, contract).WithContext(
          request.origin + ": refused as revision " + std::to_string(newest->revision + 1) + " of " +
          dataset.path()));
    }
    next.revision = newest ? newest->revision + 1 : 1;
    next.created_at = NowIso8601Utc();
    Status st = store.PutIfAbsent(layout::DatasetRevisionKey(dataset, next.revision),
                                  EncodeDatasetRevision(next));
    if (st.ok()) return ApplyContractResult{next, true};
    if (!st.IsAlreadyExists()) return st;
  } while (backoff.Next());
  return Status::Conflict("could not store a new contract revision of " + dataset.path() + " after " +
                          std::to_string(kMaxApplyAttempts) + " attempts: other applies kept winning");
}

}  // namespace runlake
