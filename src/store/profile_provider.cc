// One profile's provider (see credential_chain.h), with source_profile chains followed
// and loop-checked. Every error names the file, the profile and the key at fault.

#include <algorithm>
#include <charconv>
#include <vector>

#include "store/credential_chain.h"
#include "store/credential_providers.h"

namespace runlake::aws {
namespace {

using Ptr = std::unique_ptr<CredentialsProvider>;

class Builder {
 public:
  Builder(const AwsEnv& env, const AwsProfiles& profiles) : env_(env), p_(profiles) {}

  Result<Ptr> Build(const std::string& name, std::vector<std::string> path) {
    if (!p_.Find(name)) {
      std::string via = path.empty() ? "" : " (source_profile of profile '" + path.back() + "' in " +
                                                p_.Where(path.back(), "source_profile") + ")";
      return Status::InvalidArgument("AWS profile '" + name + "' not found in the config file '" +
                                     p_.config_path + "' or the credentials file '" +
                                     p_.credentials_path + "'" + via);
    }
    path.push_back(name);
    if (Has(name, "role_arn")) return AssumeRoleFor(name, path);
    if (Has(name, "sso_session") || Has(name, "sso_start_url")) return Sso(name);
    bool keys = Has(name, "aws_access_key_id") || Has(name, "aws_secret_access_key");
    bool keys_in_credentials_file = keys && FileOf(name, "aws_access_key_id") == p_.credentials_path;
    if (keys_in_credentials_file) return StaticKeys(name);
    if (Has(name, "credential_process")) {
      return NewProcessProvider(name, p_.Get(name, "credential_process"));
    }
    if (keys) return StaticKeys(name);
    return Status::NotFound("AWS profile '" + name + "' in " + p_.Where(name, "") +
                            " has no credentials (aws_access_key_id, role_arn, sso_session, "
                            "credential_process)");
  }

 private:
  bool Has(const std::string& name, const std::string& key) const {
    return !p_.Get(name, key).empty();
  }
  std::string FileOf(const std::string& name, const std::string& key) const {
    const Profile* pr = p_.Find(name);
    auto it = pr ? pr->find(key) : Profile::const_iterator();
    return pr && it != pr->end() ? it->second.file : "";
  }
  Status Bad(const std::string& name, const std::string& key, const std::string& what) const {
    return Status::InvalidArgument("AWS profile '" + name + "' in " + p_.Where(name, key) +
                                   ", key '" + key + "': " + what);
  }

  Result<Ptr> StaticKeys(const std::string& name) {
    Credentials c{p_.Get(name, "aws_access_key_id"), p_.Get(name, "aws_secret_access_key"),
                  p_.Get(name, "aws_session_token"), std::nullopt};
    if (c.access_key_id.empty()) return Bad(name, "aws_access_key_id", "missing (aws_secret_access_key is set)");
    if (c.secret_access_key.empty()) return Bad(name, "aws_secret_access_key", "missing (aws_access_key_id is set)");
    return Ptr(std::make_unique<StaticProvider>("profile:" + name, std::move(c), name));
  }

  Result<Ptr> AssumeRoleFor(const std::string& name, const std::vector<std::string>& path) {
    AssumeRoleParams params{p_.Get(name, "role_arn"), p_.Get(name, "role_session_name"),
                            p_.Get(name, "external_id"), std::nullopt};
    if (Has(name, "duration_seconds")) {
      std::string d = p_.Get(name, "duration_seconds");
      int v = 0;
      auto [end, ec] = std::from_chars(d.data(), d.data() + d.size(), v);
      if (ec != std::errc() || end != d.data() + d.size() || v < 900 || v > 43200) {
        return Bad(name, "duration_seconds", "not a whole number of seconds in 900..43200");
      }
      params.duration_seconds = v;
    }
    StsEndpoint sts = ResolveStsEndpoint(env_, ResolveRegion(env_, p_, path.front()));
    bool source = Has(name, "source_profile"), cred_source = Has(name, "credential_source");
    if (source && cred_source) {
      return Bad(name, "credential_source", "set together with source_profile (choose one)");
    }
    if (!source && !cred_source) {
      if (Has(name, "web_identity_token_file")) {
        return NewWebIdentityProvider("web-identity", name, sts, std::move(params),
                                      env_.ExpandHome(p_.Get(name, "web_identity_token_file")));
      }
      return Bad(name, "role_arn",
                 "needs source_profile, credential_source or web_identity_token_file");
    }
    Ptr src;
    if (cred_source) {
      RUNLAKE_ASSIGN_OR_RAISE(src, CredentialSource(name));
    } else {
      std::string from = p_.Get(name, "source_profile");
      if (std::find(path.begin(), path.end(), from) != path.end() &&
          !(from == name && Has(name, "aws_access_key_id"))) {
        std::string chain;
        for (const auto& n : path) chain += n + " -> ";
        return Bad(name, "source_profile", "a loop of profiles: " + chain + from);
      }
      if (from == name) {  // a role assumed with the profile's own static keys
        RUNLAKE_ASSIGN_OR_RAISE(src, StaticKeys(name));
      } else {
        Result<Ptr> built = Build(from, path);
        if (!built.ok() && built.status().IsNotFound()) {
          return Bad(name, "source_profile", built.status().message());
        }
        RUNLAKE_ASSIGN_OR_RAISE(src, std::move(built));
      }
    }
    return NewAssumeRoleProvider(name, std::move(sts), std::move(params), std::move(src));
  }

