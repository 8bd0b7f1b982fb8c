#pragma once
// The dashboard's pages. Each page function reads the lake and state through the same
// library calls the CLI uses and returns the page's data (the JSON served under /api/...)
// together with the HTML body rendered from that data, so a page and its twin never
// disagree.

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "runlake/layout.h"
#include "runlake/object_store.h"
#include "runlake/status.h"
#include "runlake/state_store.h"

namespace runlake::serve {

struct DashboardSources {
  ObjectStore* store = nullptr;
  StateStore* state = nullptr;
  std::string log_dir;      // execution logs (cli_context.h LogDir)
  std::string lake_bucket;  // the bucket of an s3:// lake, "" otherwise
};

struct PageRequest {
  std::string arg;  // the decoded path after the route's prefix ("" for fixed routes)
  std::map<std::string, std::string> query;
  std::string Param(const std::string& key) const {
    auto it = query.find(key);
    return it == query.end() ? std::string() : it->second;
  }
};

struct Page {
  nlohmann::json data;  // the /api twin
  std::string title;
  std::string html;   // the body
  bool live = false;  // something is RUNNING: the HTML page refreshes itself
};

using PageFn = Result<Page> (*)(const DashboardSources&, const PageRequest&);

Result<Page> OverviewPage(const DashboardSources& src, const PageRequest& req);
Result<Page> RunPage(const DashboardSources& src, const PageRequest& req);
Result<Page> ExecutionPage(const DashboardSources& src, const PageRequest& req);
Result<Page> MatrixPage(const DashboardSources& src, const PageRequest& req);
Result<Page> PointerPage(const DashboardSources& src, const PageRequest& req);
Result<Page> LogsPage(const DashboardSources& src, const PageRequest& req);
Result<Page> BackfillPage(const DashboardSources& src, const PageRequest& req);
Result<Page> QuarantinePage(const DashboardSources& src, const PageRequest& req);
Result<Page> ComparePage(const DashboardSources& src, const PageRequest& req);

// Checks shared by the pages. InvalidArgument (a 400) naming the problem.
Status ValidateExecutionName(const std::string& name);
// ?dataset=domain/dataset, default mortgages/transactions.
Result<DatasetId> DatasetParam(const PageRequest& req);
// ?page=N (>= 1, default 1).
Result<int> PageParam(const PageRequest& req);

}  // namespace runlake::serve
