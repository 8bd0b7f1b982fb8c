// The credential chain's choice against an oracle that is not runlake: Debian's AWS CLI
// (2.9) on the same environment. For each case runlake's `doctor --json` must name the
// provider the CLI picks (tests/s3/bin/aws-credential-probe asks the CLI's own botocore,
// which names deferred providers such as assume-role without calling STS) and, where the
// CLI fetches locally, the same access key id (`aws configure export-credentials`). The
// cases are the precedence rules: environment over profiles, AWS_PROFILE selecting, the
// credentials file over the config file, the order within a profile, and container and
// instance metadata last. Nothing leaves the machine: S3, STS and SSO go to a loopback
// server that refuses everything, the container endpoint and IMDS to loopback stand-ins.
// The AWS SDK for JavaScript (fromNodeProviderChain, pinned in tests/s3/npm) is a second
// oracle where scripts/npm-tools.sh installed it; where it differs from the CLI the case
// says so (`sdk_js_picks_instead`) and runlake follows the CLI.
// Skips without /usr/bin/aws (scripts/s3-server.sh start installs it).

#include <gtest/gtest.h>

#include <iostream>
#include <regex>

#include "s3/aws_credentials_fixture.h"
#include "s3/credential_servers.h"

namespace runlake::it {
namespace {

struct OracleCase {
  std::string name;
  std::string credentials_file, config_file;
  std::map<std::string, std::string> env;  // "{container}", "{imds}", "{dir}" substituted
  std::string cli_method;                  // what the CLI picks, written down for the reader
  // Where the AWS SDK for JavaScript, the second oracle, differs from the CLI: the key id it
  // picks instead ("" = it agrees). runlake follows the CLI (shared/DESIGN.md's order).
  std::string sdk_js_picks_instead = "";
};

void PrintTo(const OracleCase& c, std::ostream* os) { *os << c.name; }

const std::string kDefault = "[default]\naws_access_key_id = AKIDDEFAULTCREDS\n"
                             "aws_secret_access_key = secret-default\n";
const std::string kDev = "[dev]\naws_access_key_id = AKIDDEVCREDS\naws_secret_access_key = s\n";
const std::string kEnvKeys = "AKIDFROMENVIRONMENT";
const std::string kRole = "arn:aws:iam::123456789012:role/lakes";

std::map<std::string, std::string> EnvKeys(std::map<std::string, std::string> more = {}) {
  more["AWS_ACCESS_KEY_ID"] = kEnvKeys;
  more["AWS_SECRET_ACCESS_KEY"] = "secret-env";
  return more;
}

std::vector<OracleCase> Cases() {
  const std::string web_identity = "{dir}/web-identity-token";
  const std::string proc = "credential_process = {dir}/process.sh\n";
  return {
      {"EnvOnly", "", "", EnvKeys(), "env"},
      // The SDK for JavaScript skips the environment's keys when AWS_PROFILE is set.
      {"EnvOverSelectedProfile", kDefault + kDev, "", EnvKeys({{"AWS_PROFILE", "dev"}}), "env",
       "AKIDDEVCREDS"},
      {"EnvOverContainer", "", "", EnvKeys({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "{container}"}}),
       "env"},
      {"DefaultProfile", kDefault + kDev, "", {}, "shared-credentials-file"},
      {"AwsProfileSelects", kDefault + kDev, "", {{"AWS_PROFILE", "dev"}}, "shared-credentials-file"},
      // The SDK for JavaScript does not read AWS_DEFAULT_PROFILE.
      {"AwsDefaultProfileSelects", kDefault + kDev, "", {{"AWS_DEFAULT_PROFILE", "dev"}},
       "shared-credentials-file", "AKIDDEFAULTCREDS"},
      {"AwsProfileOverAwsDefaultProfile", kDefault + kDev, "",
       {{"AWS_PROFILE", "dev"}, {"AWS_DEFAULT_PROFILE", "default"}}, "shared-credentials-file"},
      {"CredentialsFileOverConfigFile", kDev,
       "[profile dev]\naws_access_key_id = AKIDDEVCONFIG\naws_secret_access_key = s\n",
       {{"AWS_PROFILE", "dev"}}, "shared-credentials-file"},
      {"ConfigFileProfile", kDefault,
       "[profile cfg]\naws_access_key_id = AKIDCFGCONFIG\naws_secret_access_key = s\n",
       {{"AWS_PROFILE", "cfg"}}, "config-file"},
      {"ConfigFileDefaultSection", "",
       "[default]\naws_access_key_id = AKIDDEFAULTCONFIG\naws_secret_access_key = s\n", {},
       "config-file"},
      {"CredentialProcess", "", "[profile p]\n" + proc, {{"AWS_PROFILE", "p"}}, "custom-process"},
      {"CredentialsFileKeysOverProcess", kDev, "[profile dev]\n" + proc, {{"AWS_PROFILE", "dev"}},
       "shared-credentials-file"},
      {"ProcessOverConfigFileKeys", "",
       "[profile p]\n" + proc + "aws_access_key_id = AKIDPCONFIG\naws_secret_access_key = s\n",
       // The SDK for JavaScript takes a profile's static keys before its credential_process.
       {{"AWS_PROFILE", "p"}}, "custom-process", "AKIDPCONFIG"},
      {"AssumeRoleWithSourceProfile", kDefault,
       "[profile ar]\nrole_arn = " + kRole + "\nsource_profile = default\n",
       {{"AWS_PROFILE", "ar"}}, "assume-role"},
      {"AssumeRoleOverKeysOfTheSameProfile", kDefault + "[ar]\naws_access_key_id = AKIDARKEYS\n"
                                                       "aws_secret_access_key = s\n",
       "[profile ar]\nrole_arn = " + kRole + "\nsource_profile = default\n",
       {{"AWS_PROFILE", "ar"}}, "assume-role"},
      {"SsoProfile", "",
       "[profile sso]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = R\n"
       "[sso-session corp]\nsso_start_url = https://corp.example.com/start\n"
       "sso_region = us-east-1\n",
       {{"AWS_PROFILE", "sso"}}, "sso"},
      {"WebIdentityFromEnv", "", "",
       {{"AWS_ROLE_ARN", kRole}, {"AWS_WEB_IDENTITY_TOKEN_FILE", web_identity}},
       "assume-role-with-web-identity"},
      // The SDK for JavaScript asks the profile (fromIni) before web identity (fromTokenFile).
      {"WebIdentityFromEnvOverProfileKeys", kDefault, "",
       {{"AWS_ROLE_ARN", kRole}, {"AWS_WEB_IDENTITY_TOKEN_FILE", web_identity}},
       "assume-role-with-web-identity", "AKIDDEFAULTCREDS"},
      {"ProfileRoleOverWebIdentityFromEnv", kDefault,
       "[profile ar]\nrole_arn = " + kRole + "\nsource_profile = default\n",
       {{"AWS_PROFILE", "ar"}, {"AWS_ROLE_ARN", kRole},
        {"AWS_WEB_IDENTITY_TOKEN_FILE", web_identity}},
       "assume-role"},
      {"WebIdentityFromProfile", "",
       "[profile wi]\nrole_arn = " + kRole + "\nweb_identity_token_file = " + web_identity + "\n",
       {{"AWS_PROFILE", "wi"}}, "assume-role-with-web-identity"},
      {"ContainerFullUri", "", "", {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "{container}"}},
       "container-role"},
      {"ProfileOverContainer", kDefault, "", {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "{container}"}},
       "shared-credentials-file"},
      {"ContainerOverImds", "", "",
       {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "{container}"},
        {"AWS_EC2_METADATA_SERVICE_ENDPOINT", "{imds}"}},
       "container-role"},
      {"ImdsV2", "", "", {{"AWS_EC2_METADATA_SERVICE_ENDPOINT", "{imds}"}}, "iam-role"},
  };
}

