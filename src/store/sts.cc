// STS over HTTP (see sts.h).

#include "store/sts.h"

#include <chrono>

#include "store/aws_http.h"
#include "store/s3_xml_internal.h"

namespace runlake::aws {
namespace {

std::string SessionName(const AssumeRoleParams& p) {
  if (!p.session_name.empty()) return p.session_name;
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::system_clock::now().time_since_epoch());
  return "runlake-" + std::to_string(secs.count());
}

Result<Credentials> Call(const std::string& action, const StsEndpoint& sts, HttpCall call,
                         const std::string& role_arn) {
  std::string what = "STS " + action + " of role '" + role_arn + "' at " + UrlForMessages(sts.url);
  call.method = "POST";
  call.url = sts.url;
  while (!call.url.empty() && call.url.back() == '/') call.url.pop_back();
  call.url += "/";
  call.headers.push_back("Content-Type: application/x-www-form-urlencoded; charset=utf-8");
  call.headers.push_back("Accept: application/xml");
  Result<HttpReply> reply = HttpSend(call);
  if (!reply.ok()) return reply.status().WithContext(what);
  if (reply->status < 200 || reply->status >= 300) {
    s3::ErrorInfo err = s3::ParseStsError(reply->body);
    std::string msg = what + ": HTTP " + std::to_string(reply->status) +
                      (err.code.empty() ? "" : " " + err.code) +
                      (err.message.empty() ? "" : ": " + err.message);
    if (reply->status >= 500 || reply->status == 429) return Status::IOError(msg);
    return Status::FailedPrecondition(msg);
  }
  Result<s3::StsCredentialsXml> x = s3::ParseStsCredentials(reply->body);
  if (!x.ok()) return x.status().WithContext(what);
  Credentials c{x->access_key_id, x->secret_access_key, x->session_token, std::nullopt};
  c.expiration = ParseIso8601(x->expiration);
  if (!c.expiration) return Status::IOError(what + ": an Expiration that is not ISO 8601");
  return c;
}

}  // namespace

StsEndpoint ResolveStsEndpoint(const AwsEnv& env, const std::string& region) {
  std::string url = env.Get("AWS_ENDPOINT_URL_STS");
  if (url.empty()) url = env.Get("AWS_ENDPOINT_URL");
  if (url.empty()) url = "https://sts." + region + ".amazonaws.com";
  return StsEndpoint{url, region};
}

Result<Credentials> AssumeRole(const StsEndpoint& sts, const Credentials& source,
                               const AssumeRoleParams& params) {
  std::vector<std::pair<std::string, std::string>> form = {
      {"Action", "AssumeRole"},
      {"Version", "2011-06-15"},
      {"RoleArn", params.role_arn},
      {"RoleSessionName", SessionName(params)}};
  if (!params.external_id.empty()) form.emplace_back("ExternalId", params.external_id);
  if (params.duration_seconds) {
    form.emplace_back("DurationSeconds", std::to_string(*params.duration_seconds));
  }
  HttpCall call;
  call.body = FormEncode(form);
  call.sign_with = &source;
  call.sigv4_scope = "aws:amz:" + sts.region + ":sts";
  return Call("AssumeRole", sts, std::move(call), params.role_arn);
}

Result<Credentials> AssumeRoleWithWebIdentity(const StsEndpoint& sts,
                                              const AssumeRoleParams& params,
                                              const std::string& token) {
  std::vector<std::pair<std::string, std::string>> form = {
      {"Action", "AssumeRoleWithWebIdentity"},
      {"Version", "2011-06-15"},
      {"RoleArn", params.role_arn},
      {"RoleSessionName", SessionName(params)},
      {"WebIdentityToken", token}};
  if (params.duration_seconds) {
    form.emplace_back("DurationSeconds", std::to_string(*params.duration_seconds));
  }
  HttpCall call;
  call.body = FormEncode(form);
  return Call("AssumeRoleWithWebIdentity", sts, std::move(call), params.role_arn);
}

}  // namespace runlake::aws
