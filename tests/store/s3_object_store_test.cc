// S3-only tests. Fault tests run against a scripted local HTTP server (always); the rest
// need a real S3 server (scripts/s3-server.sh start) and skip without
// RUNLAKE_TEST_S3_ENDPOINT. The shared contract is in object_store_conformance_test.cc.

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "fake_http_server.h"
#include "runlake/object_store.h"

namespace runlake {
namespace {

using testing::FakeHttpServer;
using testing::HttpRequest;
using testing::HttpResponse;
using testing::S3Error;

constexpr const char* kSecret = "fake-secret-never-printed-0123456789";

S3Config FakeConfig(const std::string& endpoint) {
  S3Config c;
  c.bucket = "bkt";
  c.prefix = "lake";
  c.endpoint = endpoint;
  c.access_key_id = "AKIDFAKE";
  c.secret_access_key = kSecret;
  c.max_attempts = 4;
  c.retry_base_ms = 5;
  c.retry_max_ms = 40;
  return c;
}

int Count(const std::vector<HttpRequest>& reqs, const std::string& method) {
  int n = 0;
  for (const auto& r : reqs) n += r.method == method;
  return n;
}

TEST(S3FaultTest, RetriesServerErrorsAndSlowDownThenSucceeds) {
  std::atomic<int> n{0};
  FakeHttpServer server([&](const HttpRequest&) {
    int i = n++;
    if (i == 0) return S3Error(503, "SlowDown");
    if (i == 1) return S3Error(500, "InternalError");
    if (i == 2) return std::string();  // connection dropped without an answer
    return HttpResponse(200);
  });
  auto store = NewS3ObjectStore(FakeConfig(server.endpoint()));
  Status st = store->Put("k", "v");
  EXPECT_TRUE(st.ok()) << st.ToString();
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 4u);
  EXPECT_EQ(reqs[3].target, "/bkt/lake/k");
  EXPECT_EQ(reqs[3].body, "v");
  EXPECT_NE(reqs[3].headers["authorization"].find("AWS4-HMAC-SHA256"), std::string::npos);
  EXPECT_EQ(reqs[3].headers["x-amz-content-sha256"].size(), 64u);  // the real hash
}

TEST(S3FaultTest, DoesNotRetryClientErrorsAndNamesEndpointAndCode) {
  FakeHttpServer server([](const HttpRequest&) { return S3Error(403, "SignatureDoesNotMatch"); });
  auto store = NewS3ObjectStore(FakeConfig(server.endpoint()));
  Status st = store->Put("k", "v");
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition) << st.ToString();
  EXPECT_NE(st.message().find(server.endpoint()), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("SignatureDoesNotMatch"), std::string::npos) << st.message();
  EXPECT_EQ(st.message().find(kSecret), std::string::npos);
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(S3FaultTest, GivesUpAfterMaxAttempts) {
  FakeHttpServer server([](const HttpRequest&) { return S3Error(500, "InternalError"); });
  auto store = NewS3ObjectStore(FakeConfig(server.endpoint()));
  auto got = store->Get("k");
  EXPECT_TRUE(got.status().IsUnavailable()) << got.status().ToString();  // transient, still
  EXPECT_NE(got.status().message().find("InternalError"), std::string::npos);
  EXPECT_EQ(server.requests().size(), 4u);
}

TEST(S3FaultTest, StoppedServerRetriesWithBackoffThenFailsCleanly) {
  std::string endpoint;
  { FakeHttpServer gone([](const HttpRequest&) { return HttpResponse(200); });
    endpoint = gone.endpoint(); }  // the port is closed now
  S3Config c = FakeConfig(endpoint);
  c.retry_base_ms = 20;
  auto store = NewS3ObjectStore(c);
  auto t0 = std::chrono::steady_clock::now();
  Status st = store->PutIfAbsent("_runs/r.json", "{}");
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::steady_clock::now() - t0).count();
  EXPECT_TRUE(st.IsUnavailable()) << st.ToString();  // a refused connection may pass later
  EXPECT_NE(st.message().find(endpoint), std::string::npos) << st.message();
  // Three backoffs, each at least half its window (20, 40, 80 capped at 40 ms).
  EXPECT_GE(ms, 10 + 20 + 20);
  EXPECT_LT(ms, 2000);  // and no nested retries of the re-reads
  EXPECT_TRUE(store->Get("x").status().IsUnavailable());
  EXPECT_TRUE(store->List("").status().IsUnavailable());
}

