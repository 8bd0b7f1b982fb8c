// Each provider of the AWS credential chain through the real binary on RGW (label s3):
// a lake opens and a `run` commits with credentials from only that provider, `doctor
// --json` names it and the access key id it fetched, and no secret (secret key, session
// token, container or SSO token) is in any output, the state store or the lake's objects.
// RGW's STS mints the temporary credentials (scripts/s3-server.sh: `rgw sts key` and a
// role the test user may assume); loopback stand-ins play the container endpoint, IMDSv2
// and the SSO portal. Everything goes to RGW's STS-enabled gateway
// (RUNLAKE_TEST_S3_STS_ENDPOINT). Skips unless RUNLAKE_TEST_S3_ENDPOINT and
// RUNLAKE_TEST_S3_ROLE_ARN are set (eval "$(scripts/s3-server.sh start)").

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <sstream>

#include "s3/aws_credentials_fixture.h"
#include "s3/credential_servers.h"

namespace runlake::it {
namespace {

class AwsCredentialsS3Test : public ::testing::Test {
 protected:
  void SetUp() override {
    rgw_ = RgwSettings::FromEnv();
    if (!rgw_.ok) GTEST_SKIP() << "RUNLAKE_TEST_S3_ENDPOINT not set: no S3 server";
    if (rgw_.role_arn.empty() || rgw_.sts_endpoint.empty()) {
      GTEST_SKIP() << "RUNLAKE_TEST_S3_ROLE_ARN or _STS_ENDPOINT not set: RGW without STS";
    }
    ASSERT_TRUE(fs::exists("/usr/bin/aws")) << "needs Debian's awscli to read the lake back";
    auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    prefix_ = "creds-" + std::to_string(getpid()) + "-" + std::to_string(now);
    lake_ = "s3://" + rgw_.bucket + "/" + prefix_;
    fs::create_directories(Aws("home"));
    fs::create_directories(Work("cache"));
    WriteFile(Aws("config"), "");
    WriteFile(Aws("credentials"), "");
    // Nothing inherited: a case's credentials come from its own provider only. What holds
    // secrets on purpose (the AWS files, token files, HOME with the SSO cache) is under
    // aws/; what runlake writes (state, cache, outputs, a copy of the lake) under work/.
    env_ = {{"PATH", "/usr/bin:/bin"},
            {"HOME", Aws("home")},
            {"AWS_CONFIG_FILE", Aws("config")},
            {"AWS_SHARED_CREDENTIALS_FILE", Aws("credentials")},
            {"AWS_ENDPOINT_URL", rgw_.sts_endpoint},
            {"AWS_REGION", "us-east-1"},
            {"AWS_EC2_METADATA_DISABLED", "true"},
            {"RUNLAKE_CACHE", Work("cache")}};
  }

  std::string Aws(const std::string& rel) const { return dir_ / ("aws/" + rel); }
  std::string Work(const std::string& rel) const { return dir_ / ("work/" + rel); }

  CmdResult Rl(std::vector<std::string> args) {
    args.insert(args.begin(), {Binary(), "--lake", lake_, "--state", Work("state.sqlite")});
    CmdResult r = RunClean(args, Work(""), env_);
    outputs_ += r.out + "\n" + r.err + "\n";
    return r;
  }

  // init, ingest, run (must commit and publish), then doctor --json: returns doctor's JSON.
  json OpenRunAndDiagnose(const std::string& csv) {
    CmdResult init = Rl({"init"});
    EXPECT_EQ(init.exit_code, 0) << init.Describe();
    CmdResult ingest = Rl({"--json", "ingest", csv, "--date", "2024-01-15"});
    EXPECT_EQ(ingest.exit_code, 0) << ingest.Describe();
    if (ingest.exit_code != 0) return json();
    json in = json::parse(InputJson("20240115T120000Z", ingest.Json()["key"].get<std::string>()));
    in["s3_bucket"] = rgw_.bucket;
    WriteFile(Work("in.json"), in.dump());
    if (before_run_) before_run_();
    run_ = Rl({"--json", "run", "--input", Work("in.json")});
    if (after_run_) after_run_();
    EXPECT_EQ(run_.exit_code, 0) << run_.Describe();
    CmdResult doctor = Rl({"--json", "doctor"});
    EXPECT_EQ(doctor.exit_code, 0) << doctor.Describe();
    return doctor.out.empty() ? json() : doctor.Json();
  }
  json OpenRunAndDiagnose() {
    WriteFile(Work("day.csv"), SmallDayCsv());
    return OpenRunAndDiagnose(Work("day.csv"));
  }

