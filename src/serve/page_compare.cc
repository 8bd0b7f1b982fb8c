// Compare `/compare?a=RID&b=RID`: `runs diff` of two runs (per source, per partition, per
// reason code, transactions added/removed/changed), with conservation checked on both
// sides: every input row is valid, quarantined or condemned.

#include <set>

#include "runlake/run_diff.h"
#include "runlake/run_manifest.h"
#include "serve/page_common.h"

namespace runlake::serve {

namespace {

using nlohmann::json;

json Conservation(const RunManifest& m) {
  json sources = json::array();
  bool all = true;
  for (const auto& s : m.sources) {
    int64_t out = s.valid_rows + s.quarantined_rows + s.condemned_rows;
    all = all && out == s.input_rows;
    sources.push_back({{"ingest_date", s.ingest_date},
                       {"input_rows", s.input_rows},
                       {"accounted_rows", out},
                       {"holds", out == s.input_rows}});
  }
  const RunMetrics& t = m.metrics;
  int64_t out = t.valid_rows + t.quarantined_rows + t.condemned_rows;
  return {{"run_id", m.run_id},
          {"input_rows", t.input_rows},
          {"valid_rows", t.valid_rows},
          {"quarantined_rows", t.quarantined_rows},
          {"condemned_rows", t.condemned_rows},
          {"holds", all && out == t.input_rows},
          {"sources", sources}};
}

std::string Side(const json& v, const char* side, const char* key) {
  return v.contains(side) && v[side].is_object() && v[side].contains(key) ? JsonText(v[side][key])
                                                                          : "-";
}

std::string Html(const json& d) {
  const json& diff = d["diff"];
  std::string h =
      "<p>A = " + RunLink(diff["run_a"]) + " &middot; B = " + RunLink(diff["run_b"]) + "</p>";
  h += "<h2>Conservation (input = valid + quarantined + condemned)</h2>";
  std::vector<std::vector<std::string>> rows;
  for (const char* s : {"a", "b"}) {
    const json& c = d["conservation"][s];
    rows.push_back({std::string(1, static_cast<char>(s[0] - 32)) + " " + Esc(JsonText(c["run_id"])),
                    JsonText(c["input_rows"]), JsonText(c["valid_rows"]),
                    JsonText(c["quarantined_rows"]), JsonText(c["condemned_rows"]),
                    c["holds"].get<bool>() ? "<span class=\"ok\">holds</span>"
                                           : "<b class=\"bad\">BROKEN</b>"});
  }
  h += Table({"RUN", "INPUT", "VALID", "QUARANTINED", "CONDEMNED", "CONSERVATION"}, rows);
  h += "<h2>Per source (A / B)</h2>";
  rows.clear();
  for (const auto& [source, v] : diff["sources"].items()) {
    rows.push_back({Esc(source), Side(v, "a", "input_rows") + " / " + Side(v, "b", "input_rows"),
                    Side(v, "a", "valid_rows") + " / " + Side(v, "b", "valid_rows"),
                    Side(v, "a", "quarantined_rows") + " / " + Side(v, "b", "quarantined_rows"),
                    Side(v, "a", "condemned_rows") + " / " + Side(v, "b", "condemned_rows")});
  }
  h += Table({"SOURCE", "INPUT", "VALID", "QUARANTINED", "CONDEMNED"}, rows);
  h += "<h2>Per partition (A / B)</h2>";
  rows.clear();
  for (const auto& [part, v] : diff["partitions"].items()) {
    rows.push_back({Esc(part), Side(v, "a", "valid_rows") + " / " + Side(v, "b", "valid_rows"),
                    Esc(Side(v, "a", "amount_sum")) + " / " + Esc(Side(v, "b", "amount_sum"))});
  }
  h += Table({"PARTITION", "VALID", "AMOUNT SUM"}, rows);
  h += "<h2>Quarantine by reason (A / B)</h2>";
  rows.clear();
  for (const auto& [source, v] : diff["sources"].items()) {
    std::set<std::string> reasons;
    for (const char* s : {"a", "b"}) {
      if (v.contains(s) && v[s].is_object() && v[s].contains("quarantine_by_reason")) {
        for (const auto& [r, n] : v[s]["quarantine_by_reason"].items()) reasons.insert(r);
      }
    }
    for (const auto& r : reasons) {
      auto n = [&](const char* s) {
        return v.contains(s) && v[s].is_object() && v[s].contains("quarantine_by_reason") &&
                       v[s]["quarantine_by_reason"].contains(r)
                   ? JsonText(v[s]["quarantine_by_reason"][r])
                   : std::string("0");
      };
      rows.push_back({Esc(source), Esc(r), n("a") + " / " + n("b")});
    }
  }
  h += Table({"SOURCE", "REASON", "ROWS"}, rows);
  h += "<h2>What became of A's rejected rows in B (by row_hash)</h2>";
  rows.clear();
  for (const auto& [reason, t] : d["transitions"].items()) {
    rows.push_back({Esc(reason), JsonText(t["valid"]), JsonText(t["still_failing"]),
                    JsonText(t["other_reason"]), JsonText(t["not_in_b"])});
  }
  h += Table({"REASON IN A", "VALID IN B", "STILL FAILING", "OTHER REASON", "NOT IN B"}, rows);
  const json& r = diff["rows"];
  h += "<h2>Transactions</h2><p>" + JsonText(r["added"]) + " added, " + JsonText(r["removed"]) +
       " removed, " + JsonText(r["changed"]) + " changed, " + JsonText(r["unchanged"]) +
       " unchanged</p>";
  for (const char* k : {"added_ids", "removed_ids", "changed_ids"}) {
    if (diff[k].empty()) continue;
    std::string ids;
    for (const auto& id : diff[k]) ids += JsonText(id) + " ";
    h += "<p>" + Esc(k) + ":</p>" + Pre(ids);
  }
  return h;
}

}  // namespace

Result<Page> ComparePage(const DashboardSources& src, const PageRequest& req) {
  std::string a = req.Param("a"), b = req.Param("b");
  if (a.empty() || b.empty())
    return Status::InvalidArgument("compare needs two runs: /compare?a=RID&b=RID");
  RUNLAKE_RETURN_NOT_OK(ValidateRunId(a));
  RUNLAKE_RETURN_NOT_OK(ValidateRunId(b));
  RUNLAKE_ASSIGN_OR_RAISE(RunComparison c, CompareRuns(*src.store, a, b, 100));
  json d = {{"diff", RunDiffToJson(c.diff)},
            {"conservation", {{"a", Conservation(c.a)}, {"b", Conservation(c.b)}}},
            {"transitions", TransitionsToJson(c.transitions)}};
  return Page{d, "Compare " + a + " with " + b, Html(d), false};
}

}  // namespace runlake::serve
