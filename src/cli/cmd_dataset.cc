// runlake dataset apply FILE [--reason T] | list | show D [--revision N] | diff D [N M]:
// dataset contracts as revisions in the lake (runlake/dataset_revisions.h).

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/cli_context.h"
#include "cli/text_table.h"
#include "runlake/contract.h"
#include "runlake/contract_diff.h"
#include "runlake/derived_binding.h"

namespace runlake::cli {

namespace {

using nlohmann::json;

constexpr size_t kMaxContractBytes = size_t{4} << 20;

json RevisionJson(const DatasetRevision& r) {
  return json{{"dataset", r.dataset.path()},       {"revision", r.revision},
              {"contract_sha256", r.contract_sha256}, {"created_at", r.created_at},
              {"created_by", r.created_by},         {"reason", r.reason}};
}

// The schema versions a stored contract declares ("" entries never: a revision loaded when
// it was applied; one that no longer does is reported, not guessed around).
Result<std::vector<std::string>> SchemasOf(const DatasetRevision& r) {
  auto c = ParseContract(r.contract, layout::DatasetRevisionKey(r.dataset, r.revision));
  if (!c.ok()) return Status::Corruption(c.status().message());
  std::vector<std::string> out;
  for (const auto& s : c->schemas) out.push_back(s.name);
  return out;
}

Result<Contract> LoadStored(ObjectStore& store, const DatasetId& d, int64_t revision) {
  RUNLAKE_ASSIGN_OR_RAISE(DatasetRevision r, GetContractRevision(store, d, revision));
  auto c = ParseContract(r.contract, layout::DatasetRevisionKey(d, revision));
  if (!c.ok()) return Status::Corruption(c.status().message());
  return c;
}

std::string Joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}

Status Apply(CliContext& ctx, const std::string& file, const std::string& reason) {
  auto text = ReadContractFile(file);
  if (!text.ok()) return text.status();
  // A derived expression that does not bind is refused before anything is stored.
  auto parsed = ParseContract(*text, file);
  if (!parsed.ok()) return parsed.status();
  RUNLAKE_RETURN_NOT_OK(BindDerivedColumns(*parsed));
  auto store = ctx.Store();
  if (!store.ok()) return store.status();
  auto r = ApplyContract(**store, ApplyContractRequest{*text, file, reason, ""});
  if (!r.ok()) return r.status();
  const DatasetRevision& rev = r->revision;
  if (ctx.json) {
    json j = RevisionJson(rev);
    j["applied"] = r->applied;
    ctx.PrintJson(j);
  } else if (r->applied) {
    std::cout << "applied " << file << " as " << rev.dataset.path() << " revision " << rev.revision
              << " (sha256 " << rev.contract_sha256 << ")\n";
  } else {
    std::cout << rev.dataset.path() << " revision " << rev.revision << " already has these bytes (sha256 "
              << rev.contract_sha256 << "): nothing stored\n";
  }
  return Status::OK();
}

Status List(CliContext& ctx) {
  auto store = ctx.Store();
  if (!store.ok()) return store.status();
  auto all = ListDatasetContracts(**store);
  if (!all.ok()) return all.status();
  json out = json::array();
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : *all) {
    auto schemas = SchemasOf(r);
    if (!schemas.ok()) return schemas.status();
    json j = RevisionJson(r);
    j["schemas"] = *schemas;
    out.push_back(j);
    rows.push_back({r.dataset.path(), std::to_string(r.revision), Joined(*schemas),
                    r.contract_sha256.substr(0, 12), r.created_at, r.created_by, r.reason});
  }
  if (ctx.json) {
    ctx.PrintJson(out);
  } else if (rows.empty()) {
    std::cout << "no dataset contracts (runlake init stores the built-in one; runlake dataset apply FILE)\n";
  } else {
    PrintTable({"DATASET", "REVISION", "SCHEMAS", "SHA256", "CREATED_AT", "CREATED_BY", "REASON"}, rows);
  }
  return Status::OK();
}

Status Show(CliContext& ctx, const std::string& dataset, int64_t revision) {
  auto d = ParseDatasetId(dataset);
  if (!d.ok()) return d.status();
  auto store = ctx.Store();
  if (!store.ok()) return store.status();
  Result<DatasetRevision> r = Status::Internal("unset");
  if (revision > 0) {
    r = GetContractRevision(**store, *d, revision);
  } else {
    auto newest = NewestContractRevision(**store, *d);
    if (!newest.ok()) return newest.status();
    if (!*newest) {
      return Status::NotFound("dataset " + d->path() + " has no contract revision (" +
                                            "runlake dataset apply FILE; runlake init stores the built-in " +
                                            "mortgages/transactions)");
    }
    r = **newest;
  }
  if (!r.ok()) return r.status();
  if (ctx.json) {
    json j = RevisionJson(*r);
    j["contract"] = r->contract;
    ctx.PrintJson(j);
  } else {
    // The YAML exactly as stored, so `show D > f.yaml; apply f.yaml` is a no-op.
    std::cout << r->contract;
    if (!r->contract.empty() && r->contract.back() != '\n') std::cout << "\n";
  }
  return Status::OK();
}

