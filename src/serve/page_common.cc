// Checks and small helpers shared by the pages.

#include "serve/page_common.h"

#include <cstdlib>

#include "runlake/clock.h"

namespace runlake::serve {

Status ValidateExecutionName(const std::string& name) {
  if (name.empty() || name.size() > 512) {
    return Status::InvalidArgument("an execution name is 1 to 512 bytes");
  }
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f)
      return Status::InvalidArgument("an execution name holds no control characters");
  }
  return Status::OK();
}

Result<DatasetId> DatasetParam(const PageRequest& req) {
  std::string d = req.Param("dataset");
  if (d.empty()) return DatasetId{};
  return ParseDatasetId(d);
}

Result<int> PageParam(const PageRequest& req) {
  std::string p = req.Param("page");
  if (p.empty()) return 1;
  char* end = nullptr;
  long n = std::strtol(p.c_str(), &end, 10);
  if (*end != '\0' || n < 1 || n > 1000000)
    return Status::InvalidArgument("page must be a whole number >= 1");
  return static_cast<int>(n);
}

std::string RunLink(const std::string& run_id) {
  return Link("/runs/" + UrlEncode(run_id), run_id);
}

std::string ExecutionLink(const std::string& name) {
  return Link("/executions/" + UrlEncode(name), name);
}

std::string BackfillLink(const std::string& id) { return Link("/backfills/" + UrlEncode(id), id); }

std::string MatrixLink(const DatasetId& d) {
  return Link("/datasets/" + UrlEncode(d.domain) + "/" + UrlEncode(d.dataset), d.path());
}

std::string JsonText(const nlohmann::json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_null()) return "";
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string Pre(const std::string& text) {
  return text.empty() ? "" : "<pre>" + Esc(text) + "</pre>";
}

std::string Now() { return NowIso8601Utc(); }

std::string PagerLinks(const std::string& base, int page, bool has_next) {
  std::string sep = base.find('?') == std::string::npos ? "?" : "&";
  std::string out = "<p class=\"pager\">page " + std::to_string(page);
  if (page > 1) out += " " + Link(base + sep + "page=" + std::to_string(page - 1), "previous");
  if (has_next) out += " " + Link(base + sep + "page=" + std::to_string(page + 1), "next");
  return out + "</p>";
}

}  // namespace runlake::serve
