// runlake doctor's store side (see runlake/lake_doctor.h). The settings are resolved by
// the same functions S3ConfigFromUri uses, so what doctor says is what a run does; the
// sources are read again here only to name them.

#include "runlake/lake_doctor.h"

#include <unistd.h>

#include <chrono>
#include <random>

#include "runlake/object_store.h"
#include "store/aws_env.h"
#include "store/aws_profiles.h"
#include "store/credentials_refresher.h"
#include "store/s3_client_internal.h"

namespace runlake {
namespace {

void Check(LakeDoctorReport& r, const std::string& name, const Status& st, const std::string& ok) {
  r.checks.push_back(DoctorCheck{name, st.ok(), st.ok() ? ok : st.message()});
}

void NameS3Sources(LakeDoctorReport& r, const S3Config& c) {
  aws::AwsEnv env = aws::AwsEnv::FromProcess();
  std::string profile = aws::SelectedProfileName(env);
  Result<aws::AwsProfiles> profiles = aws::LoadAwsProfiles(env);
  r.endpoint = c.endpoint.empty() ? "https://s3." + c.region + ".amazonaws.com" : c.endpoint;
  r.endpoint_source = env.Has("AWS_ENDPOINT_URL_S3") ? "AWS_ENDPOINT_URL_S3"
                      : env.Has("AWS_ENDPOINT_URL")  ? "AWS_ENDPOINT_URL"
                                                     : "aws";
  r.region = c.region;
  r.region_source = env.Has("AWS_REGION")           ? "AWS_REGION"
                    : env.Has("AWS_DEFAULT_REGION") ? "AWS_DEFAULT_REGION"
                    : profiles.ok() && !profiles->Get(profile, "region").empty()
                        ? "profile:" + profile
                        : "default";
  r.addressing = s3::UsePathStyle(c) ? "path" : "virtual";
  r.addressing_source =
      env.Has("RUNLAKE_S3_ADDRESSING") ? "RUNLAKE_S3_ADDRESSING"
      : profiles.ok() && !profiles->Get(profile, "s3.addressing_style").empty()
          ? "profile:" + profile + " s3.addressing_style"
          : "auto";
}

std::string ScratchKey() {
  std::mt19937_64 rng{std::random_device{}()};
  char host[64] = "host";
  ::gethostname(host, sizeof(host) - 1);
  return "_doctor/" + std::string(host) + "-" + std::to_string(::getpid()) + "-" +
         std::to_string(rng() % 1000000000);
}

}  // namespace

LakeDoctorReport DiagnoseLake(const std::string& lake_uri) {
  LakeDoctorReport r;
  r.lake = lake_uri;
  std::unique_ptr<ObjectStore> store;
  if (lake_uri.rfind("s3://", 0) == 0) {
    r.s3 = true;
    Result<S3Config> config = S3ConfigFromUri(lake_uri);
    Check(r, "settings", config.status(), "endpoint, region, addressing and credentials resolved");
    if (!config.ok()) return r;
    NameS3Sources(r, *config);
    r.credentials_provider = config->credentials->ProviderName();
    r.credentials_profile = config->credentials->ProviderProfile();
    Result<aws::Credentials> creds = config->credentials->Get();
    Check(r, "credentials", creds.status(), "fetched from " + r.credentials_provider);
    if (!creds.ok()) return r;
    r.credentials_access_key_id = creds->access_key_id;
    if (creds->expiration) r.credentials_expires_at = aws::FormatIso8601(*creds->expiration);
    store = NewS3ObjectStore(*config);
  } else {
    Result<std::unique_ptr<ObjectStore>> opened = OpenObjectStore(lake_uri);
    Check(r, "settings", opened.status(), "lake opened");
    if (!opened.ok()) return r;
    store = std::move(*opened);
  }
  Result<std::vector<ObjectInfo>> listed = store->List("_doctor/");
  Check(r, "list", listed.status(), "listed " + store->uri() + "/_doctor/");
  std::string key = ScratchKey();
  Status put = store->PutIfAbsent(key, "runlake doctor scratch object\n");
  Check(r, "put_if_absent", put, "wrote " + key);
  if (put.ok()) Check(r, "delete", store->Delete(key), "deleted " + key);
  return r;
}

}  // namespace runlake
