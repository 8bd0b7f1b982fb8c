// The chain's order (see credential_chain.h).

#include "store/credential_chain.h"

#include <algorithm>

#include "store/credential_providers.h"

namespace runlake::aws {

std::string ResolveRegion(const AwsEnv& env, const AwsProfiles& profiles,
                          const std::string& profile) {
  if (env.Has("AWS_REGION")) return env.Get("AWS_REGION");
  if (env.Has("AWS_DEFAULT_REGION")) return env.Get("AWS_DEFAULT_REGION");
  std::string r = profiles.Get(profile, "region");
  return r.empty() ? "us-east-1" : r;
}

Result<std::unique_ptr<CredentialsProvider>> ResolveCredentialChain(const AwsEnv& env,
                                                                    const AwsProfiles& profiles) {
  using Ptr = std::unique_ptr<CredentialsProvider>;
  RUNLAKE_ASSIGN_OR_RAISE(std::optional<Credentials> from_env, EnvCredentials(env));
  if (from_env) return Ptr(std::make_unique<StaticProvider>("env", std::move(*from_env)));

  std::string profile = SelectedProfileName(env);
  // The AWS CLI asks its AssumeRoleProvider before web identity: a selected profile with
  // role_arn (assumed from source_profile or credential_source) wins over
  // AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN. A profile's own web_identity_token_file
  // does not: the environment's web identity overrides it (botocore's order, which
  // aws_credentials_oracle_test checks).
  if (!profiles.Get(profile, "role_arn").empty() &&
      profiles.Get(profile, "web_identity_token_file").empty()) {
    return ProfileProvider(env, profiles, profile);
  }
  if (env.Has("AWS_WEB_IDENTITY_TOKEN_FILE") && env.Has("AWS_ROLE_ARN")) {
    AssumeRoleParams p{env.Get("AWS_ROLE_ARN"), env.Get("AWS_ROLE_SESSION_NAME"), "", {}};
    return NewWebIdentityProvider("web-identity", "",
                                  ResolveStsEndpoint(env, ResolveRegion(env, profiles, profile)),
                                  std::move(p), env.Get("AWS_WEB_IDENTITY_TOKEN_FILE"));
  }

  if (profiles.Find(profile) || ProfileExplicit(env)) {
    Result<Ptr> p = ProfileProvider(env, profiles, profile);
    if (p.ok() || !p.status().IsNotFound()) return p;
  }

  RUNLAKE_ASSIGN_OR_RAISE(std::optional<ContainerSettings> container,
                          ContainerSettingsFromEnv(env));
  if (container) return NewContainerProvider(std::move(*container));

  std::string disabled = env.Get("AWS_EC2_METADATA_DISABLED");
  std::transform(disabled.begin(), disabled.end(), disabled.begin(), ::tolower);
  if (disabled != "true") return NewImdsProvider(ImdsSettingsFromEnv(env));
  return Status::NotFound(
      "no AWS credentials: none in the environment (AWS_ACCESS_KEY_ID), no web identity "
      "(AWS_WEB_IDENTITY_TOKEN_FILE), none in profile '" + profile + "' of '" +
      profiles.config_path + "' or '" + profiles.credentials_path +
      "', no container credentials (AWS_CONTAINER_CREDENTIALS_*), and instance metadata "
      "is disabled (AWS_EC2_METADATA_DISABLED)");
}

}  // namespace runlake::aws
