// Pointer history `/pointer`: every version of a dataset's pointer (promote, rollback,
// who, why, which sources changed), and "what was canonical for date D at time T"
// (?date=D&at=T): the newest version committed at or before T.

#include "runlake/pointer.h"
#include "serve/page_common.h"

namespace runlake::serve {

namespace {

using nlohmann::json;

std::string Html(const json& d) {
  std::string h;
  h += "<form method=\"get\" action=\"/pointer\"><input type=\"hidden\" name=\"dataset\" value=\"" +
       Esc(JsonText(d["dataset"])) + "\"><input type=\"hidden\" name=\"layer\" value=\"" +
       Esc(JsonText(d["layer"])) +
       "\">What was canonical for date <input name=\"date\" placeholder=\"YYYY-MM-DD\" value=\"" +
       Esc(JsonText(d["question"]["date"])) +
       "\"> at time <input name=\"at\" placeholder=\"2026-01-29T15:00:00Z\" value=\"" +
       Esc(JsonText(d["question"]["at"])) + "\"> <button type=\"submit\">ask</button></form>";
  const json& a = d["answer"];
  if (!a.is_null()) {
    h += "<p class=\"err\">";
    if (a["version"].get<int64_t>() == 0) {
      h += "no pointer version existed at " + Esc(JsonText(d["question"]["at"]));
    } else {
      h += "at " + Esc(JsonText(d["question"]["at"])) + " (version " + JsonText(a["version"]) +
           ") the canonical run of " + Esc(JsonText(d["question"]["date"])) + " was " +
           (JsonText(a["run_id"]).empty() ? std::string("none") : RunLink(a["run_id"]));
    }
    h += "</p>";
  }
  h += "<h2>Versions (newest first)</h2>";
  std::vector<std::vector<std::string>> rows;
  for (const auto& v : d["versions"]) {
    std::string changes;
    for (const auto& c : v["replaced"]) {
      changes += Esc(JsonText(c["source"])) + ": " +
                 (JsonText(c["old_run_id"]).empty() ? "-" : RunLink(c["old_run_id"])) + " &rarr; " +
                 (JsonText(c["new_run_id"]).empty() ? "-" : RunLink(c["new_run_id"])) + "<br>";
    }
    std::string action = Esc(JsonText(v["action"]));
    if (v.value("rolled_back_to", 0) > 0) action += " to version " + JsonText(v["rolled_back_to"]);
    rows.push_back({JsonText(v["version"]), action, Esc(JsonText(v["updated_at"])),
                    Esc(JsonText(v["created_by"])), Esc(JsonText(v["reason"])), changes,
                    JsonText(v["sources"].size())});
  }
  h += Table({"VERSION", "ACTION", "WHEN", "WHO", "WHY", "SOURCES CHANGED", "SOURCES"}, rows);
  return h;
}

}  // namespace

Result<Page> PointerPage(const DashboardSources& src, const PageRequest& req) {
  RUNLAKE_ASSIGN_OR_RAISE(DatasetId dataset, DatasetParam(req));
  std::string layer = req.Param("layer").empty() ? "silver" : req.Param("layer");
  if (layer != "silver" && layer != "gold")
    return Status::InvalidArgument("layer must be silver or gold");
  std::string date = req.Param("date"), at = req.Param("at");
  if (!date.empty()) RUNLAKE_RETURN_NOT_OK(ValidateDate(date));
  if (!at.empty() &&
      (at.size() > 40 || at.find_first_not_of("0123456789-:.TZ") != std::string::npos)) {
    return Status::InvalidArgument("at must be an ISO-8601 UTC time such as 2026-01-29T15:00:00Z");
  }
  RUNLAKE_ASSIGN_OR_RAISE(auto versions, PointerLog(*src.store, layer, dataset).History());
  json d = {{"dataset", dataset.path()},
            {"layer", layer},
            {"versions", json::array()},
            {"question", {{"date", date}, {"at", at}}},
            {"answer", nullptr}};
  for (auto it = versions.rbegin(); it != versions.rend(); ++it)
    d["versions"].push_back(PointerToJson(*it));
  if (!date.empty()) {
    // ISO-8601 UTC strings of one format compare as times; a bare date means its end.
    std::string t = at.empty() ? "9999" : at.size() == 10 ? at + "T23:59:59.999Z" : at;
    const PointerVersion* found = nullptr;
    for (const auto& v : versions) {
      if (v.updated_at <= t) found = &v;
    }
    json answer = {{"version", found ? found->version : 0}, {"run_id", ""}};
    if (found) {
      auto s = found->sources.find(date);
      if (s != found->sources.end()) answer["run_id"] = s->second;
    }
    d["answer"] = answer;
  }
  return Page{d, "Pointer history: " + layer + "/" + dataset.path(), Html(d), false};
}

}  // namespace runlake::serve
