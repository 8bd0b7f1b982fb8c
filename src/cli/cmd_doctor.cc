// runlake doctor [--json]: where the lake's settings and credentials come from, and a live
// check of access. The work is DiagnoseLake (runlake/lake_doctor.h); this prints it.
// Exit 1 when a check failed. Nothing printed is a secret (provider, access key id and
// expiry only: the key id is what `aws configure list` shows, and what an oracle compares).

#include <iostream>

#include "cli/cli_context.h"
#include "runlake/lake_doctor.h"

namespace runlake::cli {
namespace {

nlohmann::json ReportJson(const LakeDoctorReport& r, const std::string& state) {
  nlohmann::json checks = nlohmann::json::array();
  for (const auto& c : r.checks) checks.push_back({{"name", c.name}, {"ok", c.ok}, {"message", c.message}});
  nlohmann::json j = {{"lake", r.lake}, {"state", state}, {"s3", nullptr}, {"credentials", nullptr},
                      {"checks", checks}, {"ok", r.ok()}};
  if (r.s3) {
    j["s3"] = {{"endpoint", r.endpoint},     {"endpoint_source", r.endpoint_source},
               {"region", r.region},         {"region_source", r.region_source},
               {"addressing", r.addressing}, {"addressing_source", r.addressing_source}};
    j["credentials"] = {{"provider", r.credentials_provider},
                        {"profile", r.credentials_profile.empty() ? nlohmann::json() : nlohmann::json(r.credentials_profile)},
                        {"access_key_id", r.credentials_access_key_id.empty() ? nlohmann::json() : nlohmann::json(r.credentials_access_key_id)},
                        {"expires_at", r.credentials_expires_at ? nlohmann::json(*r.credentials_expires_at) : nlohmann::json()}};
  }
  return j;
}

void PrintText(const LakeDoctorReport& r, const std::string& state) {
  auto line = [](const std::string& k, const std::string& v, const std::string& from = "") {
    std::cout << k << std::string(k.size() < 13 ? 13 - k.size() : 1, ' ') << v
              << (from.empty() ? "" : "  (from " + from + ")") << "\n";
  };
  line("lake", r.lake);
  line("state", state);
  if (r.s3 && !r.credentials_provider.empty()) {
    line("endpoint", r.endpoint, r.endpoint_source);
    line("region", r.region, r.region_source);
    line("addressing", r.addressing, r.addressing_source);
    line("credentials", r.credentials_provider);
    if (!r.credentials_access_key_id.empty()) line("access key", r.credentials_access_key_id);
    line("expires", r.credentials_expires_at.value_or("never (long-term keys)"));
  }
  for (const auto& c : r.checks) {
    std::cout << (c.ok ? "ok    " : "FAIL  ") << c.name << ": " << c.message << "\n";
  }
}

}  // namespace

void RegisterDoctor(CLI::App& app, CliContext& ctx, int& exit_code) {
  auto* cmd = app.add_subcommand("doctor", "Where settings and credentials come from; live checks "
                                           "(list, put-if-absent and delete a scratch key)");
  cmd->callback(ctx.Handle(exit_code, [&ctx, &exit_code]() -> Status {
    LakeDoctorReport r = DiagnoseLake(ctx.lake_uri);
    if (!r.ok()) exit_code = kExitFailed;
    if (ctx.json) {
      ctx.PrintJson(ReportJson(r, ctx.StateUri()));
    } else {
      PrintText(r, ctx.StateUri());
    }
    return Status::OK();
  }));
}

}  // namespace runlake::cli