Status Diff(CliContext& ctx, const std::string& dataset, int64_t from, int64_t to) {
  auto d = ParseDatasetId(dataset);
  if (!d.ok()) return d.status();
  auto store = ctx.Store();
  if (!store.ok()) return store.status();
  auto revisions = ListContractRevisions(**store, *d);
  if (!revisions.ok()) return revisions.status();
  if (revisions->empty()) {
    return Status::NotFound("dataset " + d->path() + " has no contract revision");
  }
  // Defaults: the newest against the one before it (itself when it is the only one).
  const int64_t newest = revisions->back();
  if (to == 0) to = newest;
  if (from == 0) from = std::max<int64_t>(1, to - 1);
  auto a = LoadStored(**store, *d, from);
  if (!a.ok()) return a.status();
  auto b = LoadStored(**store, *d, to);
  if (!b.ok()) return b.status();
  auto changes = DiffContracts(*a, *b);
  if (ctx.json) {
    json list = json::array();
    for (const auto& c : changes) list.push_back(c.ToJson());
    ctx.PrintJson({{"dataset", d->path()}, {"from", from}, {"to", to}, {"changes", list}});
  } else {
    std::cout << d->path() << ": revision " << from << " -> " << to << ": " << changes.size()
              << (changes.size() == 1 ? " change" : " changes") << "\n";
    for (const auto& c : changes) std::cout << "  " << c.ToString() << "\n";
  }
  return Status::OK();
}

}  // namespace

Result<std::string> ReadContractFile(const std::string& path) {
  return ReadUserFile(path, kMaxContractBytes, "contract file", "4 MiB: not a dataset contract");
}

Result<RunContractChoice> ContractChoice(const std::string& contract_path, int64_t revision) {
  RunContractChoice choice;
  choice.revision = revision;
  if (contract_path.empty()) return choice;
  RUNLAKE_ASSIGN_OR_RAISE(choice.text, ReadContractFile(contract_path));
  RUNLAKE_ASSIGN_OR_RAISE(Contract parsed, ParseContract(choice.text, contract_path));
  RUNLAKE_RETURN_NOT_OK(BindDerivedColumns(parsed));
  choice.origin = contract_path;
  return choice;
}

void RegisterDataset(CLI::App& app, CliContext& ctx, int& exit_code) {
  auto* cmd = app.add_subcommand("dataset", "Dataset contracts: revisions stored in the lake");
  cmd->require_subcommand(1);
  static std::string file, reason, dataset;
  static int64_t revision = 0, from = 0, to = 0;
  const auto revision_number = [] {
    return WholeNumberAtLeastOne("a contract revision is", " (leave it out for the newest)", "N>=1");
  };

  auto* apply = cmd->add_subcommand("apply", "Store a contract as the dataset's next revision");
  apply->add_option("FILE", file, "contract YAML (or JSON)")->required();
  apply->add_option("--reason", reason, "why (recorded with the revision)");
  apply->callback(ctx.Handle(exit_code, [&ctx]() -> Status { return Apply(ctx, file, reason); }));

  auto* list = cmd->add_subcommand("list", "Every dataset's current (newest) revision");
  list->callback(ctx.Handle(exit_code, [&ctx]() -> Status { return List(ctx); }));

  auto* show = cmd->add_subcommand("show", "A revision's contract, as stored");
  show->add_option("DATASET", dataset, "domain/dataset")->required();
  show->add_option("--revision", revision, "revision (default: the newest)")->check(revision_number());
  show->callback(ctx.Handle(exit_code, [&ctx]() -> Status { return Show(ctx, dataset, revision); }));

  auto* diff = cmd->add_subcommand("diff", "Every changed column, check and limit between two revisions");
  diff->add_option("DATASET", dataset, "domain/dataset")->required();
  auto* n = diff->add_option("N", from, "from revision (default: the one before M)")->check(revision_number());
  auto* m = diff->add_option("M", to, "to revision (default: the newest)")->check(revision_number());
  diff->add_option("--from", from, "as N")->check(revision_number())->excludes(n);
  diff->add_option("--to", to, "as M")->check(revision_number())->excludes(m);
  diff->callback(ctx.Handle(exit_code, [&ctx]() -> Status { return Diff(ctx, dataset, from, to); }));
}

}  // namespace runlake::cli
