// Planning a backfill: bronze per date, canonical run per date, ids, overlaps.

#include "runlake/backfill_plan.h"

#include <algorithm>
#include <map>
#include <optional>

#include "runlake/clock.h"
#include "runlake/bronze.h"
#include "runlake/pointer.h"
#include "runlake/run_manifest.h"
#include "runlake/reaping_reads.h"

namespace runlake {
namespace {

// Bronze runs of one date: bronze run_id -> objects (sorted keys, sizes).
using BronzeRuns = std::map<std::string, std::vector<ObjectInfo>>;

Result<BronzeRuns> ListBronzeRuns(ObjectStore& store, const DatasetId& dataset,
                                  const std::string& date) {
  RUNLAKE_ASSIGN_OR_RAISE(auto objects, store.List(layout::BronzeDatePrefix(dataset, date)));
  BronzeRuns runs;
  for (const auto& o : objects) {
    auto parts = ParseBronzeKey(o.key);
    if (!parts.ok() || parts->ingest_date != date || !(parts->dataset == dataset)) continue;
    runs[parts->bronze_run_id].push_back(o);
  }
  for (auto& [run, files] : runs) {
    std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
  }
  return runs;
}

// Which bronze run a date reads, and why it cannot run when it cannot.
void ChooseBronze(const BronzeRuns& runs, const std::string& wanted, DatePlan* d) {
  if (runs.empty()) {
    d->problem = "no bronze data";
    return;
  }
  // The same rule `runlake bronze list` marks as the default (runlake/bronze.h).
  std::vector<std::string> ids;
  for (const auto& r : runs) ids.push_back(r.first);
  auto it = runs.find(wanted.empty() ? DefaultBronzeRunId(ids) : wanted);
  if (it == runs.end()) {
    d->problem = "no bronze run '" + wanted + "'";
    return;
  }
  d->bronze_run_id = it->first;
  for (const auto& o : it->second) {
    d->bronze_keys.push_back(o.key);
    d->bronze_bytes += o.size;
  }
  // A run reads one bronze object; ingest writes exactly one per bronze run.
  if (it->second.size() != 1) {
    d->problem = std::to_string(it->second.size()) + " objects in bronze run " + it->first +
                 " (a run reads one)";
    return;
  }
  d->source_key = it->second.front().key;
}

bool Overlaps(const BackfillRecord& b, const BackfillPlanRequest& req) {
  return b.dataset == req.dataset && b.from_date <= req.to && req.from <= b.to_date;
}

}  // namespace

Result<BackfillPlan> PlanBackfill(ObjectStore& store, StateStore& state,
                                  const BackfillPlanRequest& req) {
  RUNLAKE_ASSIGN_OR_RAISE(auto dates, DateRange(req.from, req.to));
  if (req.schema_version != "v1" && req.schema_version != "v2") {
    return Status::InvalidArgument("unknown schema version '" + req.schema_version +
                                   "' (known: v1, v2)");
  }
  if (!req.bronze_run.empty()) {
    RUNLAKE_RETURN_NOT_OK(ValidateRunId(req.bronze_run).WithContext("--bronze-run"));
  }
  BackfillPlan plan;
  plan.stamp = req.stamp.empty() ? NowRunIdTimestamp() : req.stamp;
  plan.id = BackfillId(req.from, req.to, plan.stamp);
  plan.dataset = req.dataset;
  plan.from = req.from;
  plan.to = req.to;
  plan.schema_version = req.schema_version;
  plan.one_run = req.one_run && dates.size() > 1;  // one date is one run either way

  RUNLAKE_ASSIGN_OR_RAISE(auto head, PointerLog(store, "silver", req.dataset).Head());
  BackfillFilter active;
  active.active_only = true;
  RUNLAKE_ASSIGN_OR_RAISE(auto backfills, ReapAndListBackfills(state, active));
  std::vector<const BackfillRecord*> overlapping;
  for (const auto& b : backfills) {
    if (Overlaps(b, req)) {
      overlapping.push_back(&b);
      plan.overlapping_backfills.push_back(b.id);
    }
  }
  std::map<std::string, std::optional<RunManifest>> manifests;  // canonical runs, read once

  for (const auto& date : dates) {
    DatePlan d;
    d.date = date;
    RUNLAKE_ASSIGN_OR_RAISE(auto runs, ListBronzeRuns(store, req.dataset, date));
    ChooseBronze(runs, req.bronze_run, &d);
    if (!d.problem.empty()) plan.problem_dates.push_back(date);
    if (head) {
      auto it = head->sources.find(date);
      if (it != head->sources.end()) d.canonical_run_id = it->second;
    }
    if (!d.canonical_run_id.empty()) {
      if (!manifests.count(d.canonical_run_id)) {
        RUNLAKE_ASSIGN_OR_RAISE(manifests[d.canonical_run_id],
                                LoadRunManifest(store, d.canonical_run_id));
      }
      if (const auto& m = manifests[d.canonical_run_id]) {
        for (const auto& s : m->sources) {
          if (s.ingest_date != date) continue;
          d.canonical_input_rows = s.input_rows;
          d.canonical_valid_rows = s.valid_rows;
          d.canonical_quarantined_rows = s.quarantined_rows;
        }
      }
    }
    if (plan.one_run) {
      d.run_id = BackfillRangeRunId(req.from, req.to, plan.stamp, 1);
      d.execution = BackfillRangeExecutionName(plan.id, req.from, req.to, 1);
    } else {
      d.run_id = BackfillRunId(date, plan.stamp, 1);
      d.execution = BackfillExecutionName(plan.id, date, 1);
    }
    for (const auto* b : overlapping) {
      if (b->from_date <= date && date <= b->to_date) d.overlaps.push_back(b->id);
    }
    plan.dates.push_back(std::move(d));
  }
  return plan;
}

nlohmann::json PlanToJson(const BackfillPlan& plan) {
  nlohmann::json dates = nlohmann::json::array();
  for (const auto& d : plan.dates) {
    auto known = [](int64_t v) { return v < 0 ? nlohmann::json() : nlohmann::json(v); };
    dates.push_back({{"date", d.date},
                     {"bronze_run_id", d.bronze_run_id},
                     {"bronze_keys", d.bronze_keys},
                     {"bronze_bytes", d.bronze_bytes},
                     {"source_key", d.source_key},
                     {"problem", d.problem},
                     {"canonical_run_id", d.canonical_run_id},
                     {"rows_to_read", known(d.canonical_input_rows)},
                     {"canonical_valid_rows", known(d.canonical_valid_rows)},
                     {"canonical_quarantined_rows", known(d.canonical_quarantined_rows)},
                     {"run_id", d.run_id},
                     {"execution", d.execution},
                     {"overlaps", d.overlaps}});
  }
  return {{"id", plan.id},
          {"stamp", plan.stamp},
          {"dataset", plan.dataset.path()},
          {"from", plan.from},
          {"to", plan.to},
          {"schema_version", plan.schema_version},
          {"one_run", plan.one_run},
          {"dates", dates},
          {"problem_dates", plan.problem_dates},
          {"overlapping_backfills", plan.overlapping_backfills}};
}

std::string DescribeProblems(const BackfillPlan& plan) {
  std::map<std::string, std::vector<std::string>> by_problem;
  for (const auto& d : plan.dates) {
    if (!d.problem.empty()) by_problem[d.problem].push_back(d.date);
  }
  std::string out;
  for (const auto& [problem, dates] : by_problem) {
    out += (out.empty() ? "" : "; ") + problem + " for ";
    if (dates.size() > 6) {
      out += std::to_string(dates.size()) + " dates (" + dates.front() + " .. " + dates.back() + ")";
    } else {
      for (size_t i = 0; i < dates.size(); ++i) out += (i ? ", " : "") + dates[i];
    }
  }
  return out;
}

}  // namespace runlake
