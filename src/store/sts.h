#pragma once
// The two STS calls the chain needs, as POSTs of form fields (Version 2011-06-15):
// AssumeRole, SigV4-signed with the source credentials, and AssumeRoleWithWebIdentity,
// unsigned (the token is the proof). Answers are parsed with pugixml (s3_xml.cc).

#include <optional>
#include <string>

#include "runlake/status.h"
#include "store/aws_env.h"
#include "store/credentials.h"

namespace runlake::aws {

struct StsEndpoint {
  std::string url;     // "https://sts.eu-west-1.amazonaws.com" or AWS_ENDPOINT_URL_STS
  std::string region;  // the signing region
};

// AWS_ENDPOINT_URL_STS, else AWS_ENDPOINT_URL, else https://sts.<region>.amazonaws.com.
StsEndpoint ResolveStsEndpoint(const AwsEnv& env, const std::string& region);

struct AssumeRoleParams {
  std::string role_arn;
  std::string session_name;     // empty: "runlake-<unix seconds>"
  std::string external_id;      // optional
  std::optional<int> duration_seconds;
};

// STS AssumeRole. FailedPrecondition naming the role and STS's error code when STS
// refuses; IOError when it cannot be reached or answers 5xx.
Result<Credentials> AssumeRole(const StsEndpoint& sts, const Credentials& source,
                               const AssumeRoleParams& params);

// STS AssumeRoleWithWebIdentity with `token` (a JWT, never put in a message).
Result<Credentials> AssumeRoleWithWebIdentity(const StsEndpoint& sts,
                                              const AssumeRoleParams& params,
                                              const std::string& token);

}  // namespace runlake::aws
