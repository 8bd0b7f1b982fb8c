// Multi-source runs (RunRequest::source_keys): one run, one manifest, every source
// validated, deduplicated and loop-prevented on its own (DESIGN.md "Rows").

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "catalog/catalog.h"
#include "lake_test_util.h"
#include "runlake/promote.h"

namespace runlake {
namespace {

using lake_test::Csv;
using lake_test::TestLake;

const std::string kBad = "B1,A9,5.00,XXX,2024-01-01T10:00:00Z";  // currency fails everywhere

Result<RunManifest> RunSources(TestLake& lake, const std::vector<std::string>& keys,
                               const std::string& run_id) {
  RunRequest req;
  req.run_id = run_id;
  req.source_keys = keys;
  req.schema_version = "v1";
  req.execution_name = run_id;
  return ExecuteRun(lake.store(), req, [](const std::string&, const std::string&, const nlohmann::json&) {});
}

std::vector<std::vector<std::string>> Rows(TestLake& lake, const std::string& sql) {
  auto engine = OpenCatalog(lake.store(), CatalogOptions{DatasetId{}, lake.dir() + "/scratch", 0});
  EXPECT_TRUE(engine.ok()) << engine.status().ToString();
  if (!engine.ok()) return {};
  auto r = (*engine)->Query(sql);
  EXPECT_TRUE(r.ok()) << sql << ": " << r.status().ToString();
  std::vector<std::vector<std::string>> out;
  if (!r.ok()) return out;
  for (const auto& row : r->rows) {
    std::vector<std::string> cells;
    for (const auto& c : row) cells.push_back(c.value_or("NULL"));
    out.push_back(cells);
  }
  return out;
}

bool Exists(TestLake& lake, const std::string& key) {
  return std::filesystem::exists(lake.root() + "/" + key);
}

TEST(MultiSourceRun, EachSourceIsCheckedOnItsOwn) {
  TestLake lake("multi");
  std::string d1 = lake.Ingest(Csv({"T1,A1,10.00,EUR,2024-01-01T10:00:00Z",
                                    "T1,A1,11.00,EUR,2024-01-01T10:05:00Z", kBad}),
                               "2024-01-01", "b1");
  std::string d2 = lake.Ingest(Csv({"T1,A2,20.00,EUR,2024-01-02T10:00:00Z", kBad}), "2024-01-02", "b2");
  // An earlier committed run of 2024-01-01 saw kBad once: in that source it is attempt 2.
  ASSERT_TRUE(RunSources(lake, {d1}, "first").ok());

  auto m = RunSources(lake, {d1, d2}, "multi");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->sources.size(), 2u);
  EXPECT_EQ(m->sources[0].ingest_date, "2024-01-01");
  EXPECT_EQ(m->sources[0].key, d1);
  EXPECT_EQ(m->sources[0].input_rows, 3);
  EXPECT_EQ(m->sources[0].valid_rows, 1);
  EXPECT_EQ(m->sources[0].quarantined_rows, 2);
  EXPECT_EQ(m->sources[1].ingest_date, "2024-01-02");
  EXPECT_EQ(m->sources[1].input_rows, 2);
  EXPECT_EQ(m->sources[1].valid_rows, 1);  // T1 again, but in another source: not a duplicate
  EXPECT_EQ(m->sources[1].quarantined_rows, 1);
  EXPECT_EQ(m->metrics.input_rows, 5);
  EXPECT_EQ(m->metrics.valid_rows, 2);
  EXPECT_EQ(m->metrics.quarantine_by_reason["DUPLICATE_TRANSACTION_ID"], 1);
  EXPECT_EQ(m->metrics.quarantine_by_reason["CURRENCY_ERROR"], 2);

