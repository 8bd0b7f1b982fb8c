// EC2 instance metadata, IMDSv2 only: a session token first (PUT), then the role's name
// and its credentials with that token. 1 s timeouts, as the SDKs use, so a machine that
// is not on EC2 learns it quickly.

#include "store/aws_http.h"
#include "store/credential_providers.h"
#include "store/credentials_json.h"

namespace runlake::aws {
namespace {

class ImdsProvider : public CredentialsProvider {
 public:
  explicit ImdsProvider(ImdsSettings s) : s_(std::move(s)) {
    while (!s_.endpoint.empty() && s_.endpoint.back() == '/') s_.endpoint.pop_back();
  }
  std::string Name() const override { return "imds"; }

  Result<Credentials> Fetch() override {
    std::string what = "EC2 instance metadata at " + s_.endpoint;
    HttpCall put = Call("PUT", "/latest/api/token");
    put.headers.push_back("X-aws-ec2-metadata-token-ttl-seconds: 21600");
    RUNLAKE_ASSIGN_OR_RAISE(std::string token, Body(put, what + ": session token"));
    HttpCall role_call = Call("GET", "/latest/meta-data/iam/security-credentials/");
    role_call.headers.push_back("X-aws-ec2-metadata-token: " + token);
    RUNLAKE_ASSIGN_OR_RAISE(std::string roles, Body(role_call, what + ": role name"));
    std::string role = roles.substr(0, roles.find('\n'));
    while (!role.empty() && (role.back() == '\r' || role.back() == ' ')) role.pop_back();
    if (role.empty()) return Status::FailedPrecondition(what + ": no IAM role on this instance");
    HttpCall creds_call = Call("GET", "/latest/meta-data/iam/security-credentials/" + role);
    creds_call.headers.push_back("X-aws-ec2-metadata-token: " + token);
    RUNLAKE_ASSIGN_OR_RAISE(std::string body, Body(creds_call, what + ": credentials of role '" + role + "'"));
    return CredentialsFromJson(body, what + ": credentials of role '" + role + "'");
  }

 private:
  HttpCall Call(const std::string& method, const std::string& path) const {
    HttpCall c;
    c.method = method;
    c.url = s_.endpoint + path;
    c.connect_timeout_ms = s_.timeout_ms;
    c.total_timeout_ms = s_.timeout_ms;
    c.low_speed_time_s = 1;
    return c;
  }
  static Result<std::string> Body(const HttpCall& c, const std::string& what) {
    Result<HttpReply> reply = HttpSend(c);
    if (!reply.ok()) return reply.status().WithContext(what);
    if (reply->status != 200) {
      std::string msg = what + ": HTTP " + std::to_string(reply->status);
      if (reply->status >= 500) return Status::IOError(msg);
      return Status::FailedPrecondition(msg);
    }
    return reply->body;
  }

  ImdsSettings s_;
};

}  // namespace

ImdsSettings ImdsSettingsFromEnv(const AwsEnv& env) {
  ImdsSettings s;
  if (env.Has("AWS_EC2_METADATA_SERVICE_ENDPOINT")) s.endpoint = env.Get("AWS_EC2_METADATA_SERVICE_ENDPOINT");
  return s;
}

std::unique_ptr<CredentialsProvider> NewImdsProvider(ImdsSettings settings) {
  return std::make_unique<ImdsProvider>(std::move(settings));
}

}  // namespace runlake::aws
