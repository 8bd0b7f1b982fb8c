// The object cache (store/object_cache.h) over the in-memory store, whose ETag is a content
// hash like S3's: hits, a replaced object, LRU eviction with its grace period, processes
// racing on one entry, and the fallback for a store without ETags.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "store/local_files.h"
#include "store/object_cache.h"
#include "lake_test_util.h"

namespace runlake {
namespace {

namespace fs = std::filesystem;

// Forwards to a store and counts the reads of object bytes.
class CountingStore : public ObjectStore {
 public:
  explicit CountingStore(std::unique_ptr<ObjectStore> inner) : inner_(std::move(inner)) {}
  std::string uri() const override { return inner_->uri(); }
  Status Put(std::string_view k, std::string_view d) override { return inner_->Put(k, d); }
  Status PutIfAbsent(std::string_view k, std::string_view d) override { return inner_->PutIfAbsent(k, d); }
  Status PutFile(std::string_view k, const std::string& p) override { return inner_->PutFile(k, p); }
  Result<std::string> Get(std::string_view k) override { ++reads; return inner_->Get(k); }
  Result<std::unique_ptr<ObjectReader>> OpenRead(std::string_view k) override { ++reads; return inner_->OpenRead(k); }
  Result<std::optional<ObjectInfo>> Head(std::string_view k) override {
    auto h = inner_->Head(k);
    if (h.ok() && *h && strip_etags) (*h)->etag.clear();
    return h;
  }
  Result<std::vector<ObjectInfo>> List(std::string_view p) override { return inner_->List(p); }
  Status Delete(std::string_view k) override { return inner_->Delete(k); }
  std::optional<std::string> LocalPath(std::string_view) const override { return std::nullopt; }

  std::atomic<int> reads{0};
  bool strip_etags = false;