  // Rejects live under their own source's ingest_date, with that source's attempt count
  // (2024-01-01's rejects failed once before, in run "first"; 2024-01-02's never).
  EXPECT_EQ(Rows(lake, "SELECT strftime(ingest_date, '%Y-%m-%d'), validation_error, attempt_count, source_line "
                       "FROM quarantine WHERE run_id = 'multi' ORDER BY ALL"),
            (std::vector<std::vector<std::string>>{{"2024-01-01", "CURRENCY_ERROR", "2", "4"},
                                                   {"2024-01-01", "DUPLICATE_TRANSACTION_ID", "2", "3"},
                                                   {"2024-01-02", "CURRENCY_ERROR", "1", "3"}}));
  EXPECT_TRUE(Exists(lake, "quarantine/mortgages/transactions/ingest_date=2024-01-01/run_id=multi/part-00000.parquet"));
  EXPECT_TRUE(Exists(lake, "quarantine/mortgages/transactions/ingest_date=2024-01-02/run_id=multi/part-00000.parquet"));
  // Lineage per source; both sources' rows share the month partition and its one _SUCCESS.
  EXPECT_EQ(Rows(lake, "SELECT transaction_id, strftime(ingest_date, '%Y-%m-%d'), source_key, source_line "
                       "FROM silver_transactions WHERE run_id = 'multi' ORDER BY ALL"),
            (std::vector<std::vector<std::string>>{{"T1", "2024-01-01", d1, "2"}, {"T1", "2024-01-02", d2, "2"}}));
  std::string dir = "silver/mortgages/transactions/year=2024/month=01/schema_v=v1/run_id=multi/";
  EXPECT_TRUE(Exists(lake, dir + "part-00000.parquet"));
  EXPECT_TRUE(Exists(lake, dir + "part-00001.parquet"));
  std::ifstream success(lake.root() + "/" + dir + "_SUCCESS");
  auto marker = nlohmann::json::parse(success);
  EXPECT_EQ(marker["partition_rows"], 2);
  EXPECT_EQ(marker["metrics"]["input_rows"], 5);

  // Promote maps each source to the run; --dates picks a subset.
  PromoteRequest some{{"multi"}, "2024-01-02", "2024-01-02", "", ""};
  auto v = Promote(lake.store(), some);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->version->sources, (std::map<std::string, std::string>{{"2024-01-02", "multi"}}));
  EXPECT_EQ(Rows(lake, "SELECT count(*) FROM silver_current"), (std::vector<std::vector<std::string>>{{"1"}}));
  ASSERT_TRUE(Promote(lake.store(), PromoteRequest{{"multi"}, "", "", "", ""}).ok());
  EXPECT_EQ(Rows(lake, "SELECT strftime(ingest_date, '%Y-%m-%d'), run_id FROM silver_current ORDER BY ALL"),
            (std::vector<std::vector<std::string>>{{"2024-01-01", "multi"}, {"2024-01-02", "multi"}}));
}

TEST(MultiSourceRun, BadSourcesFailBeforeTheClaim) {
  TestLake lake("multi-bad");
  std::string d1 = lake.Ingest(Csv({"T1,A1,10.00,EUR,2024-01-01T10:00:00Z"}), "2024-01-01", "b1");
  std::string d1b = lake.Ingest(Csv({"T2,A1,10.00,EUR,2024-01-01T10:00:00Z"}), "2024-01-01", "b1b");
  std::string d2 = lake.Ingest("TransactionID,Amount\nT1,1\n", "2024-01-02", "b2");

  auto twice = RunSources(lake, {d1, d1b}, "twice");
  EXPECT_TRUE(twice.status().IsInvalidArgument()) << twice.status().ToString();
  EXPECT_NE(twice.status().message().find("2024-01-01"), std::string::npos);
  auto header = RunSources(lake, {d1, d2}, "header");
  EXPECT_TRUE(header.status().IsInvalidArgument()) << header.status().ToString();
  EXPECT_NE(header.status().message().find(d2), std::string::npos) << header.status().message();
  std::string missing_key = "bronze/mortgages/transactions/ingest_date=2024-01-03/run_id=x/none.csv.gz";
  auto missing = RunSources(lake, {d1, missing_key}, "missing");
  EXPECT_TRUE(missing.status().IsNotFound()) << missing.status().ToString();
  auto none = RunSources(lake, {}, "none");
  EXPECT_TRUE(none.status().IsInvalidArgument()) << none.status().ToString();
  for (const char* rid : {"twice", "header", "missing", "none"}) {
    EXPECT_FALSE(Exists(lake, std::string("_runs/_claims/") + rid + ".json")) << rid;
    EXPECT_FALSE(Exists(lake, std::string("_runs/") + rid + ".json")) << rid;
  }
}

