// The providers that ask a service: web identity (STS, unsigned), SSO (token cache +
// portal), container credentials and IMDSv2, each against a loopback stand-in that
// refuses what the real service refuses.

#include <gtest/gtest.h>

#include "aws_credentials_test_util.h"
#include "fake_http_server.h"
#include "store/aws_profiles.h"
#include "store/credential_chain.h"
#include "store/credential_providers.h"

namespace runlake::aws {
namespace {

using runlake::testing::FakeHttpServer;
using runlake::testing::HttpRequest;
using runlake::testing::HttpResponse;
using test::ExpectNoSecret;

std::string Json(const std::string& key, const std::string& exp = "2099-01-01T00:00:00Z") {
  return "{\"Code\": \"Success\", \"AccessKeyId\": \"" + key + "\", \"SecretAccessKey\": \"SECRET-" +
         key + "\", \"Token\": \"TOKEN-" + key + "\", \"Expiration\": \"" + exp + "\"}";
}

Result<Credentials> FetchChain(const AwsEnv& env) {
  RUNLAKE_ASSIGN_OR_RAISE(AwsProfiles profiles, LoadAwsProfiles(env));
  RUNLAKE_ASSIGN_OR_RAISE(auto p, ResolveCredentialChain(env, profiles));
  return p->Fetch();
}

TEST(WebIdentity, UnsignedPostWithTheTokenReReadEachTime) {
  test::AwsHome home;
  FakeHttpServer sts([](const HttpRequest& r) {
    if (r.headers.count("authorization")) return HttpResponse(400, test::StsError("Signed"));
    if (r.body.find("WebIdentityToken=eyJ-second") != std::string::npos) {
      return HttpResponse(200, test::StsAnswer("AssumeRoleWithWebIdentity", "ASIAWEB2"));
    }
    return HttpResponse(200, test::StsAnswer("AssumeRoleWithWebIdentity", "ASIAWEB1"));
  });
  home.Write("token", "eyJ-first\n");
  home.env.vars["AWS_WEB_IDENTITY_TOKEN_FILE"] = home.Path("token");
  home.env.vars["AWS_ROLE_ARN"] = "arn:aws:iam::1:role/irsa";
  home.env.vars["AWS_ROLE_SESSION_NAME"] = "pod-1";
  home.env.vars["AWS_ENDPOINT_URL"] = sts.endpoint();  // the fallback for STS too
  Result<Credentials> c = FetchChain(home.env);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "ASIAWEB1");
  std::string body = sts.requests().at(0).body;
  EXPECT_NE(body.find("Action=AssumeRoleWithWebIdentity"), std::string::npos);
  EXPECT_NE(body.find("RoleSessionName=pod-1"), std::string::npos);
  EXPECT_EQ(body.substr(body.find("WebIdentityToken=")), "WebIdentityToken=eyJ-first") << body;
  home.Write("token", "eyJ-second");
  c = FetchChain(home.env);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->access_key_id, "ASIAWEB2");
}

TEST(WebIdentity, FromAProfileAndFailuresKeepTheTokenSecret) {
  test::AwsHome home;
  FakeHttpServer sts([](const HttpRequest&) {
    return HttpResponse(400, test::StsError("InvalidIdentityToken"));
  });
  home.Write("token", "eyJ-secret-jwt");
  home.Write(".aws/config", "[default]\nrole_arn = arn:aws:iam::1:role/w\nweb_identity_token_file = " +
                                home.Path("token") + "\n");
  home.env.vars["AWS_ENDPOINT_URL_STS"] = sts.endpoint();
  Result<Credentials> c = FetchChain(home.env);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("InvalidIdentityToken"), std::string::npos);
  ExpectNoSecret(c.status().message());
}

TEST(Sso, CachedTokenThenGetRoleCredentials) {
  test::AwsHome home;
  FakeHttpServer portal([](const HttpRequest& r) {
    auto it = r.headers.find("x-amz-sso_bearer_token");
    if (it == r.headers.end() || it->second != "sso-access-token") return HttpResponse(401, "{}");
    if (r.target != "/federation/credentials?account_id=111122223333&role_name=Reader") {
      return HttpResponse(400, "{}");
    }
    return HttpResponse(200,
                        "{\"roleCredentials\": {\"accessKeyId\": \"ASIASSO\", \"secretAccessKey\": "
                        "\"SECRET-SSO\", \"sessionToken\": \"TOKEN-SSO\", \"expiration\": 4070908800000}}");
  });
  home.Write(".aws/config",
             "[profile dev]\nsso_session = my-sso\nsso_account_id = 111122223333\n"
             "sso_role_name = Reader\n[sso-session my-sso]\nsso_region = us-east-1\n"
             "sso_start_url = https://d-abc.awsapps.com/start\n");
  home.env.vars["AWS_PROFILE"] = "dev";
  home.env.vars["AWS_ENDPOINT_URL_SSO"] = portal.endpoint();
  Result<Credentials> c = FetchChain(home.env);
  ASSERT_FALSE(c.ok());  // no cache file yet
  EXPECT_NE(c.status().message().find("aws sso login --profile dev"), std::string::npos);
  // botocore's cache name: sha1("my-sso").
  home.Write(".aws/sso/cache/0ad374308c5a4e22f723adf10145eafad7c4031c.json",
             "{\"accessToken\": \"sso-access-token\", \"expiresAt\": \"2099-01-01T00:00:00Z\"}");
  c = FetchChain(home.env);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "ASIASSO");
  EXPECT_EQ(FormatIso8601(*c->expiration), "2099-01-01T00:00:00Z");
  home.Write(".aws/sso/cache/0ad374308c5a4e22f723adf10145eafad7c4031c.json",
             "{\"accessToken\": \"sso-access-token\", \"expiresAt\": \"2001-01-01T00:00:00UTC\"}");
  c = FetchChain(home.env);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("has expired"), std::string::npos);
  ExpectNoSecret(c.status().message());
}

