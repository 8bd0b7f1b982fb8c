// runlake backfill plan|run|status|resume|stop|list: the runbook's backfill playbook as
// one command (src/backfill/backfill_controller.h does the work).

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli/cli_context.h"
#include "cli/text_table.h"
#include "runlake/backfill_controller.h"
#include "runlake/reaping_reads.h"

namespace runlake::cli {
namespace {

using nlohmann::json;

struct Args {
  std::string from, to, rules_path, schema = "v1", bronze_run, dataset = "mortgages/transactions";
  std::string reason, id, contract_path;
  int64_t contract_revision = 0;
  int concurrency = 0, max_attempts = 3;
  bool canary = false, promote = false, one_run = false, queue = false;
};

void AddRangeOptions(CLI::App* cmd, Args& a) {
  cmd->add_option("--from", a.from, "first ingest_date, YYYY-MM-DD")->required();
  cmd->add_option("--to", a.to, "last ingest_date, YYYY-MM-DD (inclusive)")->required();
  cmd->add_option("--rules", a.rules_path, "validation rules JSON");
  cmd->add_option("--schema", a.schema, "schema version: one of the dataset contract's (v1, v2, ...)")->capture_default_str();
  cmd->add_option("--bronze-run", a.bronze_run, "read this bronze run_id (default: the newest)");
  cmd->add_option("--dataset", a.dataset, "domain/dataset")->capture_default_str();
  cmd->add_flag("--one-run", a.one_run, "one run (one run_id, one execution) reading every date of the range");
  auto* contract = cmd->add_option("--contract", a.contract_path, "dataset contract YAML to use and record (not applied)");
  cmd->add_option("--contract-revision", a.contract_revision, "the dataset's contract revision (default: the newest)")
      ->check(WholeNumberAtLeastOne("a contract revision is", " (leave the option out for the newest)", "N>=1"))
      ->excludes(contract);
}

Result<BackfillPlanRequest> PlanRequestOf(const Args& a) {
  BackfillPlanRequest req;
  req.from = a.from;
  req.to = a.to;
  RUNLAKE_ASSIGN_OR_RAISE(req.dataset, ParseDatasetId(a.dataset));
  req.bronze_run = a.bronze_run;
  req.schema_version = a.schema;
  req.one_run = a.one_run;
  return req;
}

// The rules file verbatim (the backfill keeps it so resume validates the same way).
Result<std::string> ReadRules(const std::string& path) {
  if (path.empty()) return std::string();
  std::ifstream f(path, std::ios::binary);
  if (!f) return Status::NotFound("cannot read rules file " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  RUNLAKE_RETURN_NOT_OK(ParseRules(ss.str(), path).status());
  return ss.str();
}

std::string Figure(const json& side, const char* key) {
  return side.is_object() && side.contains(key) ? side[key].dump() : "-";
}

std::string Seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%d:%02d", int(s) / 60, int(s) % 60);
  return buf;
}

// A bar redrawn in place on a terminal; one line per finished date otherwise.
BackfillProgressFn ProgressPrinter() {
  bool tty = isatty(STDERR_FILENO);
  auto warned = std::make_shared<bool>(false);
  return [tty, warned](const BackfillProgress& p, const BackfillDateOutcome* finished) {
    int ended = p.done + p.failed;
    double rate = p.elapsed_seconds > 0 ? p.rows / p.elapsed_seconds : 0;
    if (!tty && finished) {
      std::cerr << finished->date << " " << finished->status << " " << finished->run_id << " "
                << Figure(finished->after, "input_rows") << " rows"
                << (finished->cause.empty() ? "" : " (" + finished->cause + ")") << "  [" << ended
                << "/" << p.total << " ended, " << p.failed << " failed]\n";
      return;
    }
    if (p.live_workers == 0 && !*warned) {
      *warned = true;
      std::fprintf(stderr, "%sno live worker: the dates wait in the queue until `runlake worker` "
                           "runs against this state store\n", tty ? "\n" : "");
    }
    if (p.live_workers > 0) *warned = false;
    if (!tty) return;
    const int width = 30;
    int full = p.total ? width * ended / p.total : 0;
    std::string bar = std::string(full, '#') + std::string(width - full, '.');
    std::string eta = "--:--";
    int finished_now = ended;  // dates ended in this call and before; ETA from the pace
    if (finished_now > 0 && p.elapsed_seconds > 0 && ended < p.total) {
      eta = Seconds(p.elapsed_seconds / std::max(1, finished_now) * (p.total - ended));
    }
    std::fprintf(stderr, "\r[%s] %d/%d done, %d failed, %d running | %.0f rows/s | ETA %s   ",
                 bar.c_str(), p.done, p.total, p.failed, p.running, rate, eta.c_str());
    if (finished && finished->status != "SUCCEEDED") {
      std::fprintf(stderr, "\n%s %s %s\n", finished->date.c_str(), finished->status.c_str(),
                   (finished->cause + " " + finished->error).c_str());
    }
    std::fflush(stderr);
  };
}

void PrintPlan(const BackfillPlan& plan) {
  std::cout << "backfill " << plan.id << " (plan: nothing runs)\n";
  std::vector<std::vector<std::string>> rows;
  uint64_t bytes = 0;
  int64_t rows_known = 0;
  for (const auto& d : plan.dates) {
    bytes += d.bronze_bytes;
    if (d.canonical_input_rows > 0) rows_known += d.canonical_input_rows;
    std::string overlaps;
    for (const auto& o : d.overlaps) overlaps += (overlaps.empty() ? "" : ",") + o;
    rows.push_back({d.date, d.problem.empty() ? d.source_key : "MISSING: " + d.problem,
                    std::to_string(d.bronze_bytes),
                    d.canonical_input_rows < 0 ? "?" : std::to_string(d.canonical_input_rows),
                    d.canonical_run_id.empty() ? "-" : d.canonical_run_id, d.run_id,
                    overlaps.empty() ? "-" : overlaps});
  }
  PrintTable({"DATE", "BRONZE", "BYTES", "ROWS", "CANONICAL", "NEW RUN_ID", "OVERLAPS"}, rows);
  std::cout << plan.dates.size() << " dates, " << plan.problem_dates.size()
            << " without bronze; reads " << bytes << " bronze bytes"
            << (rows_known ? ", about " + std::to_string(rows_known) + " rows" : "") << "\n";
}

std::string Revisions(const std::vector<int64_t>& revisions) {
  std::string out;
  for (int64_t r : revisions) out += (out.empty() ? "" : ", ") + std::to_string(r);
  return out;
}

// The plan's contract: the revision and schema version the dates will use, and what
// changed since the revision the canonical runs recorded (`dataset diff`).
void PrintPlanContract(const BackfillPlan& plan, const PlanContract& c) {
  if (!c.contract) {
    std::cout << "contract: " << plan.dataset.path() << " has none; schema " << plan.schema_version << "\n";
    return;
  }
  std::cout << "contract: " << plan.dataset.path() << " revision " << c.contract->revision
            << (c.contract->revision == 0 ? " (not stored)" : "") << ", sha256 "
            << c.contract->sha256.substr(0, 12) << ", schema " << plan.schema_version << "\n";
  if (!c.canonical_revisions.empty()) {
    std::cout << "canonical runs used revision" << (c.canonical_revisions.size() > 1 ? "s " : " ")
              << Revisions(c.canonical_revisions) << "\n";
  }
  if (c.compared_with) {
    std::cout << "changed since revision " << *c.compared_with << ": " << c.changes.size()
              << (c.changes.size() == 1 ? " change" : " changes") << "\n";
    for (const auto& change : c.changes) std::cout << "  " << change.ToString() << "\n";
  }
}

json PlanContractToJson(const PlanContract& c) {
  if (!c.contract) return json();
  json changes = json::array();
  for (const auto& change : c.changes) changes.push_back(change.ToJson());
  return {{"revision", c.contract->revision},
          {"contract_sha256", c.contract->sha256},
          {"canonical_revisions", c.canonical_revisions},
          {"canonical_runs_without_contract", c.canonical_without_contract},
          {"compared_with", c.compared_with ? json(*c.compared_with) : json()},
          {"changes", changes}};
}

void PrintReport(const BackfillReport& r) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& d : r.dates) {
    rows.push_back({d.date, d.status, std::to_string(d.attempts), d.run_id.empty() ? "-" : d.run_id,
                    d.canonical_run_id.empty() ? "-" : d.canonical_run_id,
                    Figure(d.before, "valid_rows") + " -> " + Figure(d.after, "valid_rows"),
                    Figure(d.before, "quarantined_rows") + " -> " + Figure(d.after, "quarantined_rows"),
                    d.cause});
  }
  PrintTable({"DATE", "STATUS", "ATTEMPTS", "RUN_ID", "CANONICAL", "VALID", "QUARANTINED", "CAUSE"},
             rows);
  std::cout << "backfill " << r.record.id << ": " << ToString(r.record.status) << " ("
            << r.succeeded << " succeeded, " << r.failed << " failed, " << r.aborted << " aborted, "
            << r.pending << " pending";
  if (r.running) std::cout << ", " << r.running << " running";
  std::cout << ")";
  if (r.seconds > 0) {
    char secs[32];
    std::snprintf(secs, sizeof(secs), "%.1f", r.seconds);
    std::cout << " in " << secs << "s, " << r.rows_read << " rows read";
  }
  std::cout << "\n";
  if (r.canary_diff.is_object()) {
    json rows = r.canary_diff.value("rows", json::object());
    std::cout << "canary against " << r.canary_diff.value("run_a", "") << ": "
              << rows.value("added", 0) << " added, " << rows.value("removed", 0) << " removed, "
              << rows.value("changed", 0) << " changed, " << rows.value("unchanged", 0)
              << " unchanged transactions (`runlake runs diff " << r.canary_diff.value("run_a", "")
              << " " << r.canary_diff.value("run_b", "") << "` for details)\n";
  }
  if (r.record.status == BackfillStatus::kPaused) {
    std::cout << "paused after the canary date: `runlake backfill resume " << r.record.id
              << "` runs the rest\n";
  }
  if (r.promotion.is_object() && r.promotion.value("requested", false)) {
    if (r.promotion.value("promoted", false)) {
      std::cout << "promoted " << r.dates.size() << " dates in ONE pointer version "
                << r.promotion.value("pointer_version", 0) << "\n";
    } else {
      std::cout << "not promoted: " << r.promotion.value("reason", "") << "\n";
    }
  }
  for (const auto& w : r.warnings) std::cerr << "runlake: warning: " << w << "\n";
}

