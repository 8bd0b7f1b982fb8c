#include "store/credentials_json.h"

#include <nlohmann/json.hpp>

namespace runlake::aws {

Result<Credentials> CredentialsFromJson(const std::string& body, const std::string& what) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return Status::IOError(what + ": the answer is not a JSON object");
  auto str = [&](const char* key) -> std::string {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  Credentials c;
  c.access_key_id = str("AccessKeyId");
  c.secret_access_key = str("SecretAccessKey");
  c.session_token = str("SessionToken");
  if (c.session_token.empty()) c.session_token = str("Token");
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    return Status::IOError(what + ": the answer lacks AccessKeyId or SecretAccessKey");
  }
  std::string exp = str("Expiration");
  if (!exp.empty()) {
    c.expiration = ParseIso8601(exp);
    if (!c.expiration) return Status::IOError(what + ": Expiration is not an ISO 8601 time");
  }
  return c;
}

}  // namespace runlake::aws
