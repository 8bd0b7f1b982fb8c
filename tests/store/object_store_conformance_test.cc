// One conformance suite for every ObjectStore backend (Arrow's GenericFileSystemTest idea).
// A new backend joins by adding a factory to INSTANTIATE_TEST_SUITE_P below.

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "runlake/object_store.h"

namespace runlake {
namespace {

namespace fs = std::filesystem;

struct Backend {
  std::string name;
  std::function<std::unique_ptr<ObjectStore>(const std::string& test_name)> open;
  std::function<bool()> available = [] { return true; };
};
// Names the backend in test listings (ctest shows it), instead of a byte dump.
void PrintTo(const Backend& b, std::ostream* os) { *os << b.name; }

std::string TempDir(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("runlake-store-" + std::to_string(getpid()) + "-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

class ObjectStoreConformanceTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (char& c : test) if (c == '/') c = '_';
    if (!GetParam().available()) GTEST_SKIP() << GetParam().name << " backend not configured";
    store_ = GetParam().open(test);
    ASSERT_NE(store_, nullptr);
  }
  std::unique_ptr<ObjectStore> store_;
};

TEST_P(ObjectStoreConformanceTest, PutGetRoundTrip) {
  ASSERT_TRUE(store_->Put("a/b/c.txt", "hello").ok());
  auto got = store_->Get("a/b/c.txt");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, "hello");
  ASSERT_TRUE(store_->Put("a/b/c.txt", "replaced").ok());
  EXPECT_EQ(*store_->Get("a/b/c.txt"), "replaced");
}

TEST_P(ObjectStoreConformanceTest, BinaryAndEmptyObjects) {
  std::string bin("\0\x01\xff\n\r", 5);
  ASSERT_TRUE(store_->Put("bin", bin).ok());
  EXPECT_EQ(*store_->Get("bin"), bin);
  ASSERT_TRUE(store_->Put("empty", "").ok());
  EXPECT_EQ(*store_->Get("empty"), "");
  auto head = store_->Head("empty");
  ASSERT_TRUE(head.ok() && head->has_value());
  EXPECT_EQ((*head)->size, 0u);
}

TEST_P(ObjectStoreConformanceTest, MissingObjectIsNotFound) {
  auto got = store_->Get("nope/x");
  ASSERT_FALSE(got.ok());
  EXPECT_TRUE(got.status().IsNotFound()) << got.status().ToString();
  auto head = store_->Head("nope/x");
  ASSERT_TRUE(head.ok());
  EXPECT_FALSE(head->has_value());
  EXPECT_TRUE(store_->OpenRead("nope").status().IsNotFound());
}

TEST_P(ObjectStoreConformanceTest, PutIfAbsentRefusesSecondWriter) {
  ASSERT_TRUE(store_->PutIfAbsent("_runs/r1.json", "first").ok());
  Status second = store_->PutIfAbsent("_runs/r1.json", "second");
  EXPECT_TRUE(second.IsAlreadyExists()) << second.ToString();
  EXPECT_EQ(*store_->Get("_runs/r1.json"), "first");
}

TEST_P(ObjectStoreConformanceTest, ConcurrentPutIfAbsentHasOneWinner) {
  std::atomic<int> winners{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&, i] {
      if (store_->PutIfAbsent("log/0000000001.json", "writer " + std::to_string(i)).ok()) ++winners;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(winners.load(), 1);
  EXPECT_EQ(store_->Get("log/0000000001.json")->rfind("writer ", 0), 0u);
}

TEST_P(ObjectStoreConformanceTest, ListIsSortedAndFilteredByPrefix) {
  for (const char* k : {"x/2", "x/1", "x/sub/3", "xy/4", "y/5"}) ASSERT_TRUE(store_->Put(k, k).ok());
  auto listed = store_->List("x/");
  ASSERT_TRUE(listed.ok());
  std::vector<std::string> keys;
  for (auto& o : *listed) keys.push_back(o.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"x/1", "x/2", "x/sub/3"}));
  auto partial = store_->List("x");
  ASSERT_TRUE(partial.ok());
  EXPECT_EQ(partial->size(), 4u);  // a prefix need not end at a '/'
  EXPECT_EQ(store_->List("nothing/")->size(), 0u);
  EXPECT_EQ((*listed)[0].size, 3u);
}

TEST_P(ObjectStoreConformanceTest, DeleteIsIdempotent) {
  ASSERT_TRUE(store_->Put("d/k", "v").ok());
  ASSERT_TRUE(store_->Delete("d/k").ok());
  EXPECT_FALSE(store_->Head("d/k")->has_value());
  EXPECT_TRUE(store_->Delete("d/k").ok());
  EXPECT_EQ(store_->List("d/")->size(), 0u);
}

TEST_P(ObjectStoreConformanceTest, StreamingReadReturnsAllBytes) {
  std::string big(3 * 1000 * 1000, 'z');
  for (size_t i = 0; i < big.size(); i += 997) big[i] = char('a' + i % 26);
  ASSERT_TRUE(store_->Put("big", big).ok());
  auto reader = store_->OpenRead("big");
  ASSERT_TRUE(reader.ok());
  std::string back;
  char buf[4096];
  while (true) {
    auto n = (*reader)->Read(buf, sizeof(buf));
    ASSERT_TRUE(n.ok());
    if (*n == 0) break;
    back.append(buf, *n);
  }
  EXPECT_EQ(back, big);
}

