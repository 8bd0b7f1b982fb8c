#pragma once
// What `runlake doctor` reports: where the lake's settings come from (endpoint, region,
// addressing, credentials provider and expiry for an s3:// lake) and a live check of
// access (list, put-if-absent and delete of one scratch key under `_doctor/`). Nothing
// in it is a secret: credentials appear as their provider, access key id and expiry only
// (the key id names an identity, as `aws configure list` shows it; it signs nothing alone).

#include <optional>
#include <string>
#include <vector>

#include "runlake/status.h"

namespace runlake {

struct DoctorCheck {
  std::string name;  // "settings", "credentials", "list", "put_if_absent", "delete"
  bool ok = false;
  std::string message;
};

struct LakeDoctorReport {
  std::string lake;  // the URI
  bool s3 = false;   // the fields below are set for an s3:// lake only
  std::string endpoint, endpoint_source;      // "" + "aws" when AWS itself
  std::string region, region_source;          // "AWS_REGION", "profile:dev", "default"
  std::string addressing, addressing_source;  // "path" / "virtual"; "auto", "RUNLAKE_S3_ADDRESSING", ...
  std::string credentials_provider;           // "env", "profile:dev", "assume-role:prod", ...
  std::string credentials_profile;            // "" when the provider reads none
  std::string credentials_access_key_id;      // "" until the credentials were fetched
  std::optional<std::string> credentials_expires_at;  // ISO 8601; nullopt for long-term keys
  std::vector<DoctorCheck> checks;

  bool ok() const {
    for (const auto& c : checks) {
      if (!c.ok) return false;
    }
    return true;
  }
};

// Resolves the lake's settings and runs the live checks. Never fails as a call: every
// problem (a bad AWS file, no credentials, access denied) is a failed check naming it.
LakeDoctorReport DiagnoseLake(const std::string& lake_uri);

}  // namespace runlake