// `rows` valid rows of one day, IDs prefixed so two sources never share one.
std::string ManyRows(const std::string& prefix, const std::string& day, int rows) {
  std::string out = "TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp\n";
  for (int i = 0; i < rows; ++i) {
    out += prefix + std::to_string(i) + ",A" + std::to_string(i % 97) + ",1.00,EUR," + day +
           "T10:00:00Z\n";
  }
  return out;
}

TEST(MultiSourceRun, SourcesAreReadAtOnceUpToTheCores) {
  if (std::thread::hardware_concurrency() < 2) GTEST_SKIP() << "one core: sources are read in turn";
  TestLake lake("multi-parallel");
  std::string d1 = lake.Ingest(ManyRows("X", "2024-01-01", 150000), "2024-01-01", "b1");
  std::string d2 = lake.Ingest(ManyRows("Y", "2024-01-02", 150000), "2024-01-02", "b2");
  // The order in which progress reports of the two sources arrive: read in turn, every
  // report of source 0 would come before the first of source 1.
  std::mutex mu;
  std::vector<size_t> order;
  RunRequest req;
  req.run_id = "parallel";
  req.source_keys = {d1, d2};
  req.schema_version = "v1";
  req.execution_name = "parallel";
  req.progress = [&](const RunProgress& p) {
    std::lock_guard<std::mutex> lock(mu);
    order.push_back(p.source_index);
  };
  auto m = ExecuteRun(lake.store(), req, [](const std::string&, const std::string&, const nlohmann::json&) {});
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->metrics.valid_rows, 300000);
  ASSERT_EQ(m->sources.size(), 2u);  // in the request's order, whichever finished first
  EXPECT_EQ(m->sources[0].key, d1);
  EXPECT_EQ(m->sources[1].key, d2);
  size_t last_of_0 = 0, first_of_1 = order.size();
  for (size_t i = 0; i < order.size(); ++i) {
    if (order[i] == 0) last_of_0 = i;
    if (order[i] == 1 && first_of_1 == order.size()) first_of_1 = i;
  }
  EXPECT_LT(first_of_1, last_of_0) << "source 1 started only after source 0 ended";
  EXPECT_EQ(Rows(lake, "SELECT count(*), count(DISTINCT transaction_id) FROM silver_transactions"),
            (std::vector<std::vector<std::string>>{{"300000", "300000"}}));
}

TEST(MultiSourceRun, AFailingSourceStopsTheOthersAndLeavesNothing) {
  TestLake lake("multi-fail");
  std::string d1 = lake.Ingest(ManyRows("X", "2024-01-01", 100000), "2024-01-01", "b1");
  std::string d2 = lake.Ingest(ManyRows("Y", "2024-01-02", 1000), "2024-01-02", "b2");
  // Source 2's object changes after its ingest (same size, other bytes): its reader fails
  // when the bytes do not hash to the ingest record, whatever source 1 has published.
  std::string path = lake.root() + "/" + d2;
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(static_cast<std::streamoff>(std::filesystem::file_size(path) / 2));
  f.put('\x5a');
  f.close();
  auto m = RunSources(lake, {d1, d2}, "broken");
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find(d2), std::string::npos) << m.status().ToString();
  EXPECT_FALSE(Exists(lake, "_runs/broken.json"));
  EXPECT_FALSE(Exists(lake, "_runs/_claims/broken"));
  for (const char* layer : {"silver", "quarantine", "condemned"}) {
    const std::string dir = lake.root() + "/" + layer;
    if (!std::filesystem::exists(dir)) continue;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
      EXPECT_EQ(e.path().string().find("run_id=broken"), std::string::npos) << e.path();
    }
  }
}

}  // namespace
}  // namespace runlake
