// Container credentials: ECS task roles (relative URI on 169.254.170.2) and EKS Pod
// Identity (full URI with a token file). A full URI over plain http must stay on this
// host or AWS's link-local agents, so credentials never cross a network in clear.

#include <algorithm>

#include "store/aws_http.h"
#include "store/credential_providers.h"
#include "store/credentials_json.h"

namespace runlake::aws {
namespace {

// "http://host:port/path" -> "host" (brackets kept off an IPv6 literal).
std::string HostOf(const std::string& url) {
  size_t start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  size_t end = url.find_first_of("/?#", start);
  std::string hostport = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (size_t at = hostport.rfind('@'); at != std::string::npos) hostport = hostport.substr(at + 1);
  if (!hostport.empty() && hostport[0] == '[') return hostport.substr(1, hostport.find(']') - 1);
  return hostport.substr(0, hostport.find(':'));
}

bool AllowedPlainHttpHost(std::string host) {
  std::transform(host.begin(), host.end(), host.begin(), ::tolower);
  return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1" ||
         host == "169.254.170.2" || host == "169.254.170.23" || host == "fd00:ec2::23";
}

class ContainerProvider : public CredentialsProvider {
 public:
  explicit ContainerProvider(ContainerSettings s) : s_(std::move(s)) {}
  std::string Name() const override { return "container"; }

  Result<Credentials> Fetch() override {
    std::string what = "container credentials at " + UrlForMessages(s_.url);
    HttpCall call;
    call.url = s_.url;
    call.connect_timeout_ms = 2000;
    call.total_timeout_ms = 5000;
    std::string token = s_.token;
    if (!s_.token_file.empty()) {
      Result<std::string> t = ReadSmallFile(s_.token_file, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
      if (!t.ok()) return t.status().WithContext(what);
      token = *t;
      while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
    }
    if (token.find_first_of("\r\n") != std::string::npos) {
      return Status::InvalidArgument(what + ": the authorization token has a line break");
    }
    if (!token.empty()) call.headers.push_back("Authorization: " + token);
    Result<HttpReply> reply = HttpSend(call);
    if (!reply.ok()) return reply.status().WithContext(what);
    if (reply->status != 200) {
      std::string msg = what + ": HTTP " + std::to_string(reply->status);
      if (reply->status >= 500 || reply->status == 429) return Status::IOError(msg);
      return Status::FailedPrecondition(msg);
    }
    return CredentialsFromJson(reply->body, what);
  }

 private:
  ContainerSettings s_;
};

}  // namespace

Result<std::optional<ContainerSettings>> ContainerSettingsFromEnv(const AwsEnv& env) {
  ContainerSettings s;
  s.token = env.Get("AWS_CONTAINER_AUTHORIZATION_TOKEN");
  s.token_file = env.Get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
  if (env.Has("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")) {
    std::string rel = env.Get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    s.url = "http://169.254.170.2" + std::string(rel.front() == '/' ? "" : "/") + rel;
    return std::optional<ContainerSettings>(std::move(s));
  }
  if (!env.Has("AWS_CONTAINER_CREDENTIALS_FULL_URI")) return std::optional<ContainerSettings>();
  s.url = env.Get("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  if (s.url.rfind("https://", 0) == 0) return std::optional<ContainerSettings>(std::move(s));
  if (s.url.rfind("http://", 0) != 0 || !AllowedPlainHttpHost(HostOf(s.url))) {
    return Status::InvalidArgument(
        "AWS_CONTAINER_CREDENTIALS_FULL_URI '" + UrlForMessages(s.url) +
        "': must be https, or http on a loopback address or 169.254.170.2 / 169.254.170.23 / "
        "fd00:ec2::23");
  }
  return std::optional<ContainerSettings>(std::move(s));
}

std::unique_ptr<CredentialsProvider> NewContainerProvider(ContainerSettings settings) {
  return std::make_unique<ContainerProvider>(std::move(settings));
}

}  // namespace runlake::aws