// A conditional PUT that failed with 500 may have been applied: the store HEADs the key
// and decides by the token it sent.
TEST(S3FaultTest, ConditionalPutThat500sIsReReadBeforeDeciding) {
  for (std::string outcome : {"ours", "theirs", "absent"}) {
    std::mutex mu;
    std::string token;
    int puts = 0;
    FakeHttpServer server([&](const HttpRequest& r) {
      std::lock_guard<std::mutex> lock(mu);
      if (r.method == "PUT") {
        EXPECT_EQ(r.headers.at("if-none-match"), "*");
        token = r.headers.at("x-amz-meta-runlake-token");
        return ++puts == 1 ? S3Error(500, "InternalError") : HttpResponse(200);
      }
      if (outcome == "absent") return S3Error(404, "NoSuchKey");
      std::string t = outcome == "ours" ? token : "someone-else";
      return HttpResponse(200, "", "x-amz-meta-runlake-token: " + t + "\r\n");
    });
    auto store = NewS3ObjectStore(FakeConfig(server.endpoint()));
    Status st = store->PutIfAbsent("log/1.json", "v1");
    auto reqs = server.requests();
    if (outcome == "ours") {
      EXPECT_TRUE(st.ok()) << st.ToString();
      EXPECT_EQ(Count(reqs, "PUT"), 1);
    } else if (outcome == "theirs") {
      EXPECT_TRUE(st.IsAlreadyExists()) << st.ToString();
      EXPECT_EQ(Count(reqs, "PUT"), 1);
    } else {
      EXPECT_TRUE(st.ok()) << st.ToString();
      EXPECT_EQ(Count(reqs, "PUT"), 2);  // not there: safe to try again
    }
    EXPECT_GE(Count(reqs, "HEAD"), 1) << outcome;
  }
}

TEST(S3FaultTest, QueryIsCanonicalForSigV4) {
  FakeHttpServer server([](const HttpRequest& r) {
    return HttpResponse(200, "<ListBucketResult><IsTruncated>false</IsTruncated>"
                             "<Contents><Key>lake/a &amp; b</Key><Size>3</Size></Contents>"
                             "</ListBucketResult>");
  });
  auto store = NewS3ObjectStore(FakeConfig(server.endpoint()));
  auto listed = store->List("x y/");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_EQ(server.requests()[0].target, "/bkt?list-type=2&max-keys=1000&prefix=lake%2Fx%20y%2F");
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].key, "a & b");
}

// ---- against a real S3 server -------------------------------------------------------

class S3ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* ep = std::getenv("RUNLAKE_TEST_S3_ENDPOINT");
    if (!ep || !*ep) GTEST_SKIP() << "RUNLAKE_TEST_S3_ENDPOINT not set (scripts/s3-server.sh)";
    const char* b = std::getenv("RUNLAKE_TEST_S3_BUCKET");
    bucket_ = b && *b ? b : "runlake-test";
    std::string test = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    static std::atomic<int> counter{0};  // unique under --gtest_repeat too
    uri_ = "s3://" + bucket_ + "/s3test-" + std::to_string(getpid()) + "-" +
           std::to_string(time(nullptr)) + "-" + std::to_string(counter++) + "/" + test;
    auto c = S3ConfigFromUri(uri_);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    config_ = *c;
    config_.endpoint = ep;
  }
  std::string bucket_, uri_;
  S3Config config_;
};

TEST_F(S3ServerTest, OpenObjectStoreRoutesS3Uris) {
  auto store = OpenObjectStore(uri_);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->uri(), uri_);
  EXPECT_FALSE((*store)->LocalPath("k").has_value());
  EXPECT_TRUE(OpenObjectStore("s3://x").status().IsInvalidArgument());  // bucket too short
}

