// SSO: runlake never logs in. It reads the token `aws sso login` cached and trades it
// at the portal (GetRoleCredentials) for role credentials.

#include <openssl/sha.h>

#include <cstdio>

#include <nlohmann/json.hpp>

#include "store/aws_http.h"
#include "store/credential_providers.h"
#include "store/s3_client_internal.h"

namespace runlake::aws {
namespace {

std::string Sha1Hex(const std::string& s) {
  unsigned char d[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(s.data()), s.size(), d);
  char hex[2 * SHA_DIGEST_LENGTH + 1];
  for (int i = 0; i < SHA_DIGEST_LENGTH; ++i) std::snprintf(hex + 2 * i, 3, "%02x", d[i]);
  return hex;
}

class SsoProvider : public CredentialsProvider {
 public:
  explicit SsoProvider(SsoSettings s) : s_(std::move(s)) {}
  std::string Name() const override { return "sso:" + s_.profile; }
  std::string Profile() const override { return s_.profile; }

  Result<Credentials> Fetch() override {
    std::string what = "SSO profile '" + s_.profile + "'";
    std::string login = "run `aws sso login --profile " + s_.profile + "`";
    std::string path = s_.cache_dir + "/" + SsoCacheFileName(s_);
    Result<std::string> text = ReadSmallFile(path, "SSO token cache file");
    if (!text.ok()) {
      return Status::FailedPrecondition(what + ": no cached SSO token (" +
                                        text.status().message() + "): " + login);
    }
    nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
    if (!j.is_object() || !j.contains("accessToken") || !j["accessToken"].is_string() ||
        !j.contains("expiresAt") || !j["expiresAt"].is_string()) {
      return Status::FailedPrecondition(what + ": SSO token cache file '" + path +
                                        "' lacks accessToken or expiresAt: " + login);
    }
    std::optional<TimePoint> expires = ParseIso8601(j["expiresAt"].get<std::string>());
    if (!expires || *expires <= std::chrono::system_clock::now()) {
      return Status::FailedPrecondition(what + ": the SSO token in '" + path +
                                        "' has expired: " + login);
    }
    HttpCall call;
    call.url = s_.portal_url + "/federation/credentials?account_id=" +
               s3::UriEncode(s_.account_id, false) +
               "&role_name=" + s3::UriEncode(s_.role_name, false);
    call.headers.push_back("x-amz-sso_bearer_token: " + j["accessToken"].get<std::string>());
    Result<HttpReply> reply = HttpSend(call);
    std::string at = what + ": GetRoleCredentials at " + s_.portal_url;
    if (!reply.ok()) return reply.status().WithContext(at);
    if (reply->status == 401 || reply->status == 403) {
      return Status::FailedPrecondition(at + ": HTTP " + std::to_string(reply->status) + ": " +
                                        login);
    }
    if (reply->status != 200) {
      return Status::IOError(at + ": HTTP " + std::to_string(reply->status));
    }
    nlohmann::json r = nlohmann::json::parse(reply->body, nullptr, false);
    nlohmann::json rc = r.is_object() ? r.value("roleCredentials", nlohmann::json()) : nlohmann::json();
    Credentials c;
    if (rc.is_object()) {
      c.access_key_id = rc.value("accessKeyId", std::string());
      c.secret_access_key = rc.value("secretAccessKey", std::string());
      c.session_token = rc.value("sessionToken", std::string());
    }
    if (c.access_key_id.empty() || c.secret_access_key.empty() ||
        !rc.contains("expiration") || !rc["expiration"].is_number_integer()) {
      return Status::IOError(at + ": an answer without roleCredentials");
    }
    c.expiration = TimePoint(std::chrono::milliseconds(rc["expiration"].get<int64_t>()));
    return c;
  }

 private:
  SsoSettings s_;
};

}  // namespace

std::string SsoCacheFileName(const SsoSettings& s) {
  return Sha1Hex(s.session_name.empty() ? s.start_url : s.session_name) + ".json";
}

std::unique_ptr<CredentialsProvider> NewSsoProvider(SsoSettings settings) {
  return std::make_unique<SsoProvider>(std::move(settings));
}

}  // namespace runlake::aws
