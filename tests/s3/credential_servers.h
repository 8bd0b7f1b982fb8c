#pragma once
// Loopback stand-ins for the services AWS runs on link-local addresses (they cannot exist
// here): the ECS/EKS container credentials endpoint, EC2's IMDSv2 and the SSO portal. Each
// hands out the temporary credentials it was given (RGW's, from AssumeRole) and refuses a
// request without its token, as the real ones do; each counts what it served and refused.

#include <httplib.h>

#include <atomic>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "s3/aws_credentials_fixture.h"

namespace runlake::it {

// An httplib server on 127.0.0.1, an ephemeral port, served from its own thread.
class LoopbackServer {
 public:
  LoopbackServer() = default;
  ~LoopbackServer() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int served() const { return served_.load(); }
  int refused() const { return refused_.load(); }

 protected:
  // Call once the handlers are set: bind_to_any_port listens already, so a client that
  // connects before the thread accepts waits in the backlog.
  void Start(int port = 0) {
    if (port == 0) {
      port_ = server_.bind_to_any_port("127.0.0.1");
    } else if (server_.bind_to_port("127.0.0.1", port)) {
      port_ = port;
    }
    if (port_ <= 0) throw std::runtime_error("cannot bind a loopback port");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  void Refuse(httplib::Response& res, int status) {
    ++refused_;
    res.status = status;
    res.set_content("{\"message\":\"refused\"}", "application/json");
  }
  void Serve(httplib::Response& res, const std::string& body) {
    ++served_;
    res.set_content(body, "application/json");
  }

  httplib::Server server_;

 private:
  int port_ = 0;
  std::thread thread_;
  std::atomic<int> served_{0}, refused_{0};
};

// AWS_CONTAINER_CREDENTIALS_FULL_URI = url() + "/v2/credentials": the Authorization header
// must be `token`.
class ContainerCredentialsServer : public LoopbackServer {
 public:
  ContainerCredentialsServer(const TempCreds& c, std::string token) : token_(std::move(token)) {
    nlohmann::json j = {{"AccessKeyId", c.access_key_id}, {"SecretAccessKey", c.secret_access_key},
                        {"Token", c.session_token},       {"Expiration", c.expiration},
                        {"RoleArn", "arn:aws:iam:::role/runlake-test-role"}};
    body_ = j.dump();
    server_.Get("/v2/credentials", [this](const httplib::Request& req, httplib::Response& res) {
      if (req.get_header_value("Authorization") != token_) return Refuse(res, 401);
      Serve(res, body_);
    });
    Start();
  }
  std::string credentials_url() const { return url() + "/v2/credentials"; }

 private:
  std::string token_, body_;
};

// AWS_EC2_METADATA_SERVICE_ENDPOINT = url(): IMDSv2 only. A PUT of /latest/api/token with a
// TTL header gets a session token; the role name and its credentials need that token
// (an IMDSv1 GET without it is refused with 401, as on an instance that requires v2).
class ImdsServer : public LoopbackServer {
 public:
  explicit ImdsServer(const TempCreds& c) {
    nlohmann::json j = {{"Code", "Success"},
                        {"LastUpdated", IsoIn(0)},
                        {"Type", "AWS-HMAC"},
                        {"AccessKeyId", c.access_key_id},
                        {"SecretAccessKey", c.secret_access_key},
                        {"Token", c.session_token},
                        {"Expiration", c.expiration}};
    body_ = j.dump();
    server_.Put("/latest/api/token", [this](const httplib::Request& req, httplib::Response& res) {
      if (req.get_header_value("X-aws-ec2-metadata-token-ttl-seconds").empty()) {
        return Refuse(res, 400);
      }
      res.set_content(kSessionToken, "text/plain");
    });
    const std::string base = "/latest/meta-data/iam/security-credentials/";
    server_.Get(base, [this](const httplib::Request& req, httplib::Response& res) {
      if (!HasToken(req)) return Refuse(res, 401);
      res.set_content(kRole, "text/plain");
    });
    server_.Get(base + kRole, [this](const httplib::Request& req, httplib::Response& res) {
      if (!HasToken(req)) return Refuse(res, 401);
      Serve(res, body_);
    });
    Start();
  }