  // The secrets grep: every command's stdout and stderr, and every file runlake wrote (the
  // SQLite state store and its logs and events, the cache, a copy of the lake's objects).
  void ExpectNoSecretAnywhere(const Secrets& secrets) {
    ASSERT_FALSE(secrets.values.empty());
    EXPECT_EQ(secrets.FoundIn(outputs_), "") << "a secret in runlake's stdout or stderr";
    std::map<std::string, std::string> copy_env = {
        {"PATH", "/usr/bin:/bin"}, {"HOME", Aws("home")}, {"AWS_DEFAULT_REGION", "us-east-1"},
        {"AWS_ACCESS_KEY_ID", rgw_.access_key_id}, {"AWS_SECRET_ACCESS_KEY", rgw_.secret_access_key}};
    if (reader_) {
      copy_env["AWS_ACCESS_KEY_ID"] = reader_->access_key_id;
      copy_env["AWS_SECRET_ACCESS_KEY"] = reader_->secret_access_key;
      copy_env["AWS_SESSION_TOKEN"] = reader_->session_token;
    }
    CmdResult copy = RunClean({"/usr/bin/aws", "--endpoint-url", rgw_.sts_endpoint, "s3", "cp",
                               "--recursive", "--only-show-errors",
                               "s3://" + rgw_.bucket + "/" + prefix_, Work("lake-copy")},
                              Work(""), copy_env);
    ASSERT_EQ(copy.exit_code, 0) << copy.Describe();
    EXPECT_FALSE(ListFiles(Work("lake-copy")).empty());
    // The grep reads what it must: the run's id is in the state store and the lake as text.
    EXPECT_NE(ReadFile(Work("state.sqlite")).find("20240115T120000Z"), std::string::npos);
    EXPECT_TRUE(fs::exists(Work("lake-copy/_runs/20240115T120000Z.json")));
    std::vector<std::string> hits = FilesHoldingSecrets(Work(""), secrets);
    EXPECT_TRUE(hits.empty()) << ::testing::PrintToString(hits);
  }

  static void ExpectProvider(const json& doctor, const std::string& provider) {
    ASSERT_TRUE(doctor.is_object()) << doctor;
    EXPECT_EQ(doctor["credentials"]["provider"], provider) << doctor.dump(2);
    EXPECT_EQ(doctor["ok"], true) << doctor.dump(2);
  }

