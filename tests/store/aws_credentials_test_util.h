#pragma once
// Shared pieces of the credential provider tests: a temp HOME with ~/.aws files, STS
// answers, and the check that no secret leaks into a message.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "common/temp_dir.h"
#include "store/aws_env.h"

namespace runlake::aws::test {

inline std::string StsAnswer(const std::string& action, const std::string& key,
                             const std::string& expiration = "2099-01-01T00:00:00Z") {
  return "<" + action + "Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><" +
         action + "Result><Credentials><AccessKeyId>" + key +
         "</AccessKeyId><SecretAccessKey>SECRET-" + key +
         "</SecretAccessKey><SessionToken>TOKEN-" + key + "</SessionToken><Expiration>" +
         expiration + "</Expiration></Credentials></" + action + "Result></" + action +
         "Response>";
}

inline std::string StsError(const std::string& code) {
  return "<ErrorResponse><Error><Type>Sender</Type><Code>" + code +
         "</Code><Message>scripted</Message></Error></ErrorResponse>";
}

// A HOME with .aws/ in a temp dir; env points at it and has nothing else.
class AwsHome {
 public:
  AwsHome() {
    std::filesystem::create_directories(dir_.path() + "/.aws/sso/cache");
    env.vars["HOME"] = dir_.path();
    env.vars["AWS_EC2_METADATA_DISABLED"] = "true";  // no 1 s waits on 169.254.169.254
  }
  std::string Path(const std::string& rel) const { return dir_.path() + "/" + rel; }
  void Write(const std::string& rel, const std::string& text, bool executable = false) {
    std::ofstream(Path(rel)) << text;
    if (executable) ::chmod(Path(rel).c_str(), 0755);
  }
  AwsEnv env;

 private:
  runlake::testing::TempDir dir_;
};

// Fails the test when `message` carries anything that looks like one of our secrets.
inline void ExpectNoSecret(const std::string& message) {
  for (const char* s : {"TOKEN-", "eyJ", "sso-access-token", "container-token"}) {
    EXPECT_EQ(message.find(s), std::string::npos) << "a secret in: " << message;
  }
  // Every test secret key starts "SECRET" (and "AWS_SECRET_ACCESS_KEY" is a name, not one).
  for (size_t at = message.find("SECRET"); at != std::string::npos; at = message.find("SECRET", at + 1)) {
    EXPECT_EQ(message.compare(at, 7, "SECRET_"), 0) << "a secret in: " << message;
  }
}

}  // namespace runlake::aws::test
