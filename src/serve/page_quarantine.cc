// Quarantine `/quarantine?dataset=`: what the canonical data left in quarantine, by reason
// over ingest dates (an SVG chart), the top reasons, and sample raw records (escaped: they
// are whatever upstream sent). Only the canonical run of each date counts, so a date that
// was reprocessed is not counted twice.

#include <algorithm>
#include <set>

#include "engine/engine.h"
#include "common/parse_number.h"
#include "catalog/catalog.h"
#include "ledger/staging.h"
#include "runlake/pointer.h"
#include "runlake/run_index.h"
#include "serve/page_common.h"
#include "serve/svg.h"

namespace runlake::serve {

namespace {

using nlohmann::json;

constexpr int kSamples = 25;

std::string Html(const json& d) {
  std::string h = "<p>" + Esc(JsonText(d["scope"])) + "</p>";
  std::vector<std::string> dates, reasons;
  for (const auto& [date, by] : d["by_date"].items()) dates.push_back(date);
  for (const auto& r : d["top_reasons"]) reasons.push_back(r["reason"]);
  std::vector<std::vector<int64_t>> values;
  for (const auto& date : dates) {
    std::vector<int64_t> v;
    for (const auto& r : reasons) v.push_back(d["by_date"][date].value(r, int64_t{0}));
    values.push_back(v);
  }
  h += "<h2>Quarantined rows by reason over ingest dates</h2>" +
       (dates.empty() ? std::string("<p>nothing in quarantine</p>")
                      : StackedBarsSvg(dates, reasons, values));
  h += "<h2>Top reasons</h2>";
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : d["top_reasons"])
    rows.push_back({Esc(JsonText(r["reason"])), JsonText(r["rows"])});
  h += Table({"REASON", "ROWS"}, rows);
  h += "<h2>Sample raw records</h2>";
  rows.clear();
  for (const auto& s : d["samples"]) {
    rows.push_back({Esc(JsonText(s["ingest_date"])), RunLink(s["run_id"]),
                    JsonText(s["source_line"]), Esc(JsonText(s["validation_error"])),
                    Pre(JsonText(s["raw_record"]))});
  }
  h += Table({"INGEST_DATE", "RUN", "LINE", "REASON", "RAW RECORD"}, rows);
  return h;
}

}  // namespace

Result<Page> QuarantinePage(const DashboardSources& src, const PageRequest& req) {
  RUNLAKE_ASSIGN_OR_RAISE(DatasetId dataset, DatasetParam(req));
  RUNLAKE_ASSIGN_OR_RAISE(auto head, PointerLog(*src.store, "silver", dataset).Head());
  RUNLAKE_ASSIGN_OR_RAISE(RunListing listing, ListRuns(*src.store));
  std::map<std::string, std::string> canonical =
      head ? head->sources : std::map<std::string, std::string>{};
  std::set<std::string> canonical_runs;
  for (const auto& [date, run] : canonical) canonical_runs.insert(run);
  std::vector<RunManifest> runs;
  for (const auto& m : listing.runs) {
    if (m.kind == "silver" && m.dataset == dataset && canonical_runs.count(m.run_id))
      runs.push_back(m);
  }
  json d = {{"dataset", dataset.path()},
            {"canonical_version", head ? head->version : 0},
            {"scope", head ? "the canonical run of each date (pointer version " +
                                 std::to_string(head->version) + ")"
                           : std::string("nothing is canonical yet")},
            {"by_date", json::object()},
            {"top_reasons", json::array()},
            {"samples", json::array()}};
  if (!runs.empty()) {
    RUNLAKE_ASSIGN_OR_RAISE(Staging scratch, Staging::CreateOutsideLake("serve"));
    EngineOptions eo;
    eo.threads = 2;
    RUNLAKE_ASSIGN_OR_RAISE(auto engine, Engine::Open(eo));
    RUNLAKE_RETURN_NOT_OK(
        CreateRejectViewOf(*engine, *src.store, runs, dataset, "quarantine", "q", scratch.dir()));
    RUNLAKE_ASSIGN_OR_RAISE(
        auto counts, engine->Query("SELECT CAST(ingest_date AS VARCHAR), run_id, validation_error, "
                                   "count(*) FROM q GROUP BY 1, 2, 3 ORDER BY 1, 3"));
    std::map<std::string, int64_t> totals;
    for (const auto& row : counts.rows) {
      std::string date = row[0].value_or(""), run = row[1].value_or(""),
                  reason = row[2].value_or("");
      if (canonical[date] != run) continue;  // a multi-date run canonical for other dates only
      RUNLAKE_ASSIGN_OR_RAISE(int64_t n, ParseInt64Cell(row[3], "quarantine page: a count"));
      d["by_date"][date][reason] = n;
      totals[reason] += n;
    }
    std::vector<std::pair<std::string, int64_t>> top(totals.begin(), totals.end());
    std::sort(top.begin(), top.end(),
              [](const auto& a, const auto& b) { return a.second > b.second; });
    for (const auto& [reason, n] : top)
      d["top_reasons"].push_back({{"reason", reason}, {"rows", n}});
    RUNLAKE_ASSIGN_OR_RAISE(auto samples,
                            engine->Query("SELECT CAST(ingest_date AS VARCHAR), run_id, "
                                          "source_line, validation_error, raw_record FROM q "
                                          "ORDER BY 1 DESC, 2, 3 LIMIT " +
                                          std::to_string(kSamples * 4)));
    for (const auto& row : samples.rows) {
      if (canonical[row[0].value_or("")] != row[1].value_or("")) continue;
      if (d["samples"].size() >= static_cast<size_t>(kSamples)) break;
      RUNLAKE_ASSIGN_OR_RAISE(int64_t line, ParseInt64Cell(row[2], "quarantine page: a source_line"));
      d["samples"].push_back({{"ingest_date", row[0].value_or("")},
                              {"run_id", row[1].value_or("")},
                              {"source_line", line},
                              {"validation_error", row[3].value_or("")},
                              {"raw_record", row[4].value_or("")}});
    }
  }
  return Page{d, "Quarantine: " + dataset.path(), Html(d), false};
}

}  // namespace runlake::serve