TEST_F(S3ServerTest, WrongCredentialsNameEndpointAndS3Code) {
  for (bool bad_key : {true, false}) {
    S3Config c = config_;
    c.credentials = nullptr;  // these static keys, not the chain's
    const char* real_key = std::getenv("AWS_ACCESS_KEY_ID");
    c.access_key_id = bad_key ? "NOSUCHKEY0000000000" : (real_key ? real_key : "");
    c.session_token.clear();
    c.secret_access_key = kSecret;
    auto store = NewS3ObjectStore(c);
    const char* code = bad_key ? "InvalidAccessKeyId" : "SignatureDoesNotMatch";
    for (Status st : {store->Put("k", "v"), store->Get("k").status(), store->Head("k").status(),
                      store->List("").status(), store->PutIfAbsent("k", "v")}) {
      EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition) << st.ToString();
      EXPECT_NE(st.message().find(config_.endpoint), std::string::npos) << st.message();
      EXPECT_NE(st.message().find(code), std::string::npos) << st.message();
      EXPECT_EQ(st.message().find(kSecret), std::string::npos);
    }
  }
}

TEST_F(S3ServerTest, MissingBucketIsNotFoundNamingTheBucket) {
  S3Config c = config_;
  c.bucket = "runlake-no-such-bucket";
  auto store = NewS3ObjectStore(c);
  for (Status st : {store->Put("k", "v"), store->Get("k").status(), store->Head("k").status(),
                    store->List("").status(), store->Delete("k"), store->PutIfAbsent("k", "v"),
                    store->OpenRead("k").status()}) {
    EXPECT_TRUE(st.IsNotFound()) << st.ToString();
    EXPECT_NE(st.message().find("runlake-no-such-bucket"), std::string::npos) << st.message();
  }
}

TEST_F(S3ServerTest, KeysThatNeedEncodingRoundTrip) {
  auto store = NewS3ObjectStore(config_);
  std::vector<std::string> keys = {
      "sp ace/a b.json",     "eq/ingest_date=2024-01-15/run_id=r1/x", "plus/a+b",
      "pct/100%/%41%2F",     "uni/日本語/é.json",                     "sym/!$&'()*,;:@[]",
      "tilde/~x",            "q/what?a=1&b#frag",                     "xml/\"<>&apos;"};
  for (const auto& k : keys) {
    Status st = store->Put(k, "v:" + k);
    ASSERT_TRUE(st.ok()) << k << ": " << st.ToString();
  }
  for (const auto& k : keys) {
    auto got = store->Get(k);
    ASSERT_TRUE(got.ok()) << k << ": " << got.status().ToString();
    EXPECT_EQ(*got, "v:" + k);
    auto head = store->Head(k);
    ASSERT_TRUE(head.ok() && head->has_value()) << k;
    EXPECT_TRUE(store->PutIfAbsent(k, "again").IsAlreadyExists()) << k;
  }
  auto listed = store->List("");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  std::vector<std::string> got_keys;
  for (const auto& o : *listed) got_keys.push_back(o.key);
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(got_keys, keys);
  EXPECT_EQ(store->List("uni/日本語/")->size(), 1u);
  for (const auto& k : keys) ASSERT_TRUE(store->Delete(k).ok()) << k;
  EXPECT_EQ(store->List("")->size(), 0u);
}

// 16 promoters, each in its own store (as in its own process), race to append the next
// pointer version: every version has exactly one writer and no promoter's commit is lost.
TEST_F(S3ServerTest, SixteenConcurrentPromotersOneWinnerPerVersionNoneLost) {
  constexpr int kPromoters = 16;
  std::atomic<int> conflicts{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kPromoters; ++i) {
    threads.emplace_back([&, i] {
      auto store = NewS3ObjectStore(config_);
      for (int attempt = 0; attempt < 200; ++attempt) {
        auto listed = store->List("_pointer_log/");
        ASSERT_TRUE(listed.ok()) << listed.status().ToString();
        char name[64];
        std::snprintf(name, sizeof(name), "_pointer_log/%010zu.json", listed->size() + 1);
        Status st = store->PutIfAbsent(name, "promoter " + std::to_string(i));
        if (st.ok()) return;
        ASSERT_TRUE(st.IsAlreadyExists()) << st.ToString();
        ++conflicts;
      }
      ADD_FAILURE() << "promoter " << i << " never committed";
    });
  }
  for (auto& t : threads) t.join();
  auto store = NewS3ObjectStore(config_);
  auto listed = store->List("_pointer_log/");
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), size_t(kPromoters));
  std::set<std::string> writers;
  for (const auto& o : *listed) writers.insert(*store->Get(o.key));
  EXPECT_EQ(writers.size(), size_t(kPromoters));  // each version written once, by one
  EXPECT_GT(conflicts.load(), 0);                 // they really raced
}

