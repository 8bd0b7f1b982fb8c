#pragma once
// The JSON shape that credential_process, the container endpoint and IMDS all answer
// with: AccessKeyId, SecretAccessKey, a token (SessionToken or Token) and Expiration.

#include <string>

#include "runlake/status.h"
#include "store/credentials.h"

namespace runlake::aws {

// `what` names the source in errors ("credential_process of profile 'dev'"). IOError for
// a body that is not a JSON object, lacks a key or has an Expiration that is not ISO
// 8601; no value from the body is ever quoted in the message.
Result<Credentials> CredentialsFromJson(const std::string& body, const std::string& what);

}  // namespace runlake::aws