// runlake's provider name -> the CLI's method; "profile:" is either file (the key id
// tells them apart).
// The SDK for JavaScript's $source names -> the CLI's method ("profile": either file).
std::string JsKind(const json& sources) {
  auto has = [&](const char* name) {
    for (const auto& s : sources) if (s == name) return true;
    return false;
  };
  if (has("CREDENTIALS_ENV_VARS_STS_WEB_ID_TOKEN") || has("CREDENTIALS_STS_ASSUME_ROLE_WEB_ID") ||
      has("CREDENTIALS_PROFILE_STS_WEB_ID_TOKEN")) {
    return "assume-role-with-web-identity";
  }
  if (has("CREDENTIALS_STS_ASSUME_ROLE") || has("CREDENTIALS_PROFILE_SOURCE_PROFILE")) return "assume-role";
  if (has("CREDENTIALS_SSO") || has("CREDENTIALS_PROFILE_SSO") || has("CREDENTIALS_SSO_LEGACY")) return "sso";
  if (has("CREDENTIALS_PROCESS") || has("CREDENTIALS_PROFILE_PROCESS")) return "custom-process";
  if (has("CREDENTIALS_HTTP")) return "container-role";
  if (has("CREDENTIALS_IMDS")) return "iam-role";
  if (has("CREDENTIALS_ENV_VARS")) return "env";
  if (has("CREDENTIALS_PROFILE")) return "profile";
  return "unknown: " + sources.dump();
}