TEST_F(S3ServerTest, MultipartUploadAndRangedReads) {
  config_.multipart_threshold = 5 << 20;
  config_.part_size = 5 << 20;
  config_.read_chunk_size = 1 << 20;
  auto store = NewS3ObjectStore(config_);
  std::string data(12 * (1 << 20) + 123, 'p');
  for (size_t i = 0; i < data.size(); i += 4093) data[i] = char('a' + i % 23);
  std::string path = std::filesystem::temp_directory_path() /
                     ("runlake-s3-mpu-" + std::to_string(getpid()));
  { std::ofstream(path, std::ios::binary) << data; }
  Status st = store->PutFile("silver/part-00000.parquet", path);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_FALSE(std::filesystem::exists(path));  // consumed
  auto head = store->Head("silver/part-00000.parquet");
  ASSERT_TRUE(head.ok() && head->has_value());
  EXPECT_EQ((*head)->size, data.size());
  auto reader = store->OpenRead("silver/part-00000.parquet");
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  std::string back;
  std::vector<char> buf(300 * 1000);
  while (true) {
    auto n = (*reader)->Read(buf.data(), buf.size());
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    if (*n == 0) break;
    back.append(buf.data(), *n);
  }
  EXPECT_TRUE(back == data);
  EXPECT_TRUE(*store->Get("silver/part-00000.parquet") == data);
}

TEST_F(S3ServerTest, ReaderFailsWhenTheObjectIsReplacedMidRead) {
  config_.read_chunk_size = 1 << 20;
  auto store = NewS3ObjectStore(config_);
  ASSERT_TRUE(store->Put("_LATEST.json", std::string(3 << 20, 'a')).ok());
  auto reader = store->OpenRead("_LATEST.json");
  ASSERT_TRUE(reader.ok());
  std::vector<char> buf(1 << 20);
  ASSERT_EQ(*(*reader)->Read(buf.data(), buf.size()), buf.size());
  ASSERT_TRUE(store->Put("_LATEST.json", std::string(3 << 20, 'b')).ok());
  auto n = (*reader)->Read(buf.data(), buf.size());
  EXPECT_FALSE(n.ok());
  EXPECT_TRUE(n.status().IsConflict()) << n.status().ToString();
}

TEST_F(S3ServerTest, ListPaginatesWithContinuationTokens) {
  config_.list_page_size = 7;
  auto store = NewS3ObjectStore(config_);
  for (int i = 29; i >= 0; --i) ASSERT_TRUE(store->Put("p/" + std::to_string(i), "x").ok());
  ASSERT_TRUE(store->Put("q/other", "x").ok());
  auto listed = store->List("p/");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 30u);
  EXPECT_TRUE(std::is_sorted(listed->begin(), listed->end(),
                             [](auto& a, auto& b) { return a.key < b.key; }));
  EXPECT_EQ(store->List("")->size(), 31u);
}

TEST_F(S3ServerTest, EmptyObjectsStreamAndHead) {
  auto store = NewS3ObjectStore(config_);
  ASSERT_TRUE(store->Put("run/_SUCCESS", "").ok());
  auto reader = store->OpenRead("run/_SUCCESS");
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  char c;
  EXPECT_EQ(*(*reader)->Read(&c, 1), 0u);
  std::string path = std::filesystem::temp_directory_path() /
                     ("runlake-s3-empty-" + std::to_string(getpid()));
  { std::ofstream(path) << ""; }
  ASSERT_TRUE(store->PutFile("run/empty.parquet", path).ok());
  EXPECT_EQ((*store->Head("run/empty.parquet"))->size, 0u);
}

}  // namespace
}  // namespace runlake