  Result<Ptr> CredentialSource(const std::string& name) {
    std::string s = p_.Get(name, "credential_source");
    if (s == "Environment") {
      RUNLAKE_ASSIGN_OR_RAISE(std::optional<Credentials> c, EnvCredentials(env_));
      if (!c) return Bad(name, "credential_source", "Environment, but AWS_ACCESS_KEY_ID is not set");
      return Ptr(std::make_unique<StaticProvider>("env", std::move(*c)));
    }
    if (s == "EcsContainer") {
      RUNLAKE_ASSIGN_OR_RAISE(std::optional<ContainerSettings> c, ContainerSettingsFromEnv(env_));
      if (!c) {
        return Bad(name, "credential_source",
                   "EcsContainer, but AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI is not set");
      }
      return NewContainerProvider(std::move(*c));
    }
    if (s == "Ec2InstanceMetadata") return NewImdsProvider(ImdsSettingsFromEnv(env_));
    return Bad(name, "credential_source",
               "'" + s + "' is not Environment, EcsContainer or Ec2InstanceMetadata");
  }

  Result<Ptr> Sso(const std::string& name) {
    SsoSettings s;
    s.profile = name;
    s.account_id = p_.Get(name, "sso_account_id");
    s.role_name = p_.Get(name, "sso_role_name");
    if (Has(name, "sso_session")) {
      s.session_name = p_.Get(name, "sso_session");
      auto it = p_.sso_sessions.find(s.session_name);
      if (it == p_.sso_sessions.end()) {
        return Bad(name, "sso_session", "no [sso-session " + s.session_name + "] in '" +
                                            p_.config_path + "'");
      }
      auto get = [&](const char* k) {
        auto v = it->second.find(k);
        return v == it->second.end() ? std::string() : v->second.value;
      };
      s.start_url = get("sso_start_url");
      s.sso_region = get("sso_region");
      if (s.start_url.empty() || s.sso_region.empty()) {
        return Status::InvalidArgument("[sso-session " + s.session_name + "] in '" +
                                       p_.config_path + "': sso_start_url and sso_region are required");
      }
    } else {
      s.start_url = p_.Get(name, "sso_start_url");
      s.sso_region = p_.Get(name, "sso_region");
      if (s.sso_region.empty()) return Bad(name, "sso_region", "missing (sso_start_url is set)");
    }
    if (s.account_id.empty()) return Bad(name, "sso_account_id", "missing for an SSO profile");
    if (s.role_name.empty()) return Bad(name, "sso_role_name", "missing for an SSO profile");
    s.cache_dir = env_.ExpandHome("~/.aws/sso/cache");
    s.portal_url = env_.Has("AWS_ENDPOINT_URL_SSO")
                       ? env_.Get("AWS_ENDPOINT_URL_SSO")
                       : "https://portal.sso." + s.sso_region + ".amazonaws.com";
    while (!s.portal_url.empty() && s.portal_url.back() == '/') s.portal_url.pop_back();
    return NewSsoProvider(std::move(s));
  }

  const AwsEnv& env_;
  const AwsProfiles& p_;
};

}  // namespace

Result<std::unique_ptr<CredentialsProvider>> ProfileProvider(const AwsEnv& env,
                                                             const AwsProfiles& profiles,
                                                             const std::string& profile) {
  return Builder(env, profiles).Build(profile, {});
}

}  // namespace runlake::aws