bool SameKind(const std::string& runlake, const std::string& cli) {
  auto starts = [&](const char* p) { return runlake.rfind(p, 0) == 0; };
  if (runlake == "env") return cli == "env";
  if (starts("profile:")) return cli == "shared-credentials-file" || cli == "config-file";
  if (starts("assume-role:")) return cli == "assume-role";
  if (starts("process:")) return cli == "custom-process";
  if (starts("sso:")) return cli == "sso";
  if (runlake == "web-identity") return cli == "assume-role-with-web-identity";
  if (runlake == "container") return cli == "container-role";
  if (runlake == "imds") return cli == "iam-role";
  return false;
}

class AwsCredentialsOracleTest : public ::testing::TestWithParam<OracleCase> {
 protected:
  void SetUp() override {
    if (!fs::exists("/usr/bin/aws")) GTEST_SKIP() << "needs Debian's awscli (/usr/bin/aws)";
    TempCreds fake{"AKIDFROMSTANDIN", "secret-standin", "token-standin", IsoIn(3600)};
    container_ = std::make_unique<ContainerCredentialsServer>(fake, "container-token");
    imds_ = std::make_unique<ImdsServer>(fake);
    WriteFile(dir_ / "web-identity-token", "eyJhbGciOiJSUzI1NiJ9.e30.c2lnbmF0dXJl\n");
    WriteFile(dir_ / "process.sh",
              "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"AKIDFROMPROCESS\", "
              "\"SecretAccessKey\": \"secret-process\"}'\n");
    fs::permissions(dir_ / "process.sh", fs::perms::owner_all);
    fs::create_directories(dir_ / "home");
  }

  // The case's environment, nothing inherited; the CLI's outbound HTTPS goes to a closed
  // port (a proxy nobody answers), loopback stand-ins stay reachable.
  std::map<std::string, std::string> CaseEnv(const OracleCase& c) {
    WriteFile(dir_ / "credentials", c.credentials_file);
    WriteFile(dir_ / "config", Substitute(c.config_file));
    std::map<std::string, std::string> env = {
        {"PATH", "/usr/bin:/bin"},
        {"HOME", dir_ / "home"},
        {"AWS_SHARED_CREDENTIALS_FILE", dir_ / "credentials"},
        {"AWS_CONFIG_FILE", dir_ / "config"},
        {"AWS_REGION", "us-east-1"},
        {"AWS_ENDPOINT_URL", deny_.url()},
        {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "container-token"},
        {"HTTPS_PROXY", "http://127.0.0.1:9"},
        {"NO_PROXY", "127.0.0.1,localhost"},
        {"RUNLAKE_CACHE", "off"}};
    if (!c.env.count("AWS_EC2_METADATA_SERVICE_ENDPOINT")) env["AWS_EC2_METADATA_DISABLED"] = "true";
    for (const auto& [k, v] : c.env) env[k] = Substitute(v);
    return env;
  }
  std::string Substitute(std::string s) const {
    s = std::regex_replace(s, std::regex("\\{container\\}"), container_->credentials_url());
    // botocore appends "latest/..." to the endpoint as written: it needs the slash.
    s = std::regex_replace(s, std::regex("\\{imds\\}"), imds_->url() + "/");
    return std::regex_replace(s, std::regex("\\{dir\\}"), dir_.path());
  }

