// Credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN.

#include "store/credential_providers.h"

namespace runlake::aws {

Result<std::optional<Credentials>> EnvCredentials(const AwsEnv& env) {
  bool id = env.Has("AWS_ACCESS_KEY_ID"), secret = env.Has("AWS_SECRET_ACCESS_KEY");
  if (!id && !secret) return std::optional<Credentials>();
  if (!id || !secret) {
    return Status::InvalidArgument(std::string("AWS credentials in the environment: ") +
                                   (id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID") +
                                   " is not set but " +
                                   (id ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY") + " is");
  }
  Credentials c{env.Get("AWS_ACCESS_KEY_ID"), env.Get("AWS_SECRET_ACCESS_KEY"),
                env.Get("AWS_SESSION_TOKEN"), std::nullopt};
  if (env.Has("AWS_CREDENTIAL_EXPIRATION")) {
    c.expiration = ParseIso8601(env.Get("AWS_CREDENTIAL_EXPIRATION"));
    if (!c.expiration) {
      return Status::InvalidArgument("AWS_CREDENTIAL_EXPIRATION is not an ISO 8601 time");
    }
  }
  return std::optional<Credentials>(std::move(c));
}

}  // namespace runlake::aws
