#pragma once
// AWS credentials and the interface every source of them implements. One class per
// source of the AWS CLI v2 chain (env, web identity, profile, container, IMDS);
// credential_chain.h picks the first that applies, credentials_refresher.h caches it.
//
// Secrets (the secret key, the session token, a web identity or SSO token) never go
// into a Status message, a log line or Describe(): errors name the provider, the file,
// the profile and the key, never a value.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "runlake/status.h"

namespace runlake::aws {

using TimePoint = std::chrono::system_clock::time_point;

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;           // empty for long-term keys
  std::optional<TimePoint> expiration;  // nullopt: never expires
  bool SameAs(const Credentials& o) const {
    return access_key_id == o.access_key_id && session_token == o.session_token;
  }
};

class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  // How `runlake doctor` names the source: "env", "web-identity", "profile:<name>",
  // "assume-role:<profile>", "process:<profile>", "sso:<profile>", "container", "imds".
  virtual std::string Name() const = 0;
  // The profile this provider reads ("" when none).
  virtual std::string Profile() const { return ""; }
  // Fetches credentials from the source now (files re-read, processes re-run, services
  // asked again). Errors name the provider and what is wrong, never a secret.
  virtual Result<Credentials> Fetch() = 0;
};

// Fixed credentials under a given name (env, a profile's static keys, tests).
class StaticProvider : public CredentialsProvider {
 public:
  StaticProvider(std::string name, Credentials creds, std::string profile = "")
      : name_(std::move(name)), creds_(std::move(creds)), profile_(std::move(profile)) {}
  std::string Name() const override { return name_; }
  std::string Profile() const override { return profile_; }
  Result<Credentials> Fetch() override { return creds_; }

 private:
  std::string name_;
  Credentials creds_;
  std::string profile_;
};

// "2024-01-15T09:00:00Z", "2024-01-15T09:00:00.123Z", "2024-01-15T09:00:00+00:00",
// "2024-01-15T09:00:00UTC" (the SSO cache's form); nullopt when it is none of these.
std::optional<TimePoint> ParseIso8601(std::string_view s);
std::string FormatIso8601(TimePoint t);

// Reads a small text file whole; NotFound / IOError naming `what` and the path.
Result<std::string> ReadSmallFile(const std::string& path, const std::string& what);

}  // namespace runlake::aws