  // The second oracle, where scripts/npm-tools.sh installed it (skipped when it did not).
  void CheckSdkForJavaScript(const OracleCase& c, const std::map<std::string, std::string>& env,
                             const json& cli, const json& doctor) {
    const char* override_dir = std::getenv("RUNLAKE_NPM_AWS_SDK");
    const char* home = std::getenv("HOME");
    std::string npm = override_dir ? override_dir : std::string(home ? home : "") + "/.cache/runlake/npm-aws-sdk";
    if (!fs::exists(npm + "/node_modules/@aws-sdk/credential-providers")) {
      std::cerr << "no " << npm << ": run scripts/npm-tools.sh for the SDK-for-JavaScript oracle\n";
      return;
    }
    CmdResult probe = RunClean({"/usr/bin/node", std::string(RUNLAKE_SOURCE_DIR) +
                                                    "/tests/s3/bin/sdk-js-credential-probe.cjs", npm},
                               dir_.path(), env);
    ASSERT_EQ(probe.exit_code, 0) << probe.Describe();
    json js = json::parse(probe.out);
    if (!c.sdk_js_picks_instead.empty()) {
      EXPECT_EQ(js.value("access_key_id", ""), c.sdk_js_picks_instead) << "SDK for JavaScript: " << probe.out;
      return;
    }
    if (js.contains("error")) {
      // It calls STS or the SSO portal (here: a server that refuses) where the CLI defers.
      EXPECT_EQ(cli["deferred"], true) << "SDK for JavaScript: " << probe.out;
      return;
    }
    std::string kind = JsKind(js["sources"]);
    std::string method = cli["method"];
    // Its IMDS provider names no $source: the key id alone then says where it came from.
    EXPECT_TRUE(js["sources"].empty() || kind == method || (kind == "profile" && (method == "shared-credentials-file" ||
                                                         method == "config-file")))
        << "SDK for JavaScript: " << probe.out << ", CLI: " << method;
    EXPECT_EQ(doctor["credentials"]["access_key_id"], js["access_key_id"]) << probe.out;
  }

  TempDir dir_;
  DenyAllServer deny_;
  std::unique_ptr<ContainerCredentialsServer> container_;
  std::unique_ptr<ImdsServer> imds_;
};

TEST_P(AwsCredentialsOracleTest, RunlakePicksWhatTheAwsCliPicks) {
  const OracleCase& c = GetParam();
  std::map<std::string, std::string> env = CaseEnv(c);
  CmdResult probe = RunClean({std::string(RUNLAKE_SOURCE_DIR) + "/tests/s3/bin/aws-credential-probe"},
                             dir_.path(), env);
  ASSERT_EQ(probe.exit_code, 0) << probe.Describe();
  json cli = json::parse(probe.out);
  EXPECT_EQ(cli["method"], c.cli_method) << "the CLI itself changed its mind: " << probe.out;

  CmdResult doctor = RunClean({Binary(), "--json", "--lake", "s3://oracle-bucket/lake", "--state",
                               dir_ / "state.sqlite", "doctor"},
                              dir_.path(), env);
  ASSERT_FALSE(doctor.out.empty()) << doctor.Describe();
  json d = doctor.Json();
  ASSERT_TRUE(d["credentials"].is_object()) << d.dump(2);
  std::string provider = d["credentials"]["provider"];
  EXPECT_TRUE(SameKind(provider, cli["method"].get<std::string>())) << "runlake: " << provider << ", CLI: " << cli["method"];

  CheckSdkForJavaScript(c, env, cli, d);
  if (cli["deferred"] == true) return;  // the CLI would call STS or the SSO portal for a key
  // The key id as the CLI exports it, and as `aws configure list` shows it (last four).
  CmdResult exported = RunClean({"/usr/bin/aws", "configure", "export-credentials", "--format",
                                 "process"}, dir_.path(), env);
  ASSERT_EQ(exported.exit_code, 0) << exported.Describe();
  std::string key = json::parse(exported.out)["AccessKeyId"];
  EXPECT_EQ(cli["access_key_id"], key);
  EXPECT_EQ(d["credentials"]["access_key_id"], key) << d.dump(2);
  CmdResult list = RunClean({"/usr/bin/aws", "configure", "list"}, dir_.path(), env);
  ASSERT_EQ(list.exit_code, 0) << list.Describe();
  EXPECT_TRUE(std::regex_search(list.out, std::regex("access_key +\\*+" + key.substr(key.size() - 4) +
                                                     " +" + cli["method"].get<std::string>())))
      << list.out;
}

INSTANTIATE_TEST_SUITE_P(Precedence, AwsCredentialsOracleTest, ::testing::ValuesIn(Cases()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace runlake::it
