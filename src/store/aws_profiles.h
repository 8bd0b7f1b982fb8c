#pragma once
// The profiles of the shared config file (AWS_CONFIG_FILE, ~/.aws/config) and the
// shared credentials file (AWS_SHARED_CREDENTIALS_FILE, ~/.aws/credentials), merged as
// the AWS CLI merges them: in the config file "[profile x]" is profile x and "[default]"
// (or "[profile default]") is default, "[sso-session x]" an SSO session, other sections
// are ignored; in the credentials file "[x]" is profile x, and its keys override the
// config file's key by key. A missing file is an empty one.

#include <map>
#include <optional>
#include <string>

#include "runlake/status.h"
#include "store/aws_env.h"

namespace runlake::aws {

struct ProfileValue {
  std::string value;
  std::string file;  // the path it was read from, for error messages
};

using Profile = std::map<std::string, ProfileValue>;

struct AwsProfiles {
  std::string config_path;
  std::string credentials_path;
  std::map<std::string, Profile> profiles;
  std::map<std::string, Profile> sso_sessions;

  const Profile* Find(const std::string& name) const {
    auto it = profiles.find(name);
    return it == profiles.end() ? nullptr : &it->second;
  }
  // The value of `key` in profile `name`; "" when either is missing.
  std::string Get(const std::string& name, const std::string& key) const;
  // "the config file '/x/config'" or "the credentials file '/x/credentials'": where the
  // profile's `key` (or, when absent, the profile itself) was read.
  std::string Where(const std::string& name, const std::string& key) const;
};

// Reads both files; InvalidArgument naming the file and line for a malformed one.
Result<AwsProfiles> LoadAwsProfiles(const AwsEnv& env);

// AWS_PROFILE, else AWS_DEFAULT_PROFILE, else "default".
std::string SelectedProfileName(const AwsEnv& env);

// True when the profile was chosen by the environment rather than being "default".
inline bool ProfileExplicit(const AwsEnv& env) {
  return env.Has("AWS_PROFILE") || env.Has("AWS_DEFAULT_PROFILE");
}

}  // namespace runlake::aws
