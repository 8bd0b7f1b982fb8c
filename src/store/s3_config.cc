// S3ConfigFromUri: "s3://bucket/prefix" plus the standard AWS environment variables.

#include <cstdlib>

#include "runlake/object_store.h"

namespace runlake {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

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
  c.endpoint = Env("AWS_ENDPOINT_URL_S3");
  if (c.endpoint.empty()) c.endpoint = Env("AWS_ENDPOINT_URL");
  c.region = Env("AWS_REGION");
  if (c.region.empty()) c.region = Env("AWS_DEFAULT_REGION");
  if (c.region.empty()) c.region = "us-east-1";
  c.access_key_id = Env("AWS_ACCESS_KEY_ID");
  c.secret_access_key = Env("AWS_SECRET_ACCESS_KEY");
  c.session_token = Env("AWS_SESSION_TOKEN");
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    return Status::InvalidArgument("lake '" + uri +
                                   "': set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
                                   "(and AWS_ENDPOINT_URL for a server other than AWS)");
  }
  return c;
}

}  // namespace runlake
