// Run `/runs/<RID>` and execution `/executions/<name>`: the manifest headline, files,
// `_SUCCESS` metrics, gate, the execution's event history with its terminal error first,
// log lines, lineage links. A CORRUPT run (its manifest does not parse, or a file is missing
// or has the wrong size: every query leaves it out) says so first, with the reasons; it is
// a page like any other, never a 500.

#include <map>
#include <set>

#include "ledger/run_files.h"
#include "runlake/exec_log.h"
#include "runlake/pointer.h"
#include "runlake/run_manifest.h"
#include "serve/page_common.h"
#include "serve/states.h"

namespace runlake::serve {

namespace {

using nlohmann::json;

constexpr size_t kLogLinesShown = 200;

// The `_SUCCESS` of each silver partition the run wrote (what the runbook reads with jq).
json SuccessMarkers(ObjectStore& store, const RunManifest& m) {
  json out = json::object();
  std::set<std::string> dirs;
  for (const auto& f : m.files) {
    if (f.layer != "silver") continue;
    size_t slash = f.key.rfind('/');
    if (slash != std::string::npos) dirs.insert(f.key.substr(0, slash));
  }
  for (const auto& dir : dirs) {
    auto text = store.Get(layout::SuccessKey(dir));
    json marker = text.ok() ? json::parse(*text, nullptr, false) : json();
    if (!text.ok() || marker.is_discarded()) marker = {{"problem", "unreadable _SUCCESS"}};
    out[dir] = marker;
  }
  return out;
}

// The execution, its history (the terminal error first) and its log lines.
Result<json> ExecutionJson(const DashboardSources& src, const std::string& name) {
  RUNLAKE_ASSIGN_OR_RAISE(auto rec, src.state->GetExecution(name));
  if (!rec) return json();
  json j = ToJson(*rec);
  RUNLAKE_ASSIGN_OR_RAISE(auto events, src.state->History(name));
  j["events"] = json::array();
  for (auto it = events.rbegin(); it != events.rend(); ++it) j["events"].push_back(ToJson(*it));
  j["terminal_error"] = rec->error.empty() && rec->cause.empty()
                            ? json()
                            : json{{"cause", rec->cause}, {"error", rec->error}};
  LogQuery q;
  q.execution = name;
  q.limit = kLogLinesShown;
  RUNLAKE_ASSIGN_OR_RAISE(auto lines, SearchLogs(src.state, src.log_dir, q));
  j["log_lines"] = lines;
  return j;
}

std::string ExecutionHtml(const json& e) {
  std::string h;
  if (!e["terminal_error"].is_null()) {
    h += "<div class=\"err\"><b>" + Esc(JsonText(e["terminal_error"]["cause"])) + "</b>" +
         Pre(JsonText(e["terminal_error"]["error"])) + "</div>";
  }
  std::string status = JsonText(e["status"]);
  h += "<p>" + StateCell(StateOfExecution(status), status) + " " + Esc(status) + " &middot; run " +
       (JsonText(e["run_id"]).empty() ? "-" : RunLink(e["run_id"])) + " &middot; started " +
       Esc(JsonText(e["start_time"])) + " &middot; stopped " + Esc(JsonText(e["stop_time"])) +
       " &middot; " + Esc(JsonText(e["host"])) + " pid " + Esc(JsonText(e["pid"])) + "</p>";
  h += "<h2>Input</h2>" + Pre(JsonText(e["input_json"]));
  h += "<h2>Event history (newest first)</h2>";
  std::vector<std::vector<std::string>> rows;
  for (const auto& ev : e["events"]) {
    rows.push_back({JsonText(ev["id"]), Esc(JsonText(ev["timestamp"])), Esc(JsonText(ev["type"])),
                    Pre(JsonText(ev["details"]))});
  }
  h += Table({"ID", "TIMESTAMP", "TYPE", "DETAILS"}, rows);
  h += "<h2>Log lines</h2>";
  rows.clear();
  for (const auto& l : e["log_lines"]) {
    rows.push_back({Esc(JsonText(l.value("timestamp", json()))),
                    Esc(JsonText(l.value("level", json()))),
                    Pre(JsonText(l.value("message", json())))});
  }
  h += Table({"TIMESTAMP", "LEVEL", "MESSAGE"}, rows);
  h += "<p>" +
       Link("/logs?execution=" + UrlEncode(JsonText(e["name"])), "search all of its log lines") +
       "</p>";
  return h;
}

// The CORRUPT banner: why, and what the operator can do.
std::string CorruptHtml(const json& d) {
  std::string h = "<div class=\"err\"><p>" + StateCell("corrupt", "corrupt") +
                  " <b>CORRUPT</b>: every query leaves this run out.</p>";
  for (const auto& p : d["problems"]) h += Pre(JsonText(p));
  return h + "<p><code>runlake check</code> reports it; <code>runlake runs delete --force " +
         Esc(JsonText(d["run_id"])) + "</code> removes it.</p></div>";
}

// A run whose manifest is there but does not parse: all there is to show is why.
Page UnreadableRunPage(const std::string& run_id, const std::string& problem) {
  json d = {{"run_id", run_id},
            {"status", "CORRUPT"},
            {"problems", json::array({problem})},
            {"file_problems", json::array()},
            {"manifest", nullptr}};
  return Page{d, "Run " + run_id + " (CORRUPT)", CorruptHtml(d), false};
}

std::string RunHtml(const json& d) {
  const json& m = d["manifest"];
  std::string h;
  if (d["status"] == "CORRUPT") h += CorruptHtml(d);
  const json& gate = m["quality_gate"];
  bool passed = gate["passed"].get<bool>();
  h += "<p>" +
       (passed ? StateCell("succeeded", "gate passed") + " gate passed"
               : StateCell("gate_failed", "gate failed") + " <b class=\"bad\">gate FAILED</b>") +
       " (quarantine rate " + JsonText(gate["quarantine_rate"]) + ")";
  for (const auto& r : gate["reasons"]) h += " &middot; " + Esc(JsonText(r));
  h += "</p>";
  const json& mt = m["metrics"];
  h += "<p>input " + JsonText(mt["input_rows"]) + ", valid " + JsonText(mt["valid_rows"]) +
       ", quarantined " + JsonText(mt["quarantined_rows"]) + ", condemned " +
       JsonText(mt["condemned_rows"]) + " &middot; " + JsonText(mt["duration_seconds"]) +
       " s &middot; " + Esc(JsonText(m["code_version"])) + "</p>";
  auto ds = ParseDatasetId(JsonText(m["dataset"]));
  h += "<p>dataset " + (ds.ok() ? MatrixLink(*ds) : Esc(JsonText(m["dataset"]))) +
       " &middot; execution " +
       (JsonText(m["execution_name"]).empty() ? "-" : ExecutionLink(m["execution_name"])) +
       " &middot; " + Link("/logs?run_id=" + UrlEncode(JsonText(m["run_id"])), "log lines");
  // A backfill's executions are named "<backfill id>/<date>": the run's backfill page.
  std::string exec = JsonText(m["execution_name"]);
  size_t slash = exec.find('/');
  if (slash != std::string::npos && exec.rfind("backfill-", 0) == 0) {
    h += " &middot; backfill " + BackfillLink(exec.substr(0, slash));
  }
  h += "</p>";
  h += "<h2>Sources</h2>";
  std::vector<std::vector<std::string>> rows;
  for (const auto& s : m["sources"]) {
    std::string date = JsonText(s["ingest_date"]);
    std::string canon =
        d["canonical_for"].contains(date) ? d["canonical_for"][date].get<std::string>() : "";
    std::string c =
        canon == JsonText(m["run_id"]) ? StateCell("canonical", "canonical") + " canonical"
        : canon.empty()
            ? "-"
            : RunLink(canon) + " " +
                  Link("/compare?a=" + UrlEncode(canon) + "&b=" + UrlEncode(JsonText(m["run_id"])),
                       "compare");
    rows.push_back({Esc(date), "<span class=\"mono\">" + Esc(JsonText(s["key"])) + "</span>",
                    JsonText(s["input_rows"]), JsonText(s["valid_rows"]),
                    JsonText(s["quarantined_rows"]), JsonText(s["condemned_rows"]), c});
  }
  h += Table(
      {"INGEST_DATE", "BRONZE KEY", "INPUT", "VALID", "QUARANTINED", "CONDEMNED", "CANONICAL RUN"},
      rows);
  h += "<h2>Quarantine by reason</h2>";
  rows.clear();
  for (const auto& [reason, n] : mt["quarantine_by_reason"].items())
    rows.push_back({Esc(reason), JsonText(n)});
  h += Table({"REASON", "ROWS"}, rows);
  h += "<h2>Files</h2>";
  rows.clear();
  std::map<std::string, std::string> bad;
  for (const auto& p : d["file_problems"]) bad[p["key"]] = p["problem"];
  for (const auto& f : m["files"]) {
    auto it = bad.find(JsonText(f["key"]));
    rows.push_back({Esc(JsonText(f["layer"])), Esc(JsonText(f["partition"])),
                    "<span class=\"mono\">" + Esc(JsonText(f["key"])) + "</span>",
                    JsonText(f["rows"]), JsonText(f["bytes"]),
                    it == bad.end() ? "<span class=\"ok\">ok</span>"
                                    : "<span class=\"bad\">" + Esc(it->second) + "</span>"});
  }
  h += Table({"LAYER", "PARTITION", "KEY", "ROWS", "BYTES", "IN STORAGE"}, rows);
  h += "<h2>_SUCCESS markers</h2>";
  rows.clear();
  for (const auto& [dir, marker] : d["success"].items()) {
    rows.push_back({"<span class=\"mono\">" + Esc(dir) + "</span>",
                    JsonText(marker.value("partition_rows", json())),
                    Pre(JsonText(marker.value("metrics", json())))});
  }
  h += Table({"PARTITION", "PARTITION_ROWS", "METRICS"}, rows);
  if (!d["execution"].is_null()) h += "<h2>Execution</h2>" + ExecutionHtml(d["execution"]);
  return h;
}

}  // namespace

Result<Page> RunPage(const DashboardSources& src, const PageRequest& req) {
  RUNLAKE_RETURN_NOT_OK(ValidateRunId(req.arg));
  auto loaded = LoadRunManifest(*src.store, req.arg);
  if (!loaded.ok() && loaded.status().code() == StatusCode::kCorruption)
    return UnreadableRunPage(req.arg, loaded.status().message());
  RUNLAKE_ASSIGN_OR_RAISE(auto m, std::move(loaded));
  if (!m)
    return Status::NotFound("run '" + req.arg + "' is not committed (no _runs/" + req.arg +
                            ".json)");
  if (m->run_id != req.arg) {  // what the run index (ListRuns) calls broken too
    return UnreadableRunPage(req.arg, layout::RunManifestKey(req.arg) + ": names run '" +
                                          m->run_id + "'");
  }
  json d;
  d["run_id"] = m->run_id;
  // One HEAD (a stat locally) per file of this one run, the files this page lists.
  RUNLAKE_ASSIGN_OR_RAISE(auto file_problems, CheckRunFiles(*src.store, {&*m}));
  d["status"] = file_problems.empty() ? "ok" : "CORRUPT";
  d["problems"] = json::array();
  d["file_problems"] = json::array();
  for (const auto& p : file_problems) {
    d["problems"].push_back(p.problem);
    d["file_problems"].push_back({{"key", p.key}, {"problem", p.problem}});
  }
  d["manifest"] = ManifestToJson(*m);
  d["canonical_for"] = json::object();
  RUNLAKE_ASSIGN_OR_RAISE(
      auto head, PointerLog(*src.store, m->kind == "gold" ? "gold" : "silver", m->dataset).Head());
  if (head) {
    for (const auto& s : m->sources) {
      auto it = head->sources.find(s.ingest_date);
      if (it != head->sources.end()) d["canonical_for"][s.ingest_date] = it->second;
    }
  }
  d["success"] = SuccessMarkers(*src.store, *m);
  d["execution"] = json();
  if (!m->execution_name.empty() && ValidateExecutionName(m->execution_name).ok()) {
    RUNLAKE_ASSIGN_OR_RAISE(d["execution"], ExecutionJson(src, m->execution_name));
  }
  std::string title = "Run " + m->run_id + (file_problems.empty() ? "" : " (CORRUPT)");
  return Page{d, title, RunHtml(d), false};
}

Result<Page> ExecutionPage(const DashboardSources& src, const PageRequest& req) {
  RUNLAKE_RETURN_NOT_OK(ValidateExecutionName(req.arg));
  RUNLAKE_ASSIGN_OR_RAISE(json e, ExecutionJson(src, req.arg));
  if (e.is_null()) return Status::NotFound("no execution named '" + req.arg + "'");
  bool live = e["status"] == "RUNNING";
  e["live"] = live;
  return Page{e, "Execution " + req.arg, ExecutionHtml(e), live};
}

}  // namespace runlake::serve
