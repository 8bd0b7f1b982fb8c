// Which provider the chain picks (precedence), and each profile form: static keys,
// assumed roles (chained, looped, misconfigured), credential_process. STS is a loopback
// server (fake_http_server.h) reached through AWS_ENDPOINT_URL_STS.

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

Result<std::unique_ptr<CredentialsProvider>> Chain(const AwsEnv& env) {
  RUNLAKE_ASSIGN_OR_RAISE(AwsProfiles profiles, LoadAwsProfiles(env));
  return ResolveCredentialChain(env, profiles);
}

std::string ChainName(const AwsEnv& env) {
  auto p = Chain(env);
  return p.ok() ? (*p)->Name() : "error: " + p.status().message();
}

Credentials FetchOk(const AwsEnv& env) {
  auto p = Chain(env);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  if (!p.ok()) return {};
  auto c = (*p)->Fetch();
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? *c : Credentials{};
}

std::string ChainError(const AwsEnv& env) {
  auto p = Chain(env);
  std::string m;
  if (!p.ok()) m = p.status().message();
  else if (auto c = (*p)->Fetch(); !c.ok()) m = c.status().message();
  else ADD_FAILURE() << "expected an error, got credentials from " << (*p)->Name();
  ExpectNoSecret(m);
  return m;
}

TEST(CredentialChain, EnvFirstThenWebIdentityThenProfile) {
  test::AwsHome home;
  home.Write(".aws/credentials", "[default]\naws_access_key_id = AKPROFILE\naws_secret_access_key = SECRETP\n");
  home.Write("token", "eyJfake");
  EXPECT_EQ(ChainName(home.env), "profile:default");
  home.env.vars["AWS_WEB_IDENTITY_TOKEN_FILE"] = home.Path("token");
  home.env.vars["AWS_ROLE_ARN"] = "arn:aws:iam::123:role/r";
  EXPECT_EQ(ChainName(home.env), "web-identity");
  home.env.vars["AWS_ACCESS_KEY_ID"] = "AKENV";
  home.env.vars["AWS_SECRET_ACCESS_KEY"] = "SECRETENV";
  home.env.vars["AWS_SESSION_TOKEN"] = "TOKEN-ENV";
  EXPECT_EQ(ChainName(home.env), "env");
  Credentials c = FetchOk(home.env);
  EXPECT_EQ(c.access_key_id, "AKENV");
  EXPECT_EQ(c.session_token, "TOKEN-ENV");
  EXPECT_FALSE(c.expiration);
}

// botocore asks its AssumeRoleProvider (a profile's role_arn) before web identity from
// the environment; a profile's own web_identity_token_file loses to the environment's.
TEST(CredentialChain, ProfileRoleBeforeWebIdentityFromTheEnvironment) {
  test::AwsHome home;
  home.Write(".aws/credentials", "[base]\naws_access_key_id = AKB\naws_secret_access_key = SB\n");
  home.Write(".aws/config", "[profile ar]\nrole_arn = arn:aws:iam::123:role/a\nsource_profile = base\n"
                            "[profile wi]\nrole_arn = arn:aws:iam::123:role/w\n"
                            "web_identity_token_file = /nonexistent\n");
  home.Write("token", "eyJfake");
  home.env.vars["AWS_WEB_IDENTITY_TOKEN_FILE"] = home.Path("token");
  home.env.vars["AWS_ROLE_ARN"] = "arn:aws:iam::123:role/r";
  home.env.vars["AWS_PROFILE"] = "ar";
  EXPECT_EQ(ChainName(home.env), "assume-role:ar");
  home.env.vars["AWS_PROFILE"] = "wi";
  auto p = Chain(home.env);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ((*p)->Name(), "web-identity");
  EXPECT_EQ((*p)->Profile(), "") << "the environment's token and role, not the profile's";
}

TEST(CredentialChain, HalfSetEnvironmentIsAnError) {
  test::AwsHome home;
  home.env.vars["AWS_ACCESS_KEY_ID"] = "AKENV";
  EXPECT_NE(ChainError(home.env).find("AWS_SECRET_ACCESS_KEY is not set"), std::string::npos);
}

