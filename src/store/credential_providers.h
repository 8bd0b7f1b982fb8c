#pragma once
// Constructors of the chain's providers, one .cc each. Each returns a provider whose
// Fetch() goes to its source every time (the refresher in front caches). Which of them
// applies, and with what settings, is credential_chain.cc's and profile_provider.cc's
// business; these only fetch.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runlake/status.h"
#include "store/aws_env.h"
#include "store/credentials.h"
#include "store/sts.h"

namespace runlake::aws {

// AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN,
// AWS_CREDENTIAL_EXPIRATION). nullopt when neither key is set; InvalidArgument when only
// one of the two is.
Result<std::optional<Credentials>> EnvCredentials(const AwsEnv& env);

// STS AssumeRoleWithWebIdentity with the token read from `token_file` at every fetch.
std::unique_ptr<CredentialsProvider> NewWebIdentityProvider(std::string name, std::string profile,
                                                            StsEndpoint sts,
                                                            AssumeRoleParams params,
                                                            std::string token_file);

// STS AssumeRole signed with what `source` fetches.
std::unique_ptr<CredentialsProvider> NewAssumeRoleProvider(
    std::string profile, StsEndpoint sts, AssumeRoleParams params,
    std::unique_ptr<CredentialsProvider> source);

// Runs `command` (split like a shell command line, no shell) and reads its stdout JSON:
// {"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken"?, "Expiration"?}.
std::unique_ptr<CredentialsProvider> NewProcessProvider(std::string profile, std::string command);
// The argv of a credential_process command line: quotes and backslashes as in a POSIX
// shell, nothing else (no variables, no globbing). InvalidArgument on an open quote.
Result<std::vector<std::string>> SplitCommandLine(const std::string& line);

struct SsoSettings {
  std::string profile;
  std::string session_name;  // [sso-session NAME]; empty for the legacy form
  std::string start_url;
  std::string sso_region;
  std::string account_id;
  std::string role_name;
  std::string cache_dir;   // ~/.aws/sso/cache
  std::string portal_url;  // AWS_ENDPOINT_URL_SSO or https://portal.sso.<region>.amazonaws.com
};
// The token cache file's name: hex SHA-1 of the session name (or of the start URL for a
// legacy profile without sso_session) + ".json".
std::string SsoCacheFileName(const SsoSettings& s);
// The cached token from the cache file, then the portal's GetRoleCredentials. An expired
// or missing token says to run `aws sso login --profile <profile>`.
std::unique_ptr<CredentialsProvider> NewSsoProvider(SsoSettings settings);

struct ContainerSettings {
  std::string url;
  std::string token;       // AWS_CONTAINER_AUTHORIZATION_TOKEN
  std::string token_file;  // AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (wins; re-read each time)
};
// From AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (on http://169.254.170.2) or
// AWS_CONTAINER_CREDENTIALS_FULL_URI; nullopt when neither is set; InvalidArgument for a
// full URI that is neither https nor on a loopback or the ECS/EKS link-local hosts.
Result<std::optional<ContainerSettings>> ContainerSettingsFromEnv(const AwsEnv& env);
std::unique_ptr<CredentialsProvider> NewContainerProvider(ContainerSettings settings);

struct ImdsSettings {
  std::string endpoint = "http://169.254.169.254";  // AWS_EC2_METADATA_SERVICE_ENDPOINT
  long timeout_ms = 1000;
};
ImdsSettings ImdsSettingsFromEnv(const AwsEnv& env);
// IMDSv2: PUT a session token, GET the role name, GET the role's credentials.
std::unique_ptr<CredentialsProvider> NewImdsProvider(ImdsSettings settings);

}  // namespace runlake::aws