// Exit code of run/resume: 0 only when every date succeeded and a requested promotion
// happened, or the canary succeeded and the backfill waits for resume.
int ReportExit(const BackfillReport& r) {
  if (r.record.status == BackfillStatus::kPaused) return kExitOk;
  return r.ok() ? kExitOk : kExitFailed;
}

}  // namespace

void RegisterBackfill(CLI::App& app, CliContext& ctx, int& exit_code) {
  auto* cmd = app.add_subcommand("backfill", "Reprocess a range of dates: plan, run, status, resume, stop");
  cmd->require_subcommand(1);
  static Args a;

  auto contexts = [&ctx]() -> Result<ExecutionContext> {
    RUNLAKE_ASSIGN_OR_RAISE(ObjectStore * store, ctx.Store());
    RUNLAKE_ASSIGN_OR_RAISE(StateStore * state, ctx.State());
    RUNLAKE_ASSIGN_OR_RAISE(std::string log_dir, ctx.LogDir());
    return ExecutionContext{store, state, log_dir, ctx.LakeBucket()};
  };
  // Prints a backfill's report; its exit code says how the backfill went.
  auto finish = [&ctx, &exit_code](const Result<BackfillReport>& r) -> Status {
    if (!r.ok()) return r.status();
    if (isatty(STDERR_FILENO)) std::cerr << "\n";
    if (ctx.json) {
      ctx.PrintJson(BackfillReportToJson(*r));
      for (const auto& w : r->warnings) std::cerr << "runlake: warning: " << w << "\n";
    } else {
      PrintReport(*r);
    }
    exit_code = ReportExit(*r);
    return Status::OK();
  };

  auto* plan = cmd->add_subcommand("plan", "Dry run: per date the bronze it reads, the canonical run, the new run_id");
  AddRangeOptions(plan, a);
  plan->callback(ctx.Handle(exit_code, [&ctx, contexts]() -> Status {
    auto rules = ReadRules(a.rules_path);
    if (!rules.ok()) return rules.status();
    auto req = PlanRequestOf(a);
    if (!req.ok()) return req.status();
    auto ectx = contexts();
    if (!ectx.ok()) return ectx.status();
    auto p = PlanBackfill(*ectx->store, *ectx->state, *req);
    if (!p.ok()) return p.status();
    auto choice = ContractChoice(a.contract_path, a.contract_revision);
    if (!choice.ok()) return choice.status();
    std::vector<std::string> canonical;
    for (const auto& d : p->dates) canonical.push_back(d.canonical_run_id);
    auto contract = DescribePlanContract(*ectx->store, p->dataset, p->schema_version, *choice, canonical);
    if (!contract.ok()) return contract.status();
    if (ctx.json) {
      json j = PlanToJson(*p);
      j["contract"] = PlanContractToJson(*contract);
      ctx.PrintJson(j);
    } else {
      PrintPlan(*p);
      PrintPlanContract(*p, *contract);
    }
    for (const auto& id : p->overlapping_backfills) {
      std::cerr << "runlake: warning: overlaps backfill " << id << " (in flight on some of these dates)\n";
    }
    // The plan exits as `backfill run` would refuse: dates without bronze are bad input.
    if (!p->problem_dates.empty()) {
      return Status::NotFound("backfill run would refuse: " + DescribeProblems(*p));
    }
    return Status::OK();
  }));

  auto* run = cmd->add_subcommand("run", "Run a backfill: one execution per date, in parallel");
  AddRangeOptions(run, a);
  run->add_option("--concurrency", a.concurrency, "workers (default: the cores)");
  run->add_flag("--canary", a.canary, "run the first date only, compare, pause until `backfill resume`");
  run->add_flag("--promote", a.promote, "publish every date in ONE pointer version if all succeed");
  run->add_option("--reason", a.reason, "why (recorded on the backfill and the pointer version)");
  run->add_option("--max-attempts", a.max_attempts, "tries per date for transient failures")
      ->capture_default_str();
  run->add_flag("--queue", a.queue,
                "enqueue the dates for `runlake worker` processes and follow them "
                "(the default with a PostgreSQL state store)");
  run->callback(ctx.Handle(exit_code, [&ctx, contexts, finish]() -> Status {
    BackfillRunRequest req;
    auto rules = ReadRules(a.rules_path);
    if (!rules.ok()) return rules.status();
    auto plan_req = PlanRequestOf(a);
    if (!plan_req.ok()) return plan_req.status();
    if (a.max_attempts < 1) return Status::InvalidArgument("--max-attempts must be >= 1");
    req.plan = *plan_req;
    auto contract = ContractChoice(a.contract_path, a.contract_revision);
    if (!contract.ok()) return contract.status();
    req.contract = *contract;
    req.rules_text = *rules;
    req.rules_origin = a.rules_path;
    req.concurrency = a.concurrency;
    req.canary = a.canary;
    req.promote = a.promote;
    req.reason = a.reason;
    req.max_attempts = a.max_attempts;
    req.queue = a.queue || ctx.StateIsPostgres();
    auto ectx = contexts();
    if (!ectx.ok()) return ectx.status();
    return finish(StartBackfill(*ectx, req, ProgressPrinter()));
  }));

  auto* resume = cmd->add_subcommand("resume", "Run the dates of a backfill that failed or never ran");
  resume->add_option("ID", a.id, "backfill id")->required();
  resume->add_option("--concurrency", a.concurrency, "workers (default: the backfill's own)");
  resume->add_flag("--queue", a.queue, "resume in queue mode (see `backfill run --queue`)");
  resume->callback(ctx.Handle(exit_code, [&ctx, contexts, finish]() -> Status {
    auto ectx = contexts();
    if (!ectx.ok()) return ectx.status();
    return finish(ResumeBackfill(*ectx, a.id, ProgressPrinter(), a.concurrency, a.queue || ctx.StateIsPostgres()));
  }));

  auto* status = cmd->add_subcommand("status", "One backfill, date by date");
  status->add_option("ID", a.id, "backfill id")->required();
  status->callback(ctx.Handle(exit_code, [&ctx, &exit_code, contexts, finish]() -> Status {
    auto ectx = contexts();
    if (!ectx.ok()) return ectx.status();
    RUNLAKE_RETURN_NOT_OK(finish(DescribeBackfill(*ectx, a.id)));
    exit_code = kExitOk;  // status is a query: a failed backfill is reported, not an error
    return Status::OK();
  }));

  auto* stop = cmd->add_subcommand("stop", "Stop a backfill: running dates end ABORTED");
  stop->add_option("ID", a.id, "backfill id")->required();
  stop->callback(ctx.Handle(exit_code, [&ctx]() -> Status {
    auto state = ctx.State();
    if (!state.ok()) return state.status();
    auto rec = StopBackfill(**state, a.id);
    if (!rec.ok()) return rec.status();
    if (ctx.json) ctx.PrintJson(ToJson(*rec));
    else std::cout << "backfill " << rec->id << ": " << ToString(rec->status) << "\n";
    return Status::OK();
  }));

  auto* list = cmd->add_subcommand("list", "Backfills, newest first");
  list->callback(ctx.Handle(exit_code, [&ctx]() -> Status {
    auto state = ctx.State();
    if (!state.ok()) return state.status();
    auto all = ReapAndListBackfills(*(*state), BackfillFilter{});
    if (!all.ok()) return all.status();
    if (ctx.json) {
      json arr = json::array();
      for (const auto& b : *all) arr.push_back(ToJson(b));
      ctx.PrintJson(arr);
      return Status::OK();
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& b : *all) {
      rows.push_back({b.id, ToString(b.status), b.from_date, b.to_date,
                      std::to_string(b.dates.size()), b.created_at});
    }
    PrintTable({"ID", "STATUS", "FROM", "TO", "DATES", "CREATED"}, rows);
    return Status::OK();
  }));
}

}  // namespace runlake::cli