 private:
  std::unique_ptr<ObjectStore> inner_;
};

std::string ReadAll(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

class ObjectCacheTest : public ::testing::Test {
 protected:
  ObjectCacheTest()
      : dir_(lake_test::FreshDir("cache")),
        store_(NewMemoryObjectStore("cache-test-" + std::to_string(getpid()) + "-" +
                                    ::testing::UnitTest::GetInstance()->current_test_info()->name())) {}
  ~ObjectCacheTest() override { fs::remove_all(dir_); }
  ObjectCacheOptions Options(uint64_t max_bytes = 1 << 20, int grace_s = 600) {
    return ObjectCacheOptions{dir_ + "/cache", max_bytes, std::chrono::seconds(grace_s)};
  }
  std::string dir_;
  CountingStore store_;
};

TEST_F(ObjectCacheTest, DownloadsOnceAndFetchesAgainWhenTheObjectChanges) {
  const std::string key = "silver/d/x/year=2024/month=01/schema_v=v1/run_id=r1/part-00000.parquet";
  ASSERT_TRUE(store_.Put(key, "first").ok());
  ObjectCache cache(Options());
  auto a = cache.Fetch(store_, key);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(ReadAll(*a), "first");
  // Hive partitions stay in the path, so DuckDB still sees year/month/run_id.
  EXPECT_NE(a->find("/year=2024/month=01/schema_v=v1/run_id=r1/"), std::string::npos) << *a;
  ObjectCache other(Options());  // another command, same directory
  auto b = other.Fetch(store_, key);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, *a);
  EXPECT_EQ(store_.reads, 1);
  EXPECT_EQ(other.stats().hits, 1);

  ASSERT_TRUE(store_.Put(key, "second!").ok());  // a new ETag
  auto c = cache.Fetch(store_, key);
  ASSERT_TRUE(c.ok());
  EXPECT_NE(*c, *a);
  EXPECT_EQ(ReadAll(*c), "second!");
  EXPECT_EQ(store_.reads, 2);
  EXPECT_TRUE(cache.Fetch(store_, "silver/none.parquet").status().IsNotFound());
}

// A cached file whose bytes changed after the download (same size: a hand, a tool, a query
// that wrote there) is fetched again, never served; so is one whose digest is missing.
TEST_F(ObjectCacheTest, AnEntryWhoseBytesChangedIsFetchedAgain) {
  const std::string key = "silver/d/x/run_id=r1/part-00000.parquet";
  ASSERT_TRUE(store_.Put(key, "committed bytes").ok());
  ObjectCache cache(Options());
  for (bool committed : {false, true}) {
    SCOPED_TRACE(committed ? "FetchCommitted" : "Fetch");
    auto fetch = [&] { return committed ? cache.FetchCommitted(store_, key, 15, "tag") : cache.Fetch(store_, key); };
    int reads = store_.reads;
    auto a = fetch();
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    EXPECT_EQ(store_.reads, reads + 1);
    { std::ofstream(*a, std::ios::binary | std::ios::trunc) << "FORGED bytes!!!"; }  // same size
    auto b = fetch();
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(*b, *a);
    EXPECT_EQ(ReadAll(*b), "committed bytes");
    EXPECT_EQ(store_.reads, reads + 2);
    fs::remove(*a + ".sha256");
    auto c = fetch();
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(store_.reads, reads + 3);
    auto d = fetch();  // intact again: a hit
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(store_.reads, reads + 3);
    EXPECT_EQ(ReadAll(*d), "committed bytes");
  }
}

TEST_F(ObjectCacheTest, TrimEvictsLeastRecentlyUsedOutsideTheGracePeriod) {
  std::vector<std::string> paths;
  ObjectCache cache(Options(/*max_bytes=*/2500, /*grace_s=*/0));
  for (int i = 0; i < 4; ++i) {
    std::string key = "k/" + std::to_string(i);
    ASSERT_TRUE(store_.Put(key, std::string(1000, char('a' + i))).ok());
    auto p = cache.Fetch(store_, key);
    ASSERT_TRUE(p.ok());
    paths.push_back(*p);
    // Distinct, ordered use times: 0 is the least recently used.
    auto t = fs::file_time_type::clock::now() - std::chrono::hours(10 - i);
    fs::last_write_time(*p, t);
  }
  // Using 0 again makes 1 the least recently used.
  ASSERT_TRUE(cache.Fetch(store_, "k/0").ok());
  ASSERT_TRUE(cache.Trim().ok());
  EXPECT_TRUE(fs::exists(paths[0]));
  EXPECT_FALSE(fs::exists(paths[1]));
  EXPECT_FALSE(fs::exists(paths[2]));
  EXPECT_TRUE(fs::exists(paths[3]));
  EXPECT_FALSE(fs::exists(paths[1] + ".sha256"));  // a digest goes with its entry
  EXPECT_TRUE(fs::exists(paths[0] + ".sha256"));
  EXPECT_EQ(cache.stats().evicted, 2);

  // Over budget, an entry used within the grace period stays (0 was used just now); an
  // older one goes.
  ObjectCache careful(Options(/*max_bytes=*/10, /*grace_s=*/3600));
  ASSERT_TRUE(careful.Trim().ok());
  EXPECT_TRUE(fs::exists(paths[0]));
  EXPECT_FALSE(fs::exists(paths[3]));
}

TEST_F(ObjectCacheTest, ConcurrentProcessesShareOneEntry) {
  const std::string key = "k/big";
  std::string data(3 << 20, 'x');
  for (size_t i = 0; i < data.size(); i += 4096) data[i] = char('a' + (i / 4096) % 26);
  ASSERT_TRUE(store_.Put(key, data).ok());
  // The in-memory store is per process: each child gets its copy of it at fork.
  std::vector<pid_t> children;
  for (int i = 0; i < 4; ++i) {
    pid_t pid = fork();
    if (pid == 0) {
      ObjectCache cache(Options(64 << 20));
      auto p = cache.Fetch(store_, key);
      _exit(p.ok() && ReadAll(*p) == data ? 0 : 1);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  int files = 0, digests = 0;
  for (auto& e : fs::recursive_directory_iterator(dir_ + "/cache")) {
    if (!e.is_regular_file()) continue;
    (e.path().extension() == ".sha256" ? digests : files)++;
  }
  EXPECT_EQ(files, 1);  // one entry, no temp file left behind
  EXPECT_EQ(digests, 1);  // and its digest
}

TEST_F(ObjectCacheTest, LocalPathsForUsesTheCacheAndFallsBackWithoutETags) {
  ASSERT_TRUE(store_.Put("a/x.parquet", "xx").ok());
  setenv("RUNLAKE_CACHE", (dir_ + "/envcache").c_str(), 1);
  auto first = LocalPathsFor(store_, {"a/x.parquet"}, dir_ + "/scratch");
  auto second = LocalPathsFor(store_, {"a/x.parquet"}, dir_ + "/scratch2");
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ((*first)[0], (*second)[0]);
  EXPECT_EQ((*first)[0].rfind(dir_ + "/envcache/", 0), 0u) << (*first)[0];
  EXPECT_EQ(store_.reads, 1);

  store_.strip_etags = true;
  auto plain = LocalPathsFor(store_, {"a/x.parquet"}, dir_ + "/scratch3");
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_EQ((*plain)[0], dir_ + "/scratch3/a/x.parquet");
  EXPECT_EQ(ReadAll((*plain)[0]), "xx");

  // A cache directory that cannot be created does not fail the read.
  store_.strip_etags = false;
  std::ofstream(dir_ + "/a-file") << "x";
  setenv("RUNLAKE_CACHE", (dir_ + "/a-file/cache").c_str(), 1);
  auto unusable = LocalPathsFor(store_, {"a/x.parquet"}, dir_ + "/scratch5");
  ASSERT_TRUE(unusable.ok()) << unusable.status().ToString();
  EXPECT_EQ((*unusable)[0], dir_ + "/scratch5/a/x.parquet");

  setenv("RUNLAKE_CACHE", "off", 1);
  auto off = LocalPathsFor(store_, {"a/x.parquet"}, dir_ + "/scratch4");
  ASSERT_TRUE(off.ok());
  EXPECT_EQ((*off)[0], dir_ + "/scratch4/a/x.parquet");
  unsetenv("RUNLAKE_CACHE");
}

}  // namespace
}  // namespace runlake
