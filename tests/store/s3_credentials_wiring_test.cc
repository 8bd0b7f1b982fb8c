// The S3 client with the credential chain: credentials asked per request, one refresh and
// one resend after ExpiredToken, a wrong-region answer resent once in the bucket's region
// and remembered, and the addressing rules. Against the scripted server.

#include <gtest/gtest.h>

#include <atomic>

#include "fake_http_server.h"
#include "runlake/object_store.h"
#include "store/credentials_refresher.h"
#include "store/s3_client_internal.h"

namespace runlake {
namespace {

using testing::FakeHttpServer;
using testing::HttpRequest;
using testing::HttpResponse;

class Numbered : public aws::CredentialsProvider {
 public:
  std::string Name() const override { return "test-chain"; }
  Result<aws::Credentials> Fetch() override {
    int n = ++n_;
    return aws::Credentials{"ASIA" + std::to_string(n), "SECRET" + std::to_string(n),
                            "TOKEN" + std::to_string(n),
                            std::chrono::system_clock::now() + std::chrono::hours(1)};
  }
  std::atomic<int> n_{0};
};

S3Config Config(const std::string& endpoint) {
  S3Config c;
  c.bucket = "bkt";
  c.endpoint = endpoint;
  c.max_attempts = 2;
  c.retry_base_ms = 1;
  c.credentials = std::make_shared<aws::CredentialsRefresher>(std::make_unique<Numbered>());
  return c;
}

std::string KeyIdOf(const HttpRequest& r) {
  std::string auth = r.headers.count("authorization") ? r.headers.at("authorization") : "";
  size_t at = auth.find("Credential=");
  return at == std::string::npos ? "" : auth.substr(at + 11, auth.find('/', at) - at - 11);
}

TEST(S3CredentialsWiring, ExpiredTokenRefreshesOnceAndResends) {
  FakeHttpServer server([](const HttpRequest& r) {
    if (r.headers.at("x-amz-security-token") == "TOKEN1") {
      return testing::S3Error(400, "ExpiredToken");
    }
    return HttpResponse(200, "hello");
  });
  auto store = NewS3ObjectStore(Config(server.endpoint()));
  Result<std::string> got = store->Get("k");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, "hello");
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(KeyIdOf(reqs[0]), "ASIA1");
  EXPECT_EQ(KeyIdOf(reqs[1]), "ASIA2");
  ASSERT_TRUE(store->Get("k").ok());  // the refreshed credentials stay
  EXPECT_EQ(KeyIdOf(server.requests().back()), "ASIA2");
}

TEST(S3CredentialsWiring, ExpiredTokenTwiceIsAnErrorWithoutSecrets) {
  FakeHttpServer server([](const HttpRequest&) { return testing::S3Error(403, "ExpiredToken"); });
  auto store = NewS3ObjectStore(Config(server.endpoint()));
  Result<std::string> got = store->Get("k");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(server.requests().size(), 2u);  // one resend only
  EXPECT_NE(got.status().message().find("credentials from test-chain"), std::string::npos)
      << got.status().message();
  EXPECT_EQ(got.status().message().find("SECRET"), std::string::npos);
  EXPECT_EQ(got.status().message().find("TOKEN"), std::string::npos);
}

TEST(S3CredentialsWiring, WrongRegionIsResentThereAndRemembered) {
  FakeHttpServer server([](const HttpRequest& r) {
    if (r.headers.at("authorization").find("/eu-west-3/s3/") == std::string::npos) {
      return HttpResponse(301,
                          "<Error><Code>PermanentRedirect</Code><Message>m</Message>"
                          "<Region>eu-west-3</Region></Error>");
    }
    return HttpResponse(200, "x");
  });
  auto store = NewS3ObjectStore(Config(server.endpoint()));
  ASSERT_TRUE(store->Get("a").ok());
  ASSERT_TRUE(store->Get("b").ok());
  EXPECT_EQ(server.requests().size(), 3u);  // a: us-east-1 then eu-west-3; b: eu-west-3
}

TEST(S3CredentialsWiring, WrongRegionFromTheHeaderOfABodilessHead) {
  FakeHttpServer server([](const HttpRequest& r) {
    if (r.headers.at("authorization").find("/ap-south-1/s3/") == std::string::npos) {
      return HttpResponse(400, "", "x-amz-bucket-region: ap-south-1\r\n");
    }
    return HttpResponse(200, "", "Content-Length: 0\r\n");
  });
  auto store = NewS3ObjectStore(Config(server.endpoint()));
  Result<std::optional<ObjectInfo>> head = store->Head("k");
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  EXPECT_TRUE(head->has_value());
}

TEST(S3Addressing, Rules) {
  S3Config c;
  c.bucket = "bkt";
  EXPECT_FALSE(s3::UsePathStyle(c));  // AWS: virtual-hosted
  c.bucket = "my.bucket";
  EXPECT_TRUE(s3::UsePathStyle(c));  // dots over https
  c.endpoint = "http://127.0.0.1:7480";
  c.bucket = "bkt";
  EXPECT_TRUE(s3::UsePathStyle(c));
  c.endpoint = "http://localhost:9000";
  EXPECT_TRUE(s3::UsePathStyle(c));
  c.endpoint = "http://[::1]:9000";
  EXPECT_TRUE(s3::UsePathStyle(c));
  c.endpoint = "https://minio.example.com";
  EXPECT_FALSE(s3::UsePathStyle(c));
  c.bucket = "my.bucket";
  EXPECT_TRUE(s3::UsePathStyle(c));
  c.endpoint = "http://minio.example.com";
  EXPECT_FALSE(s3::UsePathStyle(c));
  c.addressing = "path";
  EXPECT_TRUE(s3::UsePathStyle(c));
  c.endpoint = "http://127.0.0.1:7480";
  c.addressing = "virtual";
  EXPECT_FALSE(s3::UsePathStyle(c));
}

TEST(S3Addressing, VirtualHostedPutsTheBucketInTheHost) {
  FakeHttpServer server([](const HttpRequest&) { return HttpResponse(200, "v"); });
  S3Config c = Config(server.endpoint());
  c.endpoint = "http://localhost:" + server.endpoint().substr(server.endpoint().rfind(':') + 1);
  c.addressing = "virtual";
  auto store = NewS3ObjectStore(c);
  ASSERT_TRUE(store->Get("dir/k").ok());
  HttpRequest r = server.requests().at(0);
  EXPECT_EQ(r.headers.at("host").rfind("bkt.localhost:", 0), 0u) << r.headers.at("host");
  EXPECT_EQ(r.target, "/dir/k");
}

}  // namespace
}  // namespace runlake
