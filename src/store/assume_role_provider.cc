// A profile's role_arn: STS AssumeRole signed with the source profile's (or the
// credential_source's) credentials, fetched afresh for each assumption because the source
// may itself be temporary.

#include "store/credential_providers.h"

namespace runlake::aws {
namespace {

class AssumeRoleProvider : public CredentialsProvider {
 public:
  AssumeRoleProvider(std::string profile, StsEndpoint sts, AssumeRoleParams params,
                     std::unique_ptr<CredentialsProvider> source)
      : profile_(std::move(profile)), sts_(std::move(sts)), params_(std::move(params)),
        source_(std::move(source)) {}
  std::string Name() const override { return "assume-role:" + profile_; }
  std::string Profile() const override { return profile_; }

  Result<Credentials> Fetch() override {
    Result<Credentials> source = source_->Fetch();
    if (!source.ok()) {
      return source.status().WithContext("profile '" + profile_ + "': source credentials (" +
                                         source_->Name() + ")");
    }
    Result<Credentials> c = AssumeRole(sts_, *source, params_);
    if (!c.ok()) return c.status().WithContext("profile '" + profile_ + "'");
    return c;
  }

 private:
  std::string profile_;
  StsEndpoint sts_;
  AssumeRoleParams params_;
  std::unique_ptr<CredentialsProvider> source_;
};

}  // namespace

std::unique_ptr<CredentialsProvider> NewAssumeRoleProvider(
    std::string profile, StsEndpoint sts, AssumeRoleParams params,
    std::unique_ptr<CredentialsProvider> source) {
  return std::make_unique<AssumeRoleProvider>(std::move(profile), std::move(sts),
                                              std::move(params), std::move(source));
}

}  // namespace runlake::aws
