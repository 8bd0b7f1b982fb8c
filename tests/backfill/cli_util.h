#pragma once
// CLI test helpers for backfills: a lake with N days of sample transactions in bronze
// (written through the library, which is much faster than 2N runlake processes), and
// small readers of what the binary leaves in the lake.

#include <gtest/gtest.h>

#include <ctime>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "../integration/cli_runner.h"
#include "runlake/ingest.h"
#include "runlake/object_store.h"
#include "runlake/sample.h"

namespace runlake::bf_test {

using it::CmdResult;
using it::json;
using it::TestLake;
namespace fs = std::filesystem;

inline std::vector<std::string> Days(const std::string& first, int n) {
  std::tm tm{};
  strptime((first + " 12").c_str(), "%Y-%m-%d %H", &tm);
  std::time_t t = timegm(&tm);
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i, t += 86400) {
    char buf[16];
    std::tm day{};
    gmtime_r(&t, &day);
    std::strftime(buf, sizeof(buf), "%Y-%m-%d", &day);
    out.push_back(buf);
  }
  return out;
}

// Lands `rows` sample transactions for each day in bronze (bronze run_id = b<YYYYMMDD>).
// The lake is made first (`runlake init`): commands refuse a folder without _lake.json.
inline void LandDays(const TestLake& lake, const std::vector<std::string>& days, int64_t rows) {
  CmdResult made = lake.Rl({"init"});
  ASSERT_EQ(made.exit_code, 0) << made.Describe();
  auto store = NewLocalObjectStore(lake.lake());
  for (size_t i = 0; i < days.size(); ++i) {
    SampleOptions o;
    o.rows = rows;
    o.seed = 1000 + i;
    o.end_date = days[i];
    o.invalid_fraction = 0.02;  // passes the default quality gate
    std::string file = lake.Work("day-" + days[i] + ".csv");
    auto s = WriteSample(file, o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    std::string rid = "b" + days[i].substr(0, 4) + days[i].substr(5, 2) + days[i].substr(8, 2);
    auto r = IngestBronze(*store, file, IngestOptions{DatasetId{}, days[i], rid});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    fs::remove(file);
  }
}

// Committed run manifests whose run_id starts with `prefix`.
inline std::vector<std::string> Manifests(const TestLake& lake, const std::string& prefix) {
  std::vector<std::string> out;
  for (const auto& f : it::ListFiles(lake.Lake("_runs"))) {
    if (f.rfind(prefix, 0) == 0 && f.size() > 5 && f.substr(f.size() - 5) == ".json") {
      out.push_back(f.substr(0, f.size() - 5));
    }
  }
  return out;
}

inline int PointerVersions(const TestLake& lake) {
  return static_cast<int>(
      it::ListFiles(lake.Lake("silver/mortgages/transactions/_pointer_log")).size());
}

inline json NewestPointer(const TestLake& lake) {
  auto files = it::ListFiles(lake.Lake("silver/mortgages/transactions/_pointer_log"));
  if (files.empty()) return json();
  return json::parse(it::ReadFile(lake.Lake("silver/mortgages/transactions/_pointer_log/" + files.back())));
}

// The only backfill of the lake (after a crash the binary printed nothing).
inline std::string OnlyBackfillId(const TestLake& lake) {
  json all = lake.RlJson({"backfill", "list"});
  EXPECT_EQ(all.size(), 1u) << all.dump();
  return all.empty() ? "" : all[0]["id"].get<std::string>();
}

}  // namespace runlake::bf_test