  RgwSettings rgw_;
  TempDir dir_;
  std::string prefix_, lake_;
  std::map<std::string, std::string> env_;
  std::string outputs_;  // every command's stdout and stderr, for the grep
  CmdResult run_;
  std::function<void()> before_run_, after_run_;  // around the `run` command
  // Who reads the lake back for the grep when the test user cannot: objects written by a
  // web identity session belong to RGW's federated user, not to the test user.
  std::optional<TempCreds> reader_;
};

TEST_F(AwsCredentialsS3Test, EnvironmentTemporaryCredentials) {
  TempCreds c = AssumeTestRole(rgw_, Work(""));
  env_["AWS_ACCESS_KEY_ID"] = c.access_key_id;
  env_["AWS_SECRET_ACCESS_KEY"] = c.secret_access_key;
  env_["AWS_SESSION_TOKEN"] = c.session_token;
  json doctor = OpenRunAndDiagnose();
  ExpectProvider(doctor, "env");
  EXPECT_EQ(doctor["credentials"]["access_key_id"], c.access_key_id);
  Secrets s;
  s.Add(c);
  ExpectNoSecretAnywhere(s);
}

TEST_F(AwsCredentialsS3Test, StaticProfileInTheCredentialsFile) {
  WriteFile(Aws("credentials"), "[ci]\naws_access_key_id = " + rgw_.access_key_id +
                                    "\naws_secret_access_key = " + rgw_.secret_access_key + "\n");
  env_["AWS_PROFILE"] = "ci";
  json doctor = OpenRunAndDiagnose();
  ExpectProvider(doctor, "profile:ci");
  EXPECT_EQ(doctor["credentials"]["access_key_id"], rgw_.access_key_id);
  EXPECT_TRUE(doctor["credentials"]["expires_at"].is_null()) << doctor.dump(2);
  Secrets s;
  s.Add(rgw_.secret_access_key);
  ExpectNoSecretAnywhere(s);
}

TEST_F(AwsCredentialsS3Test, AssumedRoleFromASourceProfile) {
  WriteFile(Aws("credentials"), "[base]\naws_access_key_id = " + rgw_.access_key_id +
                                    "\naws_secret_access_key = " + rgw_.secret_access_key + "\n");
  WriteFile(Aws("config"), "[profile lakes]\nrole_arn = " + rgw_.role_arn +
                               "\nsource_profile = base\nrole_session_name = runlake-it\n"
                               "duration_seconds = 900\n");
  env_["AWS_PROFILE"] = "lakes";
  json doctor = OpenRunAndDiagnose();
  ExpectProvider(doctor, "assume-role:lakes");
  // RGW's AssumeRole answered: the key is a temporary one, not the source profile's.
  std::string key = doctor["credentials"]["access_key_id"].is_string()
                        ? doctor["credentials"]["access_key_id"].get<std::string>() : "";
  EXPECT_FALSE(key.empty());
  EXPECT_NE(key, rgw_.access_key_id);
  EXPECT_FALSE(doctor["credentials"]["expires_at"].is_null()) << doctor.dump(2);
  Secrets s;
  s.Add(rgw_.secret_access_key);
  ExpectNoSecretAnywhere(s);
}

// The process mints new RGW credentials at every call but says they expire 61 s later:
// the refresher treats credentials within 60 s of expiry as unusable, so each set lives
// about 1 s and a `run` of a few seconds outlives several of them.
TEST_F(AwsCredentialsS3Test, CredentialProcessRefreshedDuringARun) {
  std::string issued = Aws("issued"), calls = Aws("calls");
  WriteFile(Aws("creds.sh"),
            "#!/bin/bash\nset -euo pipefail\necho call >> '" + calls + "'\n"
            "xml=$(/usr/bin/curl -sS -X POST '" + rgw_.sts_endpoint + "/' --aws-sigv4 "
            "aws:amz:us-east-1:sts --user '" + rgw_.access_key_id + ":" + rgw_.secret_access_key +
            "' -H 'Content-Type: application/x-www-form-urlencoded' --data "
            "'Action=AssumeRole&Version=2011-06-15&DurationSeconds=900&RoleSessionName=process"
            "&RoleArn=" + rgw_.role_arn + "')\n"
            "tag() { sed -n \"s:.*<$1>\\(.*\\)</$1>.*:\\1:p\" <<<\"$xml\"; }\n"
            "tag SecretAccessKey >> '" + issued + "'\ntag SessionToken >> '" + issued + "'\n"
            "printf '{\"Version\":1,\"AccessKeyId\":\"%s\",\"SecretAccessKey\":\"%s\","
            "\"SessionToken\":\"%s\",\"Expiration\":\"%s\"}\\n' \"$(tag AccessKeyId)\" "
            "\"$(tag SecretAccessKey)\" \"$(tag SessionToken)\" "
            "\"$(date -u -d '+61 seconds' +%Y-%m-%dT%H:%M:%SZ)\"\n");
  fs::permissions(Aws("creds.sh"), fs::perms::owner_all);
  WriteFile(Aws("config"), "[profile proc]\ncredential_process = " + Aws("creds.sh") + "\n");
  env_["AWS_PROFILE"] = "proc";
  auto count_calls = [&] {
    int n = 0;
    for (char ch : ReadFile(calls)) n += ch == '\n';
    return n;
  };
  int calls_before_run = 0, calls_after_run = 0;
  before_run_ = [&] { calls_before_run = count_calls(); };
  after_run_ = [&] { calls_after_run = count_calls(); };
  // A bronze file big enough that the run outlives its first credentials: they expire in 61 s
  // and are not used within the refresher's last minute, so each lives about a second. At
  // 300,000 rows the run once took 0.97 s and saw one fetch; 1,500,000 rows take a few.
  CmdResult sample = Rl({"sample", Work("big.csv"), "--rows", "1500000", "--date", "2024-01-15",
                         "--invalid-fraction", "0"});
  ASSERT_EQ(sample.exit_code, 0) << sample.Describe();
  json doctor = OpenRunAndDiagnose(Work("big.csv"));
  ExpectProvider(doctor, "process:proc");
  EXPECT_FALSE(doctor["credentials"]["expires_at"].is_null()) << doctor.dump(2);
  // The run fetched at its start and again, at least once, while it ran.
  EXPECT_GE(calls_after_run - calls_before_run, 2) << run_.Describe();
  Secrets s;
  s.Add(rgw_.secret_access_key);
  std::stringstream lines(ReadFile(issued));
  for (std::string line; std::getline(lines, line);) s.Add(line);
  ExpectNoSecretAnywhere(s);
}

// EKS IRSA's shape: a JWT in a file, STS AssumeRoleWithWebIdentity (RGW checks the
// token's RS256 signature against the JWKS of the provider scripts/s3-server.sh registered).
TEST_F(AwsCredentialsS3Test, WebIdentityTokenFile) {
  const char* issuer = std::getenv("RUNLAKE_TEST_S3_OIDC_ISSUER");
  const char* oidc_dir = std::getenv("RUNLAKE_TEST_S3_OIDC_DIR");
  const char* role = std::getenv("RUNLAKE_TEST_S3_WEB_ROLE_ARN");
  if (!issuer || !oidc_dir || !role) GTEST_SKIP() << "RGW without an OpenID provider";
  std::map<std::string, std::string> sh_env = {{"PATH", "/usr/bin:/bin"}};
  CmdResult x5c = RunClean({"/bin/bash", "-c", std::string("openssl x509 -in ") + oidc_dir +
                                                   "/cert.pem -outform DER | base64 -w0"},
                           Work(""), sh_env);
  ASSERT_EQ(x5c.exit_code, 0) << x5c.Describe();
  OidcServer oidc(issuer, x5c.out);
  // header.payload.signature, base64url, signed with the registered key by openssl.
  const std::string mint =
      "b64() { base64 -w0 | tr '+/' '-_' | tr -d '='; }; now=$(date +%s); "
      "h=$(printf '{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"runlake-test\"}' | b64); "
      "p=$(printf '{\"iss\":\"%s\",\"sub\":\"runlake-ci\",\"aud\":\"runlake\","
      "\"client_id\":\"runlake\",\"iat\":%d,\"exp\":%d}' \"$1\" $now $((now + 3600)) | b64); "
      "s=$(printf '%s.%s' \"$h\" \"$p\" | openssl dgst -sha256 -sign \"$2\" -binary | b64); "
      "printf '%s.%s.%s' \"$h\" \"$p\" \"$s\"";
  CmdResult jwt = RunClean({"/bin/bash", "-c", mint, "mint", issuer,
                            std::string(oidc_dir) + "/key.pem"},
                           Work(""), sh_env);
  ASSERT_EQ(jwt.exit_code, 0) << jwt.Describe();
  ASSERT_EQ(std::count(jwt.out.begin(), jwt.out.end(), '.'), 2) << jwt.out;
  WriteFile(Aws("web-identity-token"), jwt.out);
  env_["AWS_ROLE_ARN"] = role;
  env_["AWS_WEB_IDENTITY_TOKEN_FILE"] = Aws("web-identity-token");
  env_["AWS_ROLE_SESSION_NAME"] = "runlake-it";
  json doctor = OpenRunAndDiagnose();
  ExpectProvider(doctor, "web-identity");
  reader_ = AssumeRoleWithToken(rgw_, Work(""), role, jwt.out);
  EXPECT_FALSE(doctor["credentials"]["expires_at"].is_null()) << doctor.dump(2);
  EXPECT_GE(oidc.served(), 2) << "RGW never fetched the JWKS: the token was not checked";
  Secrets s;
  s.Add(jwt.out);
  s.Add(jwt.out.substr(jwt.out.rfind('.') + 1));  // the signature alone
  s.Add(rgw_.secret_access_key);
  ExpectNoSecretAnywhere(s);
}

TEST_F(AwsCredentialsS3Test, ContainerCredentialsWithATokenFile) {
  TempCreds c = AssumeTestRole(rgw_, Work(""));
  const std::string token = "container-authorization-token-" + prefix_;
  ContainerCredentialsServer server(c, token);
  WriteFile(Aws("pod-identity-token"), token + "\n");
  env_["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = server.credentials_url();
  env_["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = Aws("pod-identity-token");
  json doctor = OpenRunAndDiagnose();
  ExpectProvider(doctor, "container");
  EXPECT_EQ(doctor["credentials"]["access_key_id"], c.access_key_id);
  EXPECT_GE(server.served(), 1);
  EXPECT_EQ(server.refused(), 0);

  // The stand-in refuses a wrong token, and doctor says so without printing either token.
  WriteFile(Aws("pod-identity-token"), "wrong-token-value\n");
  CmdResult refused = Rl({"--json", "doctor"});
  EXPECT_EQ(refused.exit_code, 1) << refused.Describe();
  EXPECT_GE(server.refused(), 1);
  EXPECT_EQ(refused.out.find("wrong-token-value"), std::string::npos) << refused.out;
  Secrets s;
  s.Add(c);
  s.Add(token);
  ExpectNoSecretAnywhere(s);
}

TEST_F(AwsCredentialsS3Test, InstanceMetadataV2) {
  TempCreds c = AssumeTestRole(rgw_, Work(""));
  ImdsServer imds(c);
  env_.erase("AWS_EC2_METADATA_DISABLED");
  env_["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = imds.url();
  json doctor = OpenRunAndDiagnose();
  ExpectProvider(doctor, "imds");
  EXPECT_EQ(doctor["credentials"]["access_key_id"], c.access_key_id);
  EXPECT_GE(imds.served(), 1);
  EXPECT_EQ(imds.refused(), 0) << "a request without the IMDSv2 session token";
  Secrets s;
  s.Add(c);
  ExpectNoSecretAnywhere(s);
}

TEST_F(AwsCredentialsS3Test, SsoFromTheTokenCache) {
  TempCreds c = AssumeTestRole(rgw_, Work(""));
  const std::string access_token = "sso-access-token-" + prefix_;
  SsoPortalServer portal(c, access_token, "123456789012", "LakeRole");
  WriteFile(Aws("config"),
            "[profile sso-dev]\nsso_session = corp\nsso_account_id = 123456789012\n"
            "sso_role_name = LakeRole\n\n[sso-session corp]\n"
            "sso_start_url = https://corp.example.com/start\nsso_region = us-east-1\n");
  // The cache file is named by the SHA-1 of the session name, as `aws sso login` names it.
  CmdResult sha = RunClean({"/bin/sh", "-c", "printf %s corp | sha1sum"}, Work(""),
                           {{"PATH", "/usr/bin:/bin"}});
  ASSERT_EQ(sha.exit_code, 0) << sha.Describe();
  json cache = {{"startUrl", "https://corp.example.com/start"}, {"region", "us-east-1"},
                {"accessToken", access_token}, {"expiresAt", IsoIn(3600)}};
  WriteFile(Aws("home/.aws/sso/cache/" + sha.out.substr(0, 40) + ".json"), cache.dump());
  env_["AWS_PROFILE"] = "sso-dev";
  env_["AWS_ENDPOINT_URL_SSO"] = portal.url();
  json doctor = OpenRunAndDiagnose();
  ExpectProvider(doctor, "sso:sso-dev");
  EXPECT_EQ(doctor["credentials"]["access_key_id"], c.access_key_id);
  EXPECT_GE(portal.served(), 1);
  EXPECT_EQ(portal.refused(), 0);
  Secrets s;
  s.Add(c);
  s.Add(access_token);
  ExpectNoSecretAnywhere(s);
}

}  // namespace
}  // namespace runlake::it
