// Backfill `/backfills/<id>`: header (range, options, status, controller heartbeat), a
// progress bar and counts, the canary verdict, the per-date table, an SVG timeline of the
// dates' executions, and the promotion outcome. The figures are `backfill status`'s
// (DescribeBackfill), so the page and the CLI agree.

#include "runlake/backfill_controller.h"
#include "serve/backfill_progress.h"
#include "serve/page_common.h"
#include "serve/states.h"
#include "serve/svg.h"

namespace runlake::serve {

namespace {

using nlohmann::json;

std::string Figures(const json& side) {
  if (!side.is_object()) return "-";
  return JsonText(side.value("valid_rows", json())) + " valid / " +
         JsonText(side.value("quarantined_rows", json())) + " quarantined";
}

std::string Html(const json& d) {
  const json& r = d["report"];
  const json& p = d["progress"];
  std::string h = "<p>" + Esc(JsonText(r["dataset"])) + " &middot; " + Esc(JsonText(r["from"])) +
                  " .. " + Esc(JsonText(r["to"])) + " &middot; status <b>" +
                  Esc(JsonText(r["status"])) + "</b> &middot; controller " +
                  Esc(JsonText(d["controller"]["host"])) + " pid " +
                  JsonText(d["controller"]["pid"]) + ", heartbeat " +
                  Esc(JsonText(d["controller"]["heartbeat_at"])) + "</p>";
  h += ProgressBarSvg(p["succeeded"], p["failed"], p["running"], p["total"]);
  h += "<p>" + JsonText(p["succeeded"]) + " succeeded, " + JsonText(p["failed"]) + " failed, " +
       JsonText(p["running"]) + " running, " + JsonText(p["queued"]) + " queued, " +
       JsonText(p["aborted"]) + " aborted of " + JsonText(p["total"]) + " dates</p>";
  h += "<h2>Options</h2>" + Pre(r["options"].dump(2, ' ', false, json::error_handler_t::replace));
  h += "<h2>Canary</h2>";
  if (!r["options"].value("canary", false)) {
    h += "<p>no canary requested</p>";
  } else if (r["canary_diff"].is_null()) {
    h += "<p>no verdict yet (the canary date has not run, or has no canonical run to compare "
         "with)</p>";
  } else {
    h += Pre(r["canary_diff"].dump(2, ' ', false, json::error_handler_t::replace));
  }
  h += "<h2>Promotion</h2>";
  h += r["promotion"].is_null()
           ? "<p>not decided yet</p>"
           : Pre(r["promotion"].dump(2, ' ', false, json::error_handler_t::replace));
  h += "<h2>Dates</h2>";
  std::vector<std::vector<std::string>> rows;
  for (const auto& date : r["dates"]) {
    std::string state = StateOfExecution(JsonText(date["status"]));
    if (state == "succeeded" && !date["gate_passed"].get<bool>()) state = "gate_failed";
    std::string exec = JsonText(date["execution"]);
    std::string rid = JsonText(date["run_id"]), canon = JsonText(date["canonical_run_id"]);
    std::string compare =
        !canon.empty() && !rid.empty() && state == "succeeded"
            ? Link("/compare?a=" + UrlEncode(canon) + "&b=" + UrlEncode(rid), "compare")
            : "";
    rows.push_back(
        {Esc(JsonText(date["date"])),
         StateCell(state, JsonText(date["status"])) + " " + Esc(JsonText(date["status"])),
         JsonText(date["attempts"]), exec.empty() ? "-" : ExecutionLink(exec),
         rid.empty() ? "-" : Esc(rid), canon.empty() ? "-" : RunLink(canon),
         Esc(Figures(date["before"])), Esc(Figures(date["after"])), compare,
         Esc(JsonText(date["cause"])), Pre(JsonText(date["error"]))});
  }
  h += Table({"DATE", "STATUS", "ATTEMPTS", "EXECUTION", "RUN", "CANONICAL BEFORE", "BEFORE",
              "AFTER", "", "CAUSE", "ERROR"},
             rows);
  h += "<h2>Timeline</h2>";
  std::vector<TimelineItem> items;
  for (const auto& t : d["timeline"])
    items.push_back({t["date"], t["start"], t["stop"], t["state"]});
  h += TimelineSvg(items, d["now"]);
  for (const auto& w : r["warnings"]) h += "<p class=\"bad\">" + Esc(JsonText(w)) + "</p>";
  return h;
}

}  // namespace

Result<Page> BackfillPage(const DashboardSources& src, const PageRequest& req) {
  RUNLAKE_RETURN_NOT_OK(ValidateRunId(req.arg));
  ExecutionContext ctx{src.store, src.state, src.log_dir, src.lake_bucket};
  RUNLAKE_ASSIGN_OR_RAISE(BackfillReport report, DescribeBackfill(ctx, req.arg, StateReads::kAsStored));
  RUNLAKE_ASSIGN_OR_RAISE(BackfillProgress progress, ProgressOf(*src.state, report.record));
  json d = {{"report", BackfillReportToJson(report)},
            {"progress", ProgressToJson(progress)},
            {"now", Now()}};
  d["controller"] = {{"pid", report.record.controller_pid},
                     {"host", report.record.controller_host},
                     {"heartbeat_at", report.record.controller_heartbeat_at}};
  d["timeline"] = json::array();
  for (const auto& date : report.record.dates) {
    auto e = progress.executions.find(date.execution);
    bool ran = date.attempts > 0 && e != progress.executions.end();
    d["timeline"].push_back({{"date", date.date},
                             {"start", ran ? e->second.start_time : ""},
                             {"stop", ran ? e->second.stop_time : ""},
                             {"state", progress.date_state[date.date]}});
  }
  bool live = report.record.status == BackfillStatus::kRunning ||
              report.record.status == BackfillStatus::kAborting || progress.running > 0;
  d["live"] = live;
  return Page{d, "Backfill " + report.record.id, Html(d), live};
}

}  // namespace runlake::serve
