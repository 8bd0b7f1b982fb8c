// Dates x runs `/datasets/<domain>/<dataset>`: one row per ingest_date (newest first, a
// year per page), one cell per run of that date with colour AND glyph per state, a badge
// where a run's figures differ from the canonical run's, and the dates that have no bronze
// or were never processed shown as such: every date between the first and the last one
// the lake knows of is a row.

#include <algorithm>
#include <set>

#include "runlake/bronze.h"
#include "runlake/pointer.h"
#include "runlake/run_index.h"
#include "serve/backfill_progress.h"
#include "serve/page_common.h"
#include "serve/states.h"

namespace runlake::serve {

namespace {

using nlohmann::json;

constexpr int kDatesPerPage = 366;

struct Cell {
  json j;
};

bool SameFigures(const RunSource& a, const RunSource& b) {
  return a.input_rows == b.input_rows && a.valid_rows == b.valid_rows &&
         a.quarantined_rows == b.quarantined_rows && a.condemned_rows == b.condemned_rows;
}

// The ingest dates (of `dataset`) an execution's input names, from its bronze key(s).
std::vector<std::string> InputDates(const std::string& input_json, const DatasetId& dataset) {
  std::vector<std::string> out;
  json in = json::parse(input_json, nullptr, false);
  if (!in.is_object()) return out;
  std::vector<std::string> keys;
  if (in.contains("s3_key") && in["s3_key"].is_string()) keys.push_back(in["s3_key"]);
  if (in.contains("s3_keys") && in["s3_keys"].is_array()) {
    for (const auto& k : in["s3_keys"])
      if (k.is_string()) keys.push_back(k);
  }
  for (const auto& k : keys) {
    auto parts = ParseBronzeKey(k);
    if (parts.ok() && parts->dataset == dataset) out.push_back(parts->ingest_date);
  }
  return out;
}

std::string CellHtml(const json& c) {
  const StateLook& l = LookOf(c["state"]);
  std::string title = JsonText(c["run_id"]) + ": " + l.label;
  if (c.contains("valid_rows")) title += ", " + JsonText(c["valid_rows"]) + " valid";
  if (c.value("differs", false)) title += " (differs from the canonical run)";
  std::string out = std::string("<a class=\"cell st-") + l.name + "\" data-state=\"" + l.name +
                    "\" data-run-id=\"" + Esc(JsonText(c["run_id"])) + "\" href=\"" +
                    Esc(JsonText(c["link"])) + "\" title=\"" + Esc(title) + "\">" + l.glyph +
                    "</a>";
  if (c.value("differs", false))
    out += "<span class=\"badge\" title=\"differs from canonical\">&#8800;</span>";
  return out;
}

std::string Html(const json& d) {
  std::string h = "<p>canonical pointer version: " +
                  (d["canonical_version"].get<int64_t>() > 0
                       ? Link("/pointer?dataset=" + UrlEncode(JsonText(d["dataset"])),
                              JsonText(d["canonical_version"]))
                       : std::string("none yet")) +
                  " &middot; " + JsonText(d["date_count"]) + " dates, " +
                  JsonText(d["cell_count"]) + " runs</p>" + StateLegend();
  std::vector<std::vector<std::string>> rows;
  std::string out =
      "<table "
      "class=\"matrix\"><thead><tr><th>INGEST_DATE</th><th>BRONZE</th><th>RUNS</th></tr></"
      "thead><tbody>";
  for (const auto& row : d["dates"]) {
    std::string date = JsonText(row["date"]);
    out += "<tr data-date=\"" + Esc(date) + "\" data-row-state=\"" +
           Esc(JsonText(row["row_state"])) + "\"><td>" + Esc(date) + "</td><td>" +
           (row["bronze"].get<bool>() ? "yes" : StateCell("missing", "no bronze") + " none") +
           "</td><td>";
    if (row["cells"].empty()) {
      out += StateCell(row["row_state"], LookOf(row["row_state"]).label) + " " +
             LookOf(row["row_state"]).label;
    }
    for (const auto& c : row["cells"]) out += CellHtml(c);
    out += "</td></tr>";
  }
  out += "</tbody></table>";
  int page = d["page"], pages = d["pages"];
  return h + out + PagerLinks("/datasets/" + JsonText(d["dataset_path"]), page, page < pages);
}

}  // namespace

Result<Page> MatrixPage(const DashboardSources& src, const PageRequest& req) {
  RUNLAKE_ASSIGN_OR_RAISE(DatasetId dataset, ParseDatasetId(req.arg));
  RUNLAKE_ASSIGN_OR_RAISE(int page, PageParam(req));
  RUNLAKE_ASSIGN_OR_RAISE(RunListing listing, ListRuns(*src.store));
  RUNLAKE_ASSIGN_OR_RAISE(auto head, PointerLog(*src.store, "silver", dataset).Head());
  std::map<std::string, std::string> canonical =
      head ? head->sources : std::map<std::string, std::string>{};

  std::map<std::string, std::vector<json>> cells;  // date -> cells
  std::map<std::string, const RunSource*> canonical_source;
  for (const auto& m : listing.runs) {
    if (m.kind != "silver" || !(m.dataset == dataset)) continue;
    for (const auto& s : m.sources) {
      auto it = canonical.find(s.ingest_date);
      if (it != canonical.end() && it->second == m.run_id) canonical_source[s.ingest_date] = &s;
    }
  }
  std::set<std::string> committed;
  bool live = false;
  for (const auto& m : listing.runs) {
    if (m.kind != "silver" || !(m.dataset == dataset)) continue;
    committed.insert(m.run_id);
    for (const auto& s : m.sources) {
      auto canon = canonical.find(s.ingest_date);
      bool is_canonical = canon != canonical.end() && canon->second == m.run_id;
      auto cs = canonical_source.find(s.ingest_date);
      bool differs = !is_canonical && cs != canonical_source.end() && !SameFigures(s, *cs->second);
      cells[s.ingest_date].push_back({{"run_id", m.run_id},
                                      {"state", is_canonical    ? "canonical"
                                                : m.gate.passed ? "succeeded"
                                                                : "gate_failed"},
                                      {"canonical", is_canonical},
                                      {"differs", differs},
                                      {"valid_rows", s.valid_rows},
                                      {"link", "/runs/" + UrlEncode(m.run_id)},
                                      {"started_at", m.started_at}});
    }
  }
  // Executions whose run never committed: running, failed, aborted.
  RUNLAKE_ASSIGN_OR_RAISE(auto execs, src.state->ListExecutions(ExecutionFilter{}));
  std::set<std::string> known_executions;
  for (const auto& e : execs) {
    known_executions.insert(e.name);
    if (committed.count(e.run_id)) continue;
    std::string state = StateOfExecution(ToString(e.status));
    live = live || e.status == ExecutionStatus::kRunning;
    for (const auto& date : InputDates(e.input_json, dataset)) {
      cells[date].push_back({{"run_id", e.run_id},
                             {"state", state},
                             {"canonical", false},
                             {"differs", false},
                             {"execution", e.name},
                             {"link", "/executions/" + UrlEncode(e.name)},
                             {"started_at", e.start_time}});
    }
  }
  // Dates an active backfill still has to start.
  BackfillFilter bf;
  bf.active_only = true;
  RUNLAKE_ASSIGN_OR_RAISE(auto backfills, src.state->ListBackfills(bf));
  for (const auto& b : backfills) {
    if (!(b.dataset == dataset)) continue;
    live = live || b.status == BackfillStatus::kRunning;
    for (const auto& d : b.dates) {
      if (d.attempts > 0 && known_executions.count(d.execution)) continue;
      std::string rid = d.run_id.empty() ? BackfillRunId(d.date, b.stamp, 1) : d.run_id;
      cells[d.date].push_back({{"run_id", rid},
                               {"state", "queued"},
                               {"canonical", false},
                               {"differs", false},
                               {"backfill", b.id},
                               {"link", "/backfills/" + UrlEncode(b.id)},
                               {"started_at", ""}});
    }
  }
  RUNLAKE_ASSIGN_OR_RAISE(auto bronze, ListBronze(*src.store, BronzeListRequest{dataset, "", ""}));
  std::set<std::string> bronze_dates, dates;
  for (const auto& b : bronze) {
    if (!b.default_key.empty()) bronze_dates.insert(b.date);
    dates.insert(b.date);
  }
  for (const auto& [date, c] : cells) dates.insert(date);
  // Every date between the first and the last, so gaps show; a range too long for that
  // (over ten years) shows the known dates only.
  if (!dates.empty()) {
    auto all = DateRange(*dates.begin(), *dates.rbegin());
    if (all.ok()) dates.insert(all->begin(), all->end());
  }
  std::vector<std::string> ordered(dates.rbegin(), dates.rend());
  int pages =
      std::max<int>(1, (static_cast<int>(ordered.size()) + kDatesPerPage - 1) / kDatesPerPage);
  json d = {{"dataset", dataset.path()},
            {"dataset_path", UrlEncode(dataset.domain) + "/" + UrlEncode(dataset.dataset)},
            {"canonical_version", head ? head->version : 0},
            {"page", page},
            {"pages", pages},
            {"dates_per_page", kDatesPerPage},
            {"date_count", ordered.size()},
            {"dates", json::array()}};
  size_t cell_count = 0;
  for (const auto& [date, c] : cells) cell_count += c.size();
  d["cell_count"] = cell_count;
  for (size_t i = static_cast<size_t>(page - 1) * kDatesPerPage;
       i < ordered.size() && i < static_cast<size_t>(page) * kDatesPerPage; ++i) {
    const std::string& date = ordered[i];
    auto& row_cells = cells[date];
    std::sort(row_cells.begin(), row_cells.end(), [](const json& a, const json& b) {
      return JsonText(a["started_at"]) < JsonText(b["started_at"]);
    });
    bool has_bronze = bronze_dates.count(date) > 0;
    std::string row_state = !row_cells.empty() ? "processed"
                            : has_bronze       ? "unprocessed"
                                               : "missing";
    auto canon = canonical.find(date);
    d["dates"].push_back({{"date", date},
                          {"bronze", has_bronze},
                          {"row_state", row_state},
                          {"canonical_run_id", canon == canonical.end() ? "" : canon->second},
                          {"cells", row_cells}});
  }
  d["live"] = live;
  return Page{d, "Dates x runs: " + dataset.path(), Html(d), live};
}

}  // namespace runlake::serve
