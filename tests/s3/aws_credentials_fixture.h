#pragma once
// What the credential tests on RGW share: an AWS environment built from nothing (no key of
// the test process leaks into a case), temporary credentials from RGW's STS minted with
// curl (so what the stand-ins hand out does not depend on the code under test), and the
// secrets grep. The stand-ins for AWS's link-local services are in credential_servers.h.

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "../integration/cli_runner.h"

namespace runlake::it {

struct TempCreds {
  std::string access_key_id, secret_access_key, session_token, expiration;
};

// The RGW the tests run against (scripts/s3-server.sh env); `ok` false when not set.
// `sts_endpoint` is its STS-enabled gateway: S3 and STS both, and the only one that takes
// temporary credentials.
struct RgwSettings {
  bool ok = false;
  std::string endpoint, sts_endpoint, bucket, access_key_id, secret_access_key, role_arn;

  static RgwSettings FromEnv() {
    RgwSettings s;
    auto get = [](const char* n) {
      const char* v = std::getenv(n);
      return std::string(v ? v : "");
    };
    s.endpoint = get("RUNLAKE_TEST_S3_ENDPOINT");
    s.sts_endpoint = get("RUNLAKE_TEST_S3_STS_ENDPOINT");
    s.bucket = get("RUNLAKE_TEST_S3_BUCKET");
    s.access_key_id = get("AWS_ACCESS_KEY_ID");
    s.secret_access_key = get("AWS_SECRET_ACCESS_KEY");
    s.role_arn = get("RUNLAKE_TEST_S3_ROLE_ARN");
    s.ok = !s.endpoint.empty() && !s.bucket.empty() && !s.access_key_id.empty();
    return s;
  }
};

inline std::string XmlText(const std::string& xml, const std::string& tag) {
  size_t b = xml.find("<" + tag + ">");
  size_t e = xml.find("</" + tag + ">");
  if (b == std::string::npos || e == std::string::npos) return "";
  b += tag.size() + 2;
  return xml.substr(b, e - b);
}

// Runs argv[0] (a path) with `env` only (nothing inherited); captures stdout and stderr.
inline CmdResult RunClean(const std::vector<std::string>& args, const std::string& scratch,
                          const std::map<std::string, std::string>& env) {
  static int counter = 0;
  std::string out = scratch + "/.clean-" + std::to_string(counter) + ".out";
  std::string err = scratch + "/.clean-" + std::to_string(counter++) + ".err";
  pid_t pid = fork();
  if (pid == 0) {
    clearenv();
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    int in = open("/dev/null", O_RDONLY);
    int o = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || o < 0 || e < 0 || chdir(scratch.c_str()) != 0) _exit(126);
    dup2(in, 0);
    dup2(o, 1);
    dup2(e, 2);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  CmdResult r;
  r.exit_code = WaitExit(pid);
  r.out = ReadFile(out);
  r.err = ReadFile(err);
  fs::remove(out);
  fs::remove(err);
  return r;
}

// STS AssumeRole of the test role, signed by curl with the test user's long-term keys.
// RGW's shortest lifetime is 900 s. Throws when RGW refuses (the script's role is missing).
inline TempCreds AssumeTestRole(const RgwSettings& rgw, const std::string& scratch,
                                const std::string& session = "runlake-test") {
  CmdResult r = RunClean(
      {"/usr/bin/curl", "-sS", "-X", "POST", rgw.sts_endpoint + "/", "--aws-sigv4",
       "aws:amz:us-east-1:sts", "--user", rgw.access_key_id + ":" + rgw.secret_access_key, "-H",
       "Content-Type: application/x-www-form-urlencoded", "--data",
       "Action=AssumeRole&Version=2011-06-15&DurationSeconds=900&RoleSessionName=" + session +
           "&RoleArn=" + rgw.role_arn},
      scratch, {{"PATH", "/usr/bin:/bin"}});
  TempCreds c{XmlText(r.out, "AccessKeyId"), XmlText(r.out, "SecretAccessKey"),
              XmlText(r.out, "SessionToken"), XmlText(r.out, "Expiration")};
  if (r.exit_code != 0 || c.access_key_id.empty() || c.session_token.empty()) {
    throw std::runtime_error("STS AssumeRole on RGW failed: " + r.Describe());
  }
  return c;
}

// STS AssumeRoleWithWebIdentity (unsigned: the token is the proof), by curl.
inline TempCreds AssumeRoleWithToken(const RgwSettings& rgw, const std::string& scratch,
                                     const std::string& role_arn, const std::string& jwt) {
  CmdResult r = RunClean(
      {"/usr/bin/curl", "-sS", "-X", "POST", rgw.sts_endpoint + "/", "--data-urlencode",
       "Action=AssumeRoleWithWebIdentity", "--data-urlencode", "Version=2011-06-15",
       "--data-urlencode", "RoleSessionName=runlake-test", "--data-urlencode",
       "RoleArn=" + role_arn, "--data-urlencode", "WebIdentityToken=" + jwt},
      scratch, {{"PATH", "/usr/bin:/bin"}});
  TempCreds c{XmlText(r.out, "AccessKeyId"), XmlText(r.out, "SecretAccessKey"),
              XmlText(r.out, "SessionToken"), XmlText(r.out, "Expiration")};
  if (r.exit_code != 0 || c.access_key_id.empty()) {
    throw std::runtime_error("STS AssumeRoleWithWebIdentity on RGW failed: " + r.Describe());
  }
  return c;
}

// "2026-01-02T03:04:05Z", `seconds` from now.
inline std::string IsoIn(int seconds) {
  std::time_t t = std::time(nullptr) + seconds;
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

// The secrets a case hands runlake; the grep looks for each of them.
struct Secrets {
  std::vector<std::string> values;
  void Add(const TempCreds& c) {
    values.push_back(c.secret_access_key);
    if (!c.session_token.empty()) values.push_back(c.session_token);
  }
  void Add(const std::string& v) {
    if (!v.empty()) values.push_back(v);
  }
  // The names of the secrets found in `text` ("" when none), for a failure message that
  // says where without printing the secret itself.
  std::string FoundIn(const std::string& text) const {
    std::string found;
    for (size_t i = 0; i < values.size(); ++i) {
      if (text.find(values[i]) != std::string::npos) found += " secret#" + std::to_string(i);
    }
    return found;
  }
};

// Every file under `root` that holds one of the secrets, with which.
inline std::vector<std::string> FilesHoldingSecrets(const std::string& root, const Secrets& s) {
  std::vector<std::string> hits;
  for (const std::string& rel : ListFiles(root)) {
    std::string found = s.FoundIn(ReadFile(root + "/" + rel));
    if (!found.empty()) hits.push_back(rel + ":" + found);
  }
  return hits;
}

// 25 valid rows and one bad currency: under the default gate, so the run publishes.
inline std::string SmallDayCsv() {
  std::string csv = "TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp\n";
  for (int i = 1; i <= 25; ++i) {
    csv += "T" + std::to_string(i) + ",A" + std::to_string(i % 4) +
           ",10.00,EUR,2024-01-15T09:00:00Z\n";
  }
  return csv + "T99,A1,1.00,XXX,2024-01-15T11:00:00Z\n";
}

}  // namespace runlake::it
