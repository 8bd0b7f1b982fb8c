// The run index (run_index.h) on every backend, in the conformance style of
// tests/store/object_store_conformance_test.cc: local directory, in-memory, and S3 (the
// test RGW, when RUNLAKE_TEST_S3_ENDPOINT is set). The manifests stay the truth: a
// deleted run disappears even while the checkpoint names it, a run_id deleted and reused
// is read afresh, a bad manifest makes only that run invisible, and a bad checkpoint is
// ignored. Then 16 concurrent committers with readers: a reader sees every run committed
// before it started and never a half-written one, and no committer retries on the index.

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <functional>
#include <set>
#include <thread>

#include "runlake/object_store.h"
#include "runlake/run_index.h"
#include "runlake/run_manifest.h"

namespace runlake {
namespace {

namespace fs = std::filesystem;

struct Backend {
  std::string name;
  std::function<std::unique_ptr<ObjectStore>(const std::string& test)> open;
  std::function<bool()> available = [] { return true; };
  bool etags = true;  // the index is used only where the store gives ETags
};
void PrintTo(const Backend& b, std::ostream* os) { *os << b.name; }

const char* S3Endpoint() {
  const char* ep = std::getenv("RUNLAKE_TEST_S3_ENDPOINT");
  return ep && *ep ? ep : nullptr;
}

std::string Unique(const std::string& test) {
  static std::atomic<int> counter{0};
  return std::to_string(getpid()) + "-" + std::to_string(time(nullptr)) + "-" +
         std::to_string(counter++) + "-" + test;
}

std::vector<Backend> Backends() {
  auto local = [](const std::string& t) {
    fs::path dir = fs::temp_directory_path() / ("runlake-index-" + Unique(t));
    fs::create_directories(dir);
    return NewLocalObjectStore(dir.string());
  };
  auto s3 = [](const std::string& t) -> std::unique_ptr<ObjectStore> {
    const char* b = std::getenv("RUNLAKE_TEST_S3_BUCKET");
    auto config = S3ConfigFromUri("s3://" + std::string(b && *b ? b : "runlake-test") + "/index-" + Unique(t));
    if (!config.ok()) return nullptr;
    config->endpoint = S3Endpoint();
    return NewS3ObjectStore(*config);
  };
  return {Backend{"local", local, [] { return true; }, /*etags=*/false},
          Backend{"memory", [](const std::string& t) { return NewMemoryObjectStore("index-" + Unique(t)); }},
          Backend{"s3", s3, [] { return S3Endpoint() != nullptr; }}};
}

RunManifest Manifest(const std::string& run_id, int64_t rows = 10) {
  RunManifest m;
  m.run_id = run_id;
  m.schema_version = "v1";
  m.sources.push_back(RunSource{"2024-01-15", "bronze/mortgages/transactions/ingest_date=2024-01-15/run_id=b/x.csv.gz"});
  m.files.push_back(RunFile{"silver/mortgages/transactions/year=2024/month=01/schema_v=v1/run_id=" + run_id +
                                "/part-00000.parquet",
                            "silver", "year=2024/month=01", rows, 100});
  m.metrics.input_rows = m.metrics.valid_rows = rows;
  m.started_at = m.completed_at = "2024-01-15T00:00:00Z";
  return m;
}

std::string Key(const std::string& run_id) { return "_runs/" + run_id + ".json"; }

class RunIndexConformance : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (!GetParam().available()) GTEST_SKIP() << GetParam().name << " backend not configured";
    std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (char& c : test) if (c == '/') c = '_';
    store_ = GetParam().open(test);
    ASSERT_NE(store_, nullptr);
  }
  void Commit(const RunManifest& m) {
    Status st = store_->PutIfAbsent(Key(m.run_id), ManifestToJson(m).dump(2));
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  RunListing List() {
    auto l = ListRuns(*store_);
    EXPECT_TRUE(l.ok()) << l.status().ToString();
    return l.ok() ? *l : RunListing{};
  }
  static std::vector<std::string> Ids(const RunListing& l) {
    std::vector<std::string> ids;
    for (const auto& m : l.runs) ids.push_back(m.run_id);
    return ids;
  }
  std::unique_ptr<ObjectStore> store_;
};

TEST_P(RunIndexConformance, AnEmptyLakeHasNoRuns) {
  RunListing l = List();
  EXPECT_TRUE(l.runs.empty());
  EXPECT_TRUE(l.broken.empty());
  EXPECT_FALSE(l.index_used);
}

TEST_P(RunIndexConformance, TheCheckpointSavesTheManifestReads) {
  for (const char* rid : {"r1", "r2", "r3"}) Commit(Manifest(rid));
  // Claims and the index itself live under _runs/ too: they are not runs.
  ASSERT_TRUE(store_->Put("_runs/_claims/r9", "{}").ok());
  RunListing first = List();
  EXPECT_EQ(Ids(first), (std::vector<std::string>{"r1", "r2", "r3"}));
  EXPECT_EQ(first.manifests_fetched, 3);
  ASSERT_TRUE(WriteRunIndex(*store_, first).ok());

  Commit(Manifest("r4"));
  RunListing second = List();
  EXPECT_EQ(Ids(second), (std::vector<std::string>{"r1", "r2", "r3", "r4"}));
  if (GetParam().etags) {
    EXPECT_TRUE(second.index_used);
    EXPECT_EQ(second.manifests_fetched, 1) << "only the manifest newer than the checkpoint";
  } else {
    EXPECT_EQ(second.manifests_fetched, 4) << "without ETags every manifest is read";
  }
  EXPECT_EQ(second.Find("r2")->metrics.valid_rows, 10);
}

TEST_P(RunIndexConformance, ADeletedRunDisappearsThoughTheCheckpointNamesIt) {
  for (const char* rid : {"r1", "r2"}) Commit(Manifest(rid));
  ASSERT_TRUE(WriteRunIndex(*store_, List()).ok());
  ASSERT_TRUE(store_->Delete(Key("r1")).ok());
  RunListing l = List();
  EXPECT_EQ(Ids(l), (std::vector<std::string>{"r2"}));
  EXPECT_EQ(l.Find("r1"), nullptr);
}

TEST_P(RunIndexConformance, AReusedRunIdIsReadAfresh) {
  Commit(Manifest("r1", 10));
  ASSERT_TRUE(WriteRunIndex(*store_, List()).ok());
  ASSERT_TRUE(store_->Delete(Key("r1")).ok());
  Commit(Manifest("r1", 777));  // different bytes, so a different size and ETag
  RunListing l = List();
  ASSERT_NE(l.Find("r1"), nullptr);
  EXPECT_EQ(l.Find("r1")->metrics.valid_rows, 777) << "the checkpoint's copy is stale";
}

TEST_P(RunIndexConformance, ABadManifestMakesOnlyThatRunInvisible) {
  Commit(Manifest("good"));
  ASSERT_TRUE(store_->PutIfAbsent(Key("truncated"), ManifestToJson(Manifest("truncated")).dump().substr(0, 40)).ok());
  nlohmann::json missing = ManifestToJson(Manifest("nokey"));
  missing.erase("files");
  ASSERT_TRUE(store_->PutIfAbsent(Key("nokey"), missing.dump()).ok());
  ASSERT_TRUE(store_->PutIfAbsent(Key("other"), ManifestToJson(Manifest("someone-else")).dump()).ok());
  RunListing l = List();
  EXPECT_EQ(Ids(l), (std::vector<std::string>{"good"}));
  std::set<std::string> broken;
  for (const auto& b : l.broken) {
    broken.insert(b.run_id);
    EXPECT_FALSE(b.problem.empty()) << b.run_id;
  }
  EXPECT_EQ(broken, (std::set<std::string>{"nokey", "other", "truncated"}));
  // A checkpoint written now must not make a broken run readable either.
  ASSERT_TRUE(WriteRunIndex(*store_, l).ok());
  EXPECT_EQ(Ids(List()), (std::vector<std::string>{"good"}));
  EXPECT_EQ(List().broken.size(), 3u);
}

TEST_P(RunIndexConformance, ABadCheckpointIsIgnored) {
  for (const char* rid : {"r1", "r2"}) Commit(Manifest(rid));
  ASSERT_TRUE(store_->Put(kRunIndexKey, "{\"format\": \"something else\"").ok());
  RunListing l = List();
  EXPECT_EQ(Ids(l), (std::vector<std::string>{"r1", "r2"}));
  EXPECT_FALSE(l.index_used);
  if (GetParam().etags) EXPECT_FALSE(l.index_problem.empty());
}

TEST_P(RunIndexConformance, ConcurrentCommittersAndReaders) {
  const int kWriters = 16, kRunsEach = GetParam().name == "s3" ? 4 : 8;
  std::atomic<int> committed{0}, failures{0}, reader_errors{0}, bad_reads{0}, readings{0};
  std::atomic<bool> done{false};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < kRunsEach; ++i) {
        std::string rid = "w" + std::to_string(w) + "-" + std::to_string(i);
        // One PutIfAbsent is the commit: it must succeed the first time, never retry.
        if (!store_->PutIfAbsent(Key(rid), ManifestToJson(Manifest(rid)).dump(2)).ok()) ++failures;
        ++committed;
        // The opportunistic refresh after a commit: last writer wins, errors ignored.
        if (i % 3 == 2) {
          auto l = ListRuns(*store_);
          if (l.ok()) (void)WriteRunIndex(*store_, *l);
        }
      }
    });
  }
  for (int r = 0; r < 3; ++r) {
    threads.emplace_back([&] {
      while (!done) {
        int before = committed.load();
        auto l = ListRuns(*store_);
        if (!l.ok()) { ++reader_errors; continue; }
        ++readings;
        // Every run counted before the listing began is in it; none is half-read.
        if (static_cast<int>(l->runs.size()) < before || !l->broken.empty()) ++bad_reads;
      }
    });
  }
  for (int w = 0; w < kWriters; ++w) threads[w].join();
  done = true;
  for (size_t t = kWriters; t < threads.size(); ++t) threads[t].join();
  EXPECT_EQ(failures, 0) << "a committer had to retry";
  EXPECT_EQ(reader_errors, 0);
  EXPECT_EQ(bad_reads, 0);
  EXPECT_GT(readings, 0);
  RunListing final_listing = List();
  EXPECT_EQ(static_cast<int>(final_listing.runs.size()), kWriters * kRunsEach);
  EXPECT_TRUE(final_listing.broken.empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, RunIndexConformance, ::testing::ValuesIn(Backends()),
                         [](const ::testing::TestParamInfo<Backend>& info) { return info.param.name; });

}  // namespace
}  // namespace runlake