 private:
  static constexpr const char* kSessionToken = "imds-session-token-for-tests";
  static constexpr const char* kRole = "runlake-test-instance-role";
  static bool HasToken(const httplib::Request& req) {
    return req.get_header_value("X-aws-ec2-metadata-token") == kSessionToken;
  }
  std::string body_;
};

// AWS_ENDPOINT_URL_SSO = url(): GetRoleCredentials for one account and role, with the
// bearer token from the SSO token cache.
class SsoPortalServer : public LoopbackServer {
 public:
  SsoPortalServer(const TempCreds& c, std::string access_token, std::string account,
                  std::string role)
      : token_(std::move(access_token)), account_(std::move(account)), role_(std::move(role)) {
    auto expires_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch() + std::chrono::minutes(14))
                          .count();
    nlohmann::json j = {{"roleCredentials",
                         {{"accessKeyId", c.access_key_id},
                          {"secretAccessKey", c.secret_access_key},
                          {"sessionToken", c.session_token},
                          {"expiration", expires_ms}}}};
    body_ = j.dump();
    server_.Get("/federation/credentials", [this](const httplib::Request& req,
                                                  httplib::Response& res) {
      if (req.get_header_value("x-amz-sso_bearer_token") != token_) return Refuse(res, 401);
      if (req.get_param_value("account_id") != account_ || req.get_param_value("role_name") != role_) {
        return Refuse(res, 403);
      }
      Serve(res, body_);
    });
    Start();
  }

 private:
  std::string token_, account_, role_, body_;
};

// The OpenID provider scripts/s3-server.sh registered with RGW (RUNLAKE_TEST_S3_OIDC_ISSUER,
// on a fixed port): its discovery document and a JWKS whose x5c is the registered
// certificate (`x5c_der_base64`). RGW fetches both at every AssumeRoleWithWebIdentity.
class OidcServer : public LoopbackServer {
 public:
  OidcServer(const std::string& issuer, const std::string& x5c_der_base64) {
    nlohmann::json discovery = {{"issuer", issuer}, {"jwks_uri", issuer + "/jwks"}};
    nlohmann::json jwks = {{"keys",
                            {{{"kty", "RSA"}, {"use", "sig"}, {"alg", "RS256"}, {"kid", "runlake-test"},
                              {"x5c", {x5c_der_base64}}}}}};
    discovery_ = discovery.dump();
    jwks_ = jwks.dump();
    server_.Get("/.well-known/openid-configuration",
                [this](const httplib::Request&, httplib::Response& res) { Serve(res, discovery_); });
    server_.Get("/jwks", [this](const httplib::Request&, httplib::Response& res) { Serve(res, jwks_); });
    Start(std::stoi(issuer.substr(issuer.rfind(':') + 1)));
  }

 private:
  std::string discovery_, jwks_;
};

// An S3, STS and SSO endpoint that refuses everything with 403 AccessDenied: where the
// oracle test points AWS_ENDPOINT_URL, so credentials are chosen (and fetched from local
// sources) but nothing leaves this machine and nothing is granted.
class DenyAllServer : public LoopbackServer {
 public:
  DenyAllServer() {
    auto deny = [this](const httplib::Request&, httplib::Response& res) {
      Refuse(res, 403);
      res.set_content("<Error><Code>AccessDenied</Code><Message>denied</Message></Error>",
                      "application/xml");
    };
    server_.Get(".*", deny);
    server_.Put(".*", deny);
    server_.Post(".*", deny);
    server_.Delete(".*", deny);
    Start();
  }
};

}  // namespace runlake::it
