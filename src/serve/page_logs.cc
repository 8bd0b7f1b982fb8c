// Logs `/logs?run_id=&execution=&filter=&page=`: the execution logs, searched for the
// filter as one literal string (no pattern syntax: what the operator types is what is
// found), paged.

#include "runlake/exec_log.h"
#include "serve/page_common.h"

namespace runlake::serve {

namespace {

using nlohmann::json;

// The filter occurs in one of the line's text fields as written (a quote is a quote, not
// the \" of the JSON line), or in the line's JSON text (numbers, field names).
bool Contains(const json& line, const std::string& filter) {
  for (const auto& [key, value] : line.items()) {
    if (value.is_string() && value.get_ref<const std::string&>().find(filter) != std::string::npos)
      return true;
  }
  return line.dump(-1, ' ', false, json::error_handler_t::replace).find(filter) !=
         std::string::npos;
}

std::string Html(const json& d) {
  std::string h = "<form method=\"get\" action=\"/logs\">run_id <input name=\"run_id\" value=\"" +
                  Esc(JsonText(d["run_id"])) + "\"> execution <input name=\"execution\" value=\"" +
                  Esc(JsonText(d["execution"])) + "\"> contains <input name=\"filter\" value=\"" +
                  Esc(JsonText(d["filter"])) + "\"> <button type=\"submit\">search</button></form>";
  h += "<p>" + JsonText(d["total"]) + " matching lines</p>";
  std::vector<std::vector<std::string>> rows;
  for (const auto& l : d["lines"]) {
    std::string exec = JsonText(l.value("execution", json()));
    std::string rid = JsonText(l.value("run_id", json()));
    rows.push_back({Esc(JsonText(l.value("timestamp", json()))),
                    Esc(JsonText(l.value("level", json()))),
                    exec.empty() ? "" : ExecutionLink(exec), rid.empty() ? "" : Esc(rid),
                    Pre(JsonText(l.value("message", json()))), Pre(JsonText(l))});
  }
  h += Table({"TIMESTAMP", "LEVEL", "EXECUTION", "RUN_ID", "MESSAGE", "LINE"}, rows);
  std::string base = "/logs?run_id=" + UrlEncode(JsonText(d["run_id"])) +
                     "&execution=" + UrlEncode(JsonText(d["execution"])) +
                     "&filter=" + UrlEncode(JsonText(d["filter"]));
  int page = d["page"];
  return h +
         PagerLinks(base, page, d["total"].get<size_t>() > static_cast<size_t>(page) * kPageRows);
}

}  // namespace

Result<Page> LogsPage(const DashboardSources& src, const PageRequest& req) {
  LogQuery q;
  q.run_id = req.Param("run_id");
  q.execution = req.Param("execution");
  if (!q.run_id.empty()) RUNLAKE_RETURN_NOT_OK(ValidateRunId(q.run_id));
  if (!q.execution.empty()) RUNLAKE_RETURN_NOT_OK(ValidateExecutionName(q.execution));
  std::string filter = req.Param("filter");
  RUNLAKE_ASSIGN_OR_RAISE(int page, PageParam(req));
  RUNLAKE_ASSIGN_OR_RAISE(auto lines, SearchLogs(src.state, src.log_dir, q));
  std::vector<json> matching;
  for (auto& l : lines) {
    if (filter.empty() || Contains(l, filter)) {
      matching.push_back(std::move(l));
    }
  }
  json d = {{"run_id", q.run_id},    {"execution", q.execution}, {"filter", filter},
            {"page", page},          {"page_size", kPageRows},   {"total", matching.size()},
            {"lines", json::array()}};
  for (size_t i = static_cast<size_t>(page - 1) * kPageRows;
       i < matching.size() && i < static_cast<size_t>(page) * kPageRows; ++i) {
    d["lines"].push_back(matching[i]);
  }
  return Page{d, "Logs", Html(d), false};
}

}  // namespace runlake::serve