TEST(CredentialChain, AwsProfileSelectsAndAMissingOneIsAnError) {
  test::AwsHome home;
  home.Write(".aws/credentials",
             "[default]\naws_access_key_id = AKDEF\naws_secret_access_key = SECRET1\n"
             "[prod]\naws_access_key_id = AKPROD\naws_secret_access_key = SECRET2\n");
  EXPECT_EQ(FetchOk(home.env).access_key_id, "AKDEF");
  home.env.vars["AWS_PROFILE"] = "prod";
  EXPECT_EQ(ChainName(home.env), "profile:prod");
  EXPECT_EQ(FetchOk(home.env).access_key_id, "AKPROD");
  home.env.vars["AWS_PROFILE"] = "nope";
  std::string m = ChainError(home.env);
  EXPECT_NE(m.find("profile 'nope' not found"), std::string::npos) << m;
  EXPECT_NE(m.find(home.Path(".aws/credentials")), std::string::npos) << m;
}

TEST(CredentialChain, NothingConfiguredAndImdsDisabled) {
  test::AwsHome home;
  auto p = Chain(home.env);
  ASSERT_FALSE(p.ok());
  EXPECT_TRUE(p.status().IsNotFound());
  EXPECT_NE(p.status().message().find("AWS_EC2_METADATA_DISABLED"), std::string::npos);
  home.env.vars.erase("AWS_EC2_METADATA_DISABLED");
  EXPECT_EQ(ChainName(home.env), "imds");
}

TEST(CredentialChain, ContainerBeforeImds) {
  test::AwsHome home;
  home.env.vars.erase("AWS_EC2_METADATA_DISABLED");
  home.env.vars["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = "/v2/credentials/abc";
  EXPECT_EQ(ChainName(home.env), "container");
}

TEST(CredentialChain, CredentialsFileKeysBeatProcessWhichBeatsConfigKeys) {
  test::AwsHome home;
  home.Write("creds.sh",
             "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"AKPROC\", "
             "\"SecretAccessKey\": \"SECRETPROC\"}'\n",
             true);
  home.Write(".aws/config", "[default]\ncredential_process = " + home.Path("creds.sh") +
                                "\naws_access_key_id = AKCONFIG\naws_secret_access_key = SECRETC\n");
  EXPECT_EQ(ChainName(home.env), "process:default");
  EXPECT_EQ(FetchOk(home.env).access_key_id, "AKPROC");
  home.Write(".aws/credentials", "[default]\naws_access_key_id = AKCRED\naws_secret_access_key = SECRETD\n");
  EXPECT_EQ(ChainName(home.env), "profile:default");
  EXPECT_EQ(FetchOk(home.env).access_key_id, "AKCRED");
}

TEST(CredentialChain, HalfStaticKeysNameFileProfileAndKey) {
  test::AwsHome home;
  home.Write(".aws/credentials", "[default]\naws_access_key_id = AKONLY\n");
  std::string m = ChainError(home.env);
  EXPECT_NE(m.find("profile 'default'"), std::string::npos) << m;
  EXPECT_NE(m.find(home.Path(".aws/credentials")), std::string::npos) << m;
  EXPECT_NE(m.find("aws_secret_access_key"), std::string::npos) << m;
}

TEST(CredentialProcess, VersionExpirationAndFailures) {
  test::AwsHome home;
  home.Write("ok.sh",
             "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"AKP\", \"SecretAccessKey\": "
             "\"SECRETX\", \"SessionToken\": \"TOKEN-P\", \"Expiration\": \"2099-01-01T00:00:00Z\"}'\n",
             true);
  home.Write("v2.sh", "#!/bin/sh\necho '{\"Version\": 2, \"AccessKeyId\": \"AKP\", \"SecretAccessKey\": \"SECRETX\"}'\n", true);
  home.Write("fail.sh", "#!/bin/sh\necho SECRETX; exit 3\n", true);
  Result<Credentials> c = NewProcessProvider("p", "'" + home.Path("ok.sh") + "' --flag")->Fetch();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->session_token, "TOKEN-P");
  ASSERT_TRUE(c->expiration);
  EXPECT_EQ(FormatIso8601(*c->expiration), "2099-01-01T00:00:00Z");
  c = NewProcessProvider("p", home.Path("v2.sh"))->Fetch();
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("\"Version\": 1"), std::string::npos);
  ExpectNoSecret(c.status().message());
  c = NewProcessProvider("p", home.Path("fail.sh"))->Fetch();
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("exited with status 3"), std::string::npos);
  ExpectNoSecret(c.status().message());
  c = NewProcessProvider("p", home.Path("no-such-helper"))->Fetch();
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("profile 'p'"), std::string::npos);
}

