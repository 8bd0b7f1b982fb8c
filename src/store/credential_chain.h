#pragma once
// The AWS CLI v2 credential chain, first match wins (shared/DESIGN.md, "S3 on AWS"):
//   1. the environment (AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY),
//   2. web identity from AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN (after the selected
//      profile when that profile assumes a role with role_arn, as the AWS CLI does),
//   3. the selected profile (AWS_PROFILE, AWS_DEFAULT_PROFILE, default): role_arn,
//      SSO, static keys, credential_process (ProfileProvider),
//   4. container credentials, 5. EC2 instance metadata (unless AWS_EC2_METADATA_DISABLED).
// Choosing reads the environment and the files only; nothing is fetched until the
// provider's Fetch(). An error in a file or a setting stops the chain (a broken profile
// never silently falls through to another identity).

#include <memory>
#include <string>

#include "runlake/status.h"
#include "store/aws_env.h"
#include "store/aws_profiles.h"
#include "store/credentials.h"

namespace runlake::aws {

// Picks the provider. InvalidArgument naming the file, profile and key for a bad
// setting; NotFound when nothing applies (IMDS disabled and nothing else configured).
Result<std::unique_ptr<CredentialsProvider>> ResolveCredentialChain(const AwsEnv& env,
                                                                    const AwsProfiles& profiles);

// The provider of one profile: role_arn (with source_profile, credential_source or
// web_identity_token_file), sso_session / sso_start_url, static keys of the credentials
// file, credential_process, static keys of the config file, in that order (botocore's).
// NotFound when the profile exists but configures none of them; InvalidArgument for a
// missing profile, a loop of source_profiles, or a half-configured one.
Result<std::unique_ptr<CredentialsProvider>> ProfileProvider(const AwsEnv& env,
                                                             const AwsProfiles& profiles,
                                                             const std::string& profile);

// AWS_REGION, AWS_DEFAULT_REGION, the profile's `region`, else us-east-1.
std::string ResolveRegion(const AwsEnv& env, const AwsProfiles& profiles,
                          const std::string& profile);

}  // namespace runlake::aws
