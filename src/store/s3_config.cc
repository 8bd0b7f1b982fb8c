// S3ConfigFromUri: "s3://bucket/prefix" plus the AWS environment and shared files.

#include "runlake/object_store.h"
#include "store/aws_env.h"
#include "store/aws_profiles.h"
#include "store/credential_chain.h"
#include "store/credentials_refresher.h"

namespace runlake {
namespace {

// S3's rules, loosely: 3-63 characters of a-z, 0-9, '.', '-'.
bool ValidBucketName(const std::string& b) {
  if (b.size() < 3 || b.size() > 63) return false;
  for (char c : b) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-')) return false;
  }
  return true;
}

}  // namespace

Result<S3Config> S3ConfigFromUri(const std::string& uri) {
  if (uri.rfind("s3://", 0) != 0) {
    return Status::InvalidArgument("'" + uri + "' is not an s3:// URI");
  }
  std::string rest = uri.substr(5);
  size_t slash = rest.find('/');
  S3Config c;
  c.bucket = rest.substr(0, slash);
  if (slash != std::string::npos) c.prefix = rest.substr(slash + 1);
  while (!c.prefix.empty() && c.prefix.back() == '/') c.prefix.pop_back();
  if (!ValidBucketName(c.bucket)) {
    return Status::InvalidArgument("lake '" + uri + "': bad bucket name '" + c.bucket +
                                   "' (3-63 characters of a-z, 0-9, '.', '-')");
  }
  if (!c.prefix.empty()) {
    Status st = ValidateKey(c.prefix);
    if (!st.ok()) return st.WithContext("lake '" + uri + "': bad prefix");
  }
  aws::AwsEnv env = aws::AwsEnv::FromProcess();
  std::string where = "lake '" + uri + "'";
  Result<aws::AwsProfiles> profiles = aws::LoadAwsProfiles(env);
  if (!profiles.ok()) return profiles.status().WithContext(where);
  std::string profile = aws::SelectedProfileName(env);
  c.endpoint = env.Get("AWS_ENDPOINT_URL_S3");
  if (c.endpoint.empty()) c.endpoint = env.Get("AWS_ENDPOINT_URL");
  c.region = aws::ResolveRegion(env, *profiles, profile);
  c.addressing = env.Get("RUNLAKE_S3_ADDRESSING");
  if (c.addressing.empty()) c.addressing = profiles->Get(profile, "s3.addressing_style");
  if (c.addressing.empty()) c.addressing = "auto";
  if (c.addressing != "auto" && c.addressing != "path" && c.addressing != "virtual") {
    return Status::InvalidArgument(where + ": S3 addressing '" + c.addressing +
                                   "' (RUNLAKE_S3_ADDRESSING or s3.addressing_style) is not "
                                   "path, virtual or auto");
  }
  Result<std::unique_ptr<aws::CredentialsProvider>> provider =
      aws::ResolveCredentialChain(env, *profiles);
  if (!provider.ok()) {
    return Status::InvalidArgument(where + ": " + provider.status().message() +
                                   " (and AWS_ENDPOINT_URL for a server other than AWS)");
  }
  c.credentials = std::make_shared<aws::CredentialsRefresher>(std::move(*provider));
  return c;
}

}  // namespace runlake
