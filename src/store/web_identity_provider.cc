// Web identity (EKS IRSA): the token file is re-read at every fetch because the kubelet
// rotates it in place.

#include "store/credential_providers.h"

namespace runlake::aws {
namespace {

class WebIdentityProvider : public CredentialsProvider {
 public:
  WebIdentityProvider(std::string name, std::string profile, StsEndpoint sts,
                      AssumeRoleParams params, std::string token_file)
      : name_(std::move(name)), profile_(std::move(profile)), sts_(std::move(sts)),
        params_(std::move(params)), token_file_(std::move(token_file)) {}
  std::string Name() const override { return name_; }
  std::string Profile() const override { return profile_; }

  Result<Credentials> Fetch() override {
    Result<std::string> token = ReadSmallFile(token_file_, "web identity token file");
    if (!token.ok()) return token.status().WithContext(name_);
    std::string t = *token;
    while (!t.empty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' ')) t.pop_back();
    if (t.empty()) {
      return Status::FailedPrecondition(name_ + ": web identity token file '" + token_file_ +
                                        "' is empty");
    }
    return AssumeRoleWithWebIdentity(sts_, params_, t);
  }

 private:
  std::string name_, profile_;
  StsEndpoint sts_;
  AssumeRoleParams params_;
  std::string token_file_;
};

}  // namespace

std::unique_ptr<CredentialsProvider> NewWebIdentityProvider(std::string name, std::string profile,
                                                            StsEndpoint sts,
                                                            AssumeRoleParams params,
                                                            std::string token_file) {
  return std::make_unique<WebIdentityProvider>(std::move(name), std::move(profile),
                                               std::move(sts), std::move(params),
                                               std::move(token_file));
}

}  // namespace runlake::aws