TEST(CredentialProcess, SplitsLikeAShell) {
  auto argv = SplitCommandLine(R"(/bin/helper --a "b c" 'd "e"' f\ g "h\"i")");
  ASSERT_TRUE(argv.ok());
  EXPECT_EQ(*argv, (std::vector<std::string>{"/bin/helper", "--a", "b c", "d \"e\"", "f g", "h\"i"}));
  EXPECT_FALSE(SplitCommandLine("x 'open").ok());
}

class AssumeRoleTest : public ::testing::Test {
 protected:
  AssumeRoleTest()
      : sts_([this](const HttpRequest& r) {
          std::string role = r.body.substr(r.body.find("RoleArn=") + 8);
          role = role.substr(0, role.find('&'));
          std::string key = "ASIA" + std::to_string(++n_);
          if (role.find("denied") != std::string::npos) return HttpResponse(403, test::StsError("AccessDenied"));
          return HttpResponse(200, test::StsAnswer("AssumeRole", key));
        }) {
    home_.env.vars["AWS_ENDPOINT_URL_STS"] = sts_.endpoint();
  }
  test::AwsHome home_;
  int n_ = 0;
  FakeHttpServer sts_;
};

TEST_F(AssumeRoleTest, SignedPostWithTheSourceProfilesKeys) {
  home_.Write(".aws/config",
              "[profile prod]\nrole_arn = arn:aws:iam::123:role/prod\nsource_profile = base\n"
              "role_session_name = nightly\nexternal_id = ext-1\nduration_seconds = 900\n"
              "region = eu-west-1\n");
  home_.Write(".aws/credentials",
              "[base]\naws_access_key_id = AKBASE\naws_secret_access_key = SECRETB\n"
              "aws_session_token = TOKEN-B\n");
  home_.env.vars["AWS_PROFILE"] = "prod";
  EXPECT_EQ(ChainName(home_.env), "assume-role:prod");
  Credentials c = FetchOk(home_.env);
  EXPECT_EQ(c.access_key_id, "ASIA1");
  EXPECT_EQ(c.secret_access_key, "SECRET-ASIA1");
  EXPECT_EQ(c.session_token, "TOKEN-ASIA1");
  ASSERT_TRUE(c.expiration);
  ASSERT_EQ(sts_.requests().size(), 1u);
  const HttpRequest r = sts_.requests()[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.headers.at("authorization").rfind("AWS4-HMAC-SHA256 Credential=AKBASE/", 0), 0u)
      << r.headers.at("authorization");
  EXPECT_NE(r.headers.at("authorization").find("/eu-west-1/sts/aws4_request"), std::string::npos);
  EXPECT_EQ(r.headers.at("x-amz-security-token"), "TOKEN-B");
  for (const char* field :
       {"Action=AssumeRole", "Version=2011-06-15", "RoleArn=arn%3Aaws%3Aiam%3A%3A123%3Arole%2Fprod",
        "RoleSessionName=nightly", "ExternalId=ext-1", "DurationSeconds=900"}) {
    EXPECT_NE(r.body.find(field), std::string::npos) << field << " in " << r.body;
  }
}