TEST(Sso, LegacyProfileCachesByStartUrl) {
  SsoSettings s;
  s.start_url = "https://d-abc.awsapps.com/start";
  EXPECT_EQ(SsoCacheFileName(s), "22f00c6461897f7c3e293d9d99f86e5efed957dd.json");
}

class ContainerTest : public ::testing::Test {
 protected:
  ContainerTest()
      : server_([](const HttpRequest& r) {
          auto it = r.headers.find("authorization");
          if (it == r.headers.end() || it->second != "container-token") {
            return HttpResponse(401, "{\"message\": \"missing token\"}");
          }
          return HttpResponse(200, Json("ASIACONT"));
        }) {
    home_.env.vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = server_.endpoint() + "/creds";
  }
  test::AwsHome home_;
  FakeHttpServer server_;
};

TEST_F(ContainerTest, RefusedWithoutTheToken) {
  Result<Credentials> c = FetchChain(home_.env);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("HTTP 401"), std::string::npos) << c.status().message();
}

TEST_F(ContainerTest, TokenFromTheEnvironmentOrAFileReReadEachTime) {
  home_.env.vars["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "container-token";
  Result<Credentials> c = FetchChain(home_.env);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "ASIACONT");
  EXPECT_EQ(c->session_token, "TOKEN-ASIACONT");
  home_.env.vars["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "wrong";
  home_.Write("tok", "container-token\n");
  home_.env.vars["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = home_.Path("tok");
  ASSERT_TRUE(FetchChain(home_.env).ok());  // the file wins
  home_.Write("tok", "rotated");
  EXPECT_FALSE(FetchChain(home_.env).ok());
}

TEST(ContainerSettings, AllowedHosts) {
  AwsEnv env;
  env.vars["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = "/v2/credentials/x";
  auto s = ContainerSettingsFromEnv(env);
  ASSERT_TRUE(s.ok() && *s);
  EXPECT_EQ((*s)->url, "http://169.254.170.2/v2/credentials/x");
  env.vars.clear();
  for (const char* ok : {"http://127.0.0.1:80/x", "http://localhost/x", "http://169.254.170.23/v1",
                         "http://[fd00:ec2::23]/v1", "https://creds.example.com/x"}) {
    env.vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = ok;
    EXPECT_TRUE(ContainerSettingsFromEnv(env).ok()) << ok;
  }
  env.vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "http://10.0.0.1/creds";
  auto bad = ContainerSettingsFromEnv(env);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("must be https"), std::string::npos);
}

TEST(Imds, V2TokenThenRoleThenCredentials) {
  test::AwsHome home;
  FakeHttpServer imds([](const HttpRequest& r) {
    if (r.method == "PUT" && r.target == "/latest/api/token") {
      if (!r.headers.count("x-aws-ec2-metadata-token-ttl-seconds")) return HttpResponse(400);
      return HttpResponse(200, "imds-session");
    }
    auto it = r.headers.find("x-aws-ec2-metadata-token");
    if (it == r.headers.end() || it->second != "imds-session") return HttpResponse(401);
    if (r.target == "/latest/meta-data/iam/security-credentials/") return HttpResponse(200, "web-role\n");
    if (r.target == "/latest/meta-data/iam/security-credentials/web-role") {
      return HttpResponse(200, Json("ASIAIMDS"));
    }
    return HttpResponse(404);
  });
  home.env.vars.erase("AWS_EC2_METADATA_DISABLED");
  home.env.vars["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = imds.endpoint() + "/";
  Result<Credentials> c = FetchChain(home.env);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "ASIAIMDS");
  auto reqs = imds.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].method, "PUT");
}

TEST(Imds, RefusedWithoutTheTokenAndUnreachableIsQuick) {
  FakeHttpServer v1_only([](const HttpRequest& r) {
    return r.method == "PUT" ? HttpResponse(403) : HttpResponse(200, "role");
  });
  ImdsSettings s;
  s.endpoint = v1_only.endpoint();
  Result<Credentials> c = NewImdsProvider(s)->Fetch();
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("session token: HTTP 403"), std::string::npos);
  s.endpoint = "http://127.0.0.1:1";  // nothing listens: refused at once
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(NewImdsProvider(s)->Fetch().ok());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
}

}  // namespace
}  // namespace runlake::aws