TEST_P(ObjectStoreConformanceTest, PutFileMovesALocalFile) {
  std::string src = TempDir("putfile-src") + "/part.parquet";
  { std::ofstream(src) << "parquet bytes"; }
  ASSERT_TRUE(store_->PutFile("silver/part-00000.parquet", src).ok());
  EXPECT_EQ(*store_->Get("silver/part-00000.parquet"), "parquet bytes");
}

// The object cache keys entries by ETag: where a backend has one, it must change with the
// bytes and agree between Head and List. (Local has none: readers use its files in place.)
TEST_P(ObjectStoreConformanceTest, ETagFollowsTheBytes) {
  ASSERT_TRUE(store_->Put("e/x", "one").ok());
  auto first = store_->Head("e/x");
  ASSERT_TRUE(first.ok() && first->has_value());
  if ((*first)->etag.empty()) {
    EXPECT_TRUE(store_->LocalPath("e/x").has_value()) << "a remote backend needs ETags";
    return;
  }
  auto listed = store_->List("e/");
  ASSERT_TRUE(listed.ok() && listed->size() == 1);
  EXPECT_EQ((*listed)[0].etag, (*first)->etag);
  EXPECT_EQ((*first)->etag.find('"'), std::string::npos) << "unquoted";
  ASSERT_TRUE(store_->Put("e/x", "two").ok());
  auto second = store_->Head("e/x");
  ASSERT_TRUE(second.ok() && second->has_value());
  EXPECT_NE((*second)->etag, (*first)->etag);
  ASSERT_TRUE(store_->Put("e/x", "one").ok());
  EXPECT_EQ((*store_->Head("e/x"))->etag, (*first)->etag);  // a content hash, like S3's MD5
}

TEST_P(ObjectStoreConformanceTest, KeysAreValidated) {
  for (const char* bad : {"", "/abs", "a//b", "a/../b", "..", "./a", "a/", "a\\b"}) {
    Status st = store_->Put(bad, "x");
    EXPECT_TRUE(st.IsInvalidArgument()) << "key '" << bad << "': " << st.ToString();
    EXPECT_TRUE(store_->Get(bad).status().IsInvalidArgument()) << bad;
    EXPECT_TRUE(store_->PutIfAbsent(bad, "x").IsInvalidArgument()) << bad;
    EXPECT_TRUE(store_->Delete(bad).IsInvalidArgument()) << bad;
  }
  EXPECT_TRUE(store_->Put("ok/key with spaces=1/f+x%.json", "x").ok());
  EXPECT_EQ(*store_->Get("ok/key with spaces=1/f+x%.json"), "x");
}

// The S3 backend runs only when a server is configured (scripts/s3-server.sh start):
// RUNLAKE_TEST_S3_ENDPOINT, RUNLAKE_TEST_S3_BUCKET (default runlake-test) and the AWS_*
// credentials; otherwise its tests skip. (Always instantiated, so that ctest, which lists
// tests at build time, knows them.) Each test gets its own prefix, unique per process.
const char* S3Endpoint() {
  const char* ep = std::getenv("RUNLAKE_TEST_S3_ENDPOINT");
  return ep && *ep ? ep : nullptr;
}

std::unique_ptr<ObjectStore> OpenS3(const std::string& test) {
  const char* b = std::getenv("RUNLAKE_TEST_S3_BUCKET");
  static std::atomic<int> counter{0};  // unique under --gtest_repeat too
  std::string uri = "s3://" + std::string(b && *b ? b : "runlake-test") + "/conformance-" +
                    std::to_string(getpid()) + "-" + std::to_string(time(nullptr)) + "-" +
                    std::to_string(counter++) + "/" + test;
  auto config = S3ConfigFromUri(uri);
  EXPECT_TRUE(config.ok()) << config.status().ToString();
  if (!config.ok()) return nullptr;
  config->endpoint = S3Endpoint();
  return NewS3ObjectStore(*config);
}

std::vector<Backend> Backends() {
  return {Backend{"local", [](const std::string& t) { return NewLocalObjectStore(TempDir(t)); }},
          Backend{"memory",
                  [](const std::string& t) { return NewMemoryObjectStore("conformance-" + t); }},
          Backend{"s3", OpenS3, [] { return S3Endpoint() != nullptr; }}};
}

INSTANTIATE_TEST_SUITE_P(Backends, ObjectStoreConformanceTest, ::testing::ValuesIn(Backends()),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return info.param.name;
                         });

TEST(OpenObjectStoreTest, ChoosesBackendFromUri) {
  auto local = OpenObjectStore("file://" + TempDir("uri"));
  ASSERT_TRUE(local.ok());
  EXPECT_TRUE((*local)->LocalPath("k").has_value());
  auto mem = OpenObjectStore("mem://uri-test");
  ASSERT_TRUE(mem.ok());
  EXPECT_FALSE((*mem)->LocalPath("k").has_value());
  EXPECT_TRUE(OpenObjectStore("ftp://x").status().IsInvalidArgument());
}

TEST(LocalObjectStoreTest, CrashedWritersTempFilesAreInvisible) {
  std::string dir = TempDir("temps");
  auto store = NewLocalObjectStore(dir);
  fs::create_directories(dir + "/a");
  { std::ofstream(dir + "/a/.tmp-x.json.123") << "half"; }
  ASSERT_TRUE(store->Put("a/real.json", "{}").ok());
  auto listed = store->List("a/");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].key, "a/real.json");
}

}  // namespace
}  // namespace runlake