TEST_F(AssumeRoleTest, ChainedRolesAndSelfSourcedKeys) {
  home_.Write(".aws/config",
              "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n"
              "[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = b\n"
              "aws_access_key_id = AKB\naws_secret_access_key = SECRETB\n");
  home_.env.vars["AWS_PROFILE"] = "a";
  Credentials c = FetchOk(home_.env);
  EXPECT_EQ(c.access_key_id, "ASIA2");  // b assumed first (with its own keys), then a
  auto reqs = sts_.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_NE(reqs[0].headers.at("authorization").find("Credential=AKB/"), std::string::npos);
  EXPECT_NE(reqs[1].headers.at("authorization").find("Credential=ASIA1/"), std::string::npos);
  EXPECT_EQ(reqs[1].headers.at("x-amz-security-token"), "TOKEN-ASIA1");
}

TEST_F(AssumeRoleTest, LoopsAndMisconfigurationsAreClearErrors) {
  home_.Write(".aws/config",
              "[profile a]\nrole_arn = r\nsource_profile = b\n"
              "[profile b]\nrole_arn = r\nsource_profile = a\n"
              "[profile lone]\nrole_arn = r\n"
              "[profile both]\nrole_arn = r\nsource_profile = a\ncredential_source = Environment\n"
              "[profile weird]\nrole_arn = r\ncredential_source = Moon\n"
              "[profile dangling]\nrole_arn = r\nsource_profile = ghost\n"
              "[profile empty-src]\nrole_arn = r\nsource_profile = nokeys\n"
              "[profile nokeys]\nregion = x\n"
              "[profile short]\nrole_arn = r\nsource_profile = a\nduration_seconds = 60\n");
  auto err = [&](const std::string& profile) {
    home_.env.vars["AWS_PROFILE"] = profile;
    return ChainError(home_.env);
  };
  std::string m = err("a");
  EXPECT_NE(m.find("a loop of profiles: a -> b -> a"), std::string::npos) << m;
  EXPECT_NE(m.find(home_.Path(".aws/config")), std::string::npos) << m;
  EXPECT_NE(m.find("key 'source_profile'"), std::string::npos) << m;
  m = err("lone");
  EXPECT_NE(m.find("profile 'lone'"), std::string::npos) << m;
  EXPECT_NE(m.find("key 'role_arn': needs source_profile"), std::string::npos) << m;
  EXPECT_NE(err("both").find("choose one"), std::string::npos);
  EXPECT_NE(err("weird").find("'Moon' is not Environment"), std::string::npos);
  m = err("dangling");
  EXPECT_NE(m.find("profile 'ghost' not found"), std::string::npos) << m;
  EXPECT_NE(m.find("source_profile of profile 'dangling'"), std::string::npos) << m;
  EXPECT_NE(err("empty-src").find("has no credentials"), std::string::npos);
  EXPECT_NE(err("short").find("key 'duration_seconds'"), std::string::npos);
  EXPECT_TRUE(sts_.requests().empty());
}

TEST_F(AssumeRoleTest, StsRefusalNamesRoleAndCodeButNoSecret) {
  home_.Write(".aws/credentials",
              "[base]\naws_access_key_id = AKBASE\naws_secret_access_key = SECRETB\n");
  home_.Write(".aws/config", "[profile p]\nrole_arn = arn:aws:iam::1:role/denied\nsource_profile = base\n");
  home_.env.vars["AWS_PROFILE"] = "p";
  std::string m = ChainError(home_.env);
  EXPECT_NE(m.find("AccessDenied"), std::string::npos) << m;
  EXPECT_NE(m.find("arn:aws:iam::1:role/denied"), std::string::npos) << m;
}

TEST_F(AssumeRoleTest, CredentialSourceEnvironment) {
  home_.Write(".aws/config", "[profile p]\nrole_arn = arn:aws:iam::1:role/x\ncredential_source = Environment\n");
  home_.env.vars["AWS_ACCESS_KEY_ID"] = "AKENV";
  home_.env.vars["AWS_SECRET_ACCESS_KEY"] = "SECRETE";
  AwsProfiles profiles = *LoadAwsProfiles(home_.env);
  auto p = ProfileProvider(home_.env, profiles, "p");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_TRUE((*p)->Fetch().ok());
  EXPECT_NE(sts_.requests()[0].headers.at("authorization").find("Credential=AKENV/"),
            std::string::npos);
}

}  // namespace
}  // namespace runlake::aws
