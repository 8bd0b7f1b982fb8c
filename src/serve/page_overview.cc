// Overview `/`: per dataset its canonical pointer version, active backfills with their
// progress, executions that need attention, the newest runs, and the runs known CORRUPT
// (every query leaves them out): manifests that do not parse, and those of the newest runs
// with a file missing or of the wrong size.

#include <algorithm>
#include <set>

#include "ledger/run_files.h"
#include "runlake/pointer.h"
#include "runlake/run_index.h"
#include "serve/backfill_progress.h"
#include "serve/page_common.h"
#include "serve/states.h"
#include "serve/svg.h"

namespace runlake::serve {

namespace {

using nlohmann::json;

// A RUNNING execution older than this is shown as possibly stuck (executions have no
// heartbeat of their own; a dead local worker is reaped to FAILED by the store).
constexpr double kStuckSeconds = 3600;

// The newest runs listed, and their files checked (a HEAD or a stat each, in parallel): a
// bounded cost whatever the lake's size. A run of more files than the budget left is shown
// unchecked ("files_checked": false); its run page checks it.
constexpr size_t kNewestRuns = 20;
constexpr size_t kFileChecks = 256;

json DatasetsJson(ObjectStore& store, const RunListing& listing) {
  std::set<std::string> names = {DatasetId{}.path()};
  std::map<std::string, int> runs;
  for (const auto& m : listing.runs) {
    if (m.kind != "silver") continue;
    names.insert(m.dataset.path());
    ++runs[m.dataset.path()];
  }
  json out = json::array();
  for (const auto& name : names) {
    auto d = ParseDatasetId(name);
    if (!d.ok()) continue;
    json entry = {{"dataset", name}, {"runs", runs[name]}, {"pointer", nullptr}};
    auto head = PointerLog(store, "silver", *d).Head();
    if (!head.ok()) {
      entry["pointer_problem"] = head.status().message();
    } else if (*head) {
      const PointerVersion& v = **head;
      entry["pointer"] = {{"version", v.version},       {"action", v.action},
                          {"created_by", v.created_by}, {"updated_at", v.updated_at},
                          {"reason", v.reason},         {"run_ids", v.run_ids},
                          {"sources", v.sources.size()}};
    }
    out.push_back(entry);
  }
  return out;
}

std::string Html(const json& d) {
  std::string h = "<h2>Datasets</h2>";
  std::vector<std::vector<std::string>> rows;
  for (const auto& ds : d["datasets"]) {
    auto id = ParseDatasetId(ds["dataset"].get<std::string>());
    std::string link = id.ok() ? MatrixLink(*id) : Esc(ds["dataset"].get<std::string>());
    const json& p = ds["pointer"];
    if (p.is_null()) {
      rows.push_back(
          {link, std::to_string(ds["runs"].get<int>()),
           ds.contains("pointer_problem")
               ? "<span class=\"bad\">" + Esc(JsonText(ds["pointer_problem"])) + "</span>"
               : "nothing canonical yet",
           "", "", ""});
      continue;
    }
    rows.push_back(
        {link, std::to_string(ds["runs"].get<int>()),
         Link("/pointer?dataset=" + UrlEncode(ds["dataset"]), "version " + JsonText(p["version"])) +
             " (" + Esc(JsonText(p["action"])) + ", " + JsonText(p["sources"]) + " sources)",
         Esc(JsonText(p["created_by"])), Esc(JsonText(p["updated_at"])),
         Esc(JsonText(p["reason"]))});
  }
  h += Table({"DATASET", "RUNS", "CANONICAL", "BY", "WHEN", "WHY"}, rows);

  h += "<h2>Active backfills</h2>";
  rows.clear();
  for (const auto& b : d["active_backfills"]) {
    const json& p = b["progress"];
    rows.push_back({BackfillLink(b["id"]), Esc(JsonText(b["status"])),
                    Esc(JsonText(b["from"])) + " .. " + Esc(JsonText(b["to"])),
                    ProgressBarSvg(p["succeeded"], p["failed"], p["running"], p["total"]) + "<br>" +
                        JsonText(p["succeeded"]) + " succeeded, " + JsonText(p["failed"]) +
                        " failed, " + JsonText(p["running"]) + " running, " +
                        JsonText(p["queued"]) + " queued of " + JsonText(p["total"]),
                    Esc(JsonText(b["controller_heartbeat_at"]))});
  }
  h += Table({"BACKFILL", "STATUS", "DATES", "PROGRESS", "HEARTBEAT"}, rows);

  h += "<h2>Needs attention</h2>";
  rows.clear();
  for (const auto& a : d["attention"]) {
    std::string what =
        a.contains("execution") ? ExecutionLink(a["execution"]) : RunLink(a["run_id"]);
    // Only a committed run has a page: a failed execution's run_id usually names none.
    std::string run = a["run_id"].get<std::string>().empty() ? ""
                      : a["run_committed"].get<bool>()
                          ? RunLink(a["run_id"])
                          : Esc(JsonText(a["run_id"])) + " (not committed)";
    rows.push_back({StateCell(a["state"], a["state"]) + " " + Esc(JsonText(a["kind"])), what, run,
                    Esc(JsonText(a["cause"])), Pre(JsonText(a["error"])),
                    Esc(JsonText(a["since"]))});
  }
  h += Table({"WHAT", "EXECUTION / RUN", "RUN", "CAUSE", "ERROR", "SINCE"}, rows);

  h += "<h2>Latest runs</h2>";
  rows.clear();
  for (const auto& r : d["last_runs"]) {
    std::string dates;
    for (const auto& s : r["sources"]) dates += (dates.empty() ? "" : ", ") + s.get<std::string>();
    std::string status = r["status"] == "CORRUPT"
                             ? StateCell("corrupt", "corrupt") + " <b class=\"bad\">CORRUPT</b> " +
                                   Esc(JsonText(r["problems"][0]))
                             : JsonText(r["status"]);
    rows.push_back(
        {RunLink(r["run_id"]), status, Esc(JsonText(r["dataset"])), Esc(dates),
         JsonText(r["input_rows"]), JsonText(r["valid_rows"]), JsonText(r["quarantined_rows"]),
         r["gate_passed"].get<bool>() ? StateCell("succeeded", "gate passed") + " passed"
                                      : StateCell("gate_failed", "gate failed") + " FAILED",
         Esc(JsonText(r["completed_at"]))});
  }
  h += Table({"RUN", "STATUS", "DATASET", "SOURCES", "INPUT", "VALID", "QUARANTINED", "GATE",
              "COMPLETED"},
             rows);
  if (!d["invisible_runs"].empty()) {
    h += "<h2>Corrupt runs</h2><p class=\"bad\">Every query leaves these runs out: a manifest "
         "that does not parse, or a file missing or of the wrong size (checked for the newest "
         "runs). <code>runlake check</code> reports them all; <code>runlake runs delete --force "
         "RID</code> removes one.</p>";
    rows.clear();
    for (const auto& b : d["invisible_runs"]) {
      rows.push_back({RunLink(b["run_id"]), StateCell("corrupt", "corrupt") + " CORRUPT",
                      Esc(JsonText(b["problem"]))});
    }
    h += Table({"RUN", "STATUS", "PROBLEM"}, rows);
  }
  return h;
}

}  // namespace

Result<Page> OverviewPage(const DashboardSources& src, const PageRequest& req) {
  RUNLAKE_ASSIGN_OR_RAISE(RunListing listing, ListRuns(*src.store));
  json d;
  d["datasets"] = DatasetsJson(*src.store, listing);

  BackfillFilter bf;
  bf.active_only = true;
  RUNLAKE_ASSIGN_OR_RAISE(auto backfills, src.state->ListBackfills(bf));
  d["active_backfills"] = json::array();
  bool live = false;
  for (const auto& b : backfills) {
    RUNLAKE_ASSIGN_OR_RAISE(BackfillProgress p, ProgressOf(*src.state, b));
    json pj = ProgressToJson(p);
    pj.erase("dates");
    d["active_backfills"].push_back({{"id", b.id},
                                     {"status", ToString(b.status)},
                                     {"from", b.from_date},
                                     {"to", b.to_date},
                                     {"dataset", b.dataset.path()},
                                     {"progress", pj},
                                     {"controller_heartbeat_at", b.controller_heartbeat_at}});
    live = live || b.status == BackfillStatus::kRunning || b.status == BackfillStatus::kAborting;
  }

  d["attention"] = json::array();
  auto committed = [&](const std::string& rid) {
    return listing.Find(rid) != nullptr || listing.IsBroken(rid);
  };
  ExecutionFilter failed;
  failed.status = ExecutionStatus::kFailed;
  failed.limit = 20;
  RUNLAKE_ASSIGN_OR_RAISE(auto failures, src.state->ListExecutions(failed));
  for (const auto& e : failures) {
    d["attention"].push_back({{"kind", e.cause == "QualityGateFailed" ? "gate failed" : "failed"},
                              {"state", e.cause == "QualityGateFailed" ? "gate_failed" : "failed"},
                              {"execution", e.name},
                              {"run_id", e.run_id},
                              {"run_committed", committed(e.run_id)},
                              {"cause", e.cause},
                              {"error", e.error},
                              {"since", e.stop_time}});
  }
  ExecutionFilter running;
  running.status = ExecutionStatus::kRunning;
  RUNLAKE_ASSIGN_OR_RAISE(auto runs_now, src.state->ListExecutions(running));
  double now = IsoSeconds(Now());
  for (const auto& e : runs_now) {
    live = true;
    double start = IsoSeconds(e.start_time);
    if (start < 0 || now - start < kStuckSeconds) continue;
    d["attention"].push_back({{"kind", "running for over an hour"},
                              {"state", "running"},
                              {"execution", e.name},
                              {"run_id", e.run_id},
                              {"run_committed", committed(e.run_id)},
                              {"cause", ""},
                              {"error", ""},
                              {"since", e.start_time}});
  }
  d["running_executions"] = runs_now.size();

  std::vector<const RunManifest*> newest;
  for (const auto& m : listing.runs) newest.push_back(&m);
  std::sort(newest.begin(), newest.end(), [](const RunManifest* a, const RunManifest* b) {
    return a->completed_at > b->completed_at;
  });
  if (newest.size() > kNewestRuns) newest.resize(kNewestRuns);
  std::vector<const RunManifest*> checked;
  size_t budget = kFileChecks;
  for (const RunManifest* m : newest) {
    if (m->files.size() > budget) continue;
    budget -= m->files.size();
    checked.push_back(m);
  }
  RUNLAKE_ASSIGN_OR_RAISE(auto file_problems, CheckRunFiles(*src.store, checked));
  std::map<std::string, json> problems;  // run_id -> its problems
  for (const auto& p : file_problems) problems[p.run_id].push_back(p.problem);
  d["last_runs"] = json::array();
  d["invisible_runs"] = json::array();
  for (const RunManifest* run : newest) {
    const RunManifest& m = *run;
    json sources = json::array();
    for (const auto& s : m.sources) sources.push_back(s.ingest_date);
    auto bad = problems.find(m.run_id);
    if (bad != problems.end()) {
      d["invisible_runs"].push_back(
          {{"run_id", m.run_id}, {"status", "CORRUPT"}, {"problem", bad->second[0]}});
    }
    d["last_runs"].push_back({{"run_id", m.run_id},
                              {"status", bad == problems.end() ? "ok" : "CORRUPT"},
                              {"problems", bad == problems.end() ? json::array() : bad->second},
                              {"files_checked", std::find(checked.begin(), checked.end(), run) !=
                                                    checked.end()},
                              {"kind", m.kind},
                              {"dataset", m.dataset.path()},
                              {"sources", sources},
                              {"input_rows", m.metrics.input_rows},
                              {"valid_rows", m.metrics.valid_rows},
                              {"quarantined_rows", m.metrics.quarantined_rows},
                              {"gate_passed", m.gate.passed},
                              {"completed_at", m.completed_at}});
  }
  for (const auto& b : listing.broken) {
    d["invisible_runs"].push_back(
        {{"run_id", b.run_id}, {"status", "CORRUPT"}, {"problem", b.problem}});
  }
  d["live"] = live;
  return Page{d, "Overview", Html(d), live};
}

}  // namespace runlake::serve
