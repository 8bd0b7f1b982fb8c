// runlake promote | rollback | pointer: the canonical state of silver.

#include <iostream>

#include "cli/cli_context.h"
#include "cli/text_table.h"
#include "runlake/canonical_table.h"
#include "runlake/promote.h"

namespace runlake::cli {

namespace {

void DatasetOption(CLI::App* cmd, std::string* dataset) {
  cmd->add_option("--dataset", *dataset, "domain/dataset")->capture_default_str();
}

void PrintOutcome(const CliContext& ctx, const PointerOutcome& o) {
  if (ctx.json) {
    nlohmann::json changes = nlohmann::json::array();
    for (const auto& d : o.deltas) {
      changes.push_back({{"source", d.change.source}, {"old_run_id", d.change.old_run_id},
                         {"new_run_id", d.change.new_run_id}, {"old_valid_rows", d.old_valid_rows},
                         {"new_valid_rows", d.new_valid_rows},
                         {"valid_rows_delta", d.new_valid_rows - d.old_valid_rows}});
    }
    ctx.PrintJson({{"committed", o.version.has_value()},
                   {"version", o.version ? PointerToJson(*o.version) : nlohmann::json()},
                   {"changes", changes}});
    return;
  }
  if (!o.version) {
    std::cout << "nothing to change: the runs are already canonical for these sources\n";
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& d : o.deltas) {
    int64_t delta = d.new_valid_rows - d.old_valid_rows;
    rows.push_back({d.change.source, d.change.old_run_id.empty() ? "-" : d.change.old_run_id,
                    d.change.new_run_id.empty() ? "-" : d.change.new_run_id, std::to_string(d.old_valid_rows),
                    std::to_string(d.new_valid_rows), (delta > 0 ? "+" : "") + std::to_string(delta)});
  }
  PrintTable({"SOURCE", "OLD RUN", "NEW RUN", "OLD VALID", "NEW VALID", "DELTA"}, rows);
  std::cout << "committed silver pointer version " << o.version->version << " (" << o.version->action << ")\n";
}

void PrintVersion(const PointerVersion& v) {
  std::cout << "version " << v.version << "  " << v.action << "  " << v.updated_at << "  by " << v.created_by;
  // A multi-run promote names every run, not only the first.
  if (v.run_ids.size() > 1) {
    std::cout << "  runs";
    for (size_t i = 0; i < v.run_ids.size(); ++i) std::cout << (i ? "," : " ") << v.run_ids[i];
  } else if (!v.run_id.empty()) {
    std::cout << "  run " << v.run_id;
  }
  if (v.rolled_back_to) std::cout << "  (copy of version " << v.rolled_back_to << ")";
  if (!v.reason.empty()) std::cout << "\n  reason: " << v.reason;
  std::cout << "\n";
}

}  // namespace

void RegisterPromote(CLI::App& app, CliContext& ctx, int& exit_code) {
  auto* cmd = app.add_subcommand("promote", "Make a committed run canonical for its sources (new pointer version)");
  static std::string run_id, dates, reason;
  cmd->add_option("RID", run_id, "run_id")->required();
  cmd->add_option("--dates", dates, "only sources in FROM..TO (YYYY-MM-DD..YYYY-MM-DD)");
  cmd->add_option("--reason", reason, "why (recorded in the pointer log)");
  cmd->callback(ctx.Handle(exit_code, [&ctx]() -> Status {
    auto store = ctx.Store();
    if (!store.ok()) return store.status();
    PromoteRequest req;
    req.after_commit = PublishCanonicalTable;
    req.run_ids = {run_id};
    req.reason = reason;
    if (!dates.empty()) {
      size_t dots = dates.find("..");
      if (dots == std::string::npos) {
        return Status::InvalidArgument("--dates must be FROM..TO, e.g. 2024-01-01..2024-01-31");
      }
      req.from_date = dates.substr(0, dots);
      req.to_date = dates.substr(dots + 2);
    }
    auto o = Promote(**store, req);
    if (!o.ok()) return o.status();
    PrintOutcome(ctx, *o);
    return Status::OK();
  }));
}

void RegisterRollback(CLI::App& app, CliContext& ctx, int& exit_code) {
  auto* cmd = app.add_subcommand("rollback", "New pointer version equal to an older one (default: the previous)");
  static int64_t to = 0;
  static std::string reason, dataset = "mortgages/transactions";
  cmd->add_option("--to", to, "pointer version to return to")->check(PointerVersionNumber());
  cmd->add_option("--reason", reason, "why (recorded in the pointer log)");
  DatasetOption(cmd, &dataset);
  cmd->callback(ctx.Handle(exit_code, [&ctx]() -> Status {
    auto store = ctx.Store();
    if (!store.ok()) return store.status();
    auto d = ParseDatasetId(dataset);
    if (!d.ok()) return d.status();
    auto o = Rollback(**store, *d, to > 0 ? std::optional<int64_t>(to) : std::nullopt, reason,
                      PublishCanonicalTable);
    if (!o.ok()) return o.status();
    PrintOutcome(ctx, *o);
    return Status::OK();
  }));
}

void RegisterPointer(CLI::App& app, CliContext& ctx, int& exit_code) {
  auto* cmd = app.add_subcommand("pointer", "Show _LATEST (the canonical state) or its history");
  static bool history = false;
  static std::string dataset = "mortgages/transactions", layer = "silver";
  cmd->add_flag("--history", history, "every version, oldest first");
  cmd->add_option("--layer", layer, "silver or gold")->check(CLI::IsMember({"silver", "gold"}))->capture_default_str();
  DatasetOption(cmd, &dataset);
  cmd->callback(ctx.Handle(exit_code, [&ctx]() -> Status {
    auto store = ctx.Store();
    if (!store.ok()) return store.status();
    auto d = ParseDatasetId(dataset);
    if (!d.ok()) return d.status();
    PointerLog log(**store, layer, *d);
    auto latest = log.CheckLatest();
    if (!latest.ok()) return latest.status();
    if (*latest == LatestState::kHandEdited) {
      std::cerr << "runlake: warning: " << log.LatestKey()
                << " was edited by hand and no longer matches the pointer log; the log is the truth. "
                   "Change the canonical state with `runlake promote` or `runlake rollback`. "
                   "Rewriting it from the newest log entry.\n";
    }
    if (*latest != LatestState::kInSync && *latest != LatestState::kNoLog) {
      // A reader of a lake it cannot write still answers; `check --repair` fixes it later.
      Status st = log.RepairLatest();
      if (!st.ok()) std::cerr << "runlake: warning: could not rewrite " << log.LatestKey() << ": " << st.ToString() << "\n";
    }
    // Only the newest version unless the history is asked for: O(1) GETs, not O(history).
    Result<std::vector<PointerVersion>> versions = std::vector<PointerVersion>{};
    if (history) {
      versions = log.History();
    } else {
      auto head = log.Head();
      if (!head.ok()) return head.status();
      if (*head) versions->push_back(**head);
    }
    if (!versions.ok()) return versions.status();
    if (versions->empty()) {
      if (ctx.json) ctx.PrintJson(history ? nlohmann::json::array() : nlohmann::json());
      else std::cout << "no pointer versions yet: nothing is canonical in " << layer << "/" << d->path() << "\n";
      return Status::OK();
    }
    if (ctx.json) {
      if (!history) { ctx.PrintJson(PointerToJson(versions->back())); return Status::OK(); }
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& v : *versions) arr.push_back(PointerToJson(v));
      ctx.PrintJson(arr);
      return Status::OK();
    }
    if (history) {
      for (const auto& v : *versions) PrintVersion(v);
      return Status::OK();
    }
    const PointerVersion& head = versions->back();
    PrintVersion(head);
    std::vector<std::vector<std::string>> rows;
    for (const auto& [source, run] : head.sources) rows.push_back({source, run});
    PrintTable({"SOURCE", "RUN_ID"}, rows);
    return Status::OK();
  }));
}

}  // namespace runlake::cli
