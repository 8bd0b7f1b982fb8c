#include "cli/cli_context.h"

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "common/clock.h"
#include "common/sha256.h"
#include "runlake/version.h"

namespace runlake::cli {

int ExitCodeFor(const Status& st) {
  switch (st.code()) {
    case StatusCode::kOk: return kExitOk;
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kCorruption: return kExitBadInput;
    default: return kExitFailed;
  }
}

Result<ObjectStore*> CliContext::OpenStore() {
  if (!store_) {
    RUNLAKE_ASSIGN_OR_RAISE(store_, OpenObjectStore(lake_uri));
  }
  return store_.get();
}

namespace {
constexpr const char* kLakeMarker = "_lake.json";
}

Result<ObjectStore*> CliContext::Store() {
  RUNLAKE_ASSIGN_OR_RAISE(ObjectStore * store, OpenStore());
  if (lake_checked_ || lake_uri.rfind("mem://", 0) == 0) return store;
  std::error_code ec;
  std::string local = lake_uri.rfind("file://", 0) == 0 ? lake_uri.substr(7) : lake_uri;
  if (lake_uri.find("://") == std::string::npos || lake_uri.rfind("file://", 0) == 0) {
    if (std::filesystem::exists(local, ec) && !std::filesystem::is_directory(local, ec)) {
      return Status::InvalidArgument(lake_uri + " is a file, not a runlake lake (run `runlake init` on a directory)");
    }
  }
  RUNLAKE_ASSIGN_OR_RAISE(auto marker, store->Head(kLakeMarker));
  if (!marker) {
    return Status::InvalidArgument("not a runlake lake: " + lake_uri + " has no " + kLakeMarker +
                                   " (run `runlake init`, or pass the lake with --lake or $RUNLAKE_LAKE)");
  }
  lake_checked_ = true;
  return store;
}

Result<bool> CliContext::CreateLake() {
  RUNLAKE_ASSIGN_OR_RAISE(ObjectStore * store, OpenStore());
  nlohmann::json marker = {{"format", "runlake-lake"}, {"version", kLakeFormatVersion}, {"created_at", NowIso8601Utc()}};
  Status st = store->PutIfAbsent(kLakeMarker, marker.dump(2) + "\n");
  if (!st.ok() && !st.IsAlreadyExists()) return st;
  lake_checked_ = true;
  return st.ok();
}

std::string CliContext::LakeBucket() const {
  if (lake_uri.rfind("s3://", 0) != 0) return "";
  std::string rest = lake_uri.substr(5);
  return rest.substr(0, rest.find('/'));
}

// The default state store sits in the lake's own _state/ folder for a local lake (one
// folder to copy or delete), and under ~/.local/state/runlake/ for a remote one.
std::string CliContext::DefaultStatePath() const {
  if (lake_uri.rfind("s3://", 0) == 0 || lake_uri.rfind("mem://", 0) == 0) {
    const char* home = std::getenv("HOME");
    std::string base = std::getenv("XDG_STATE_HOME") ? std::getenv("XDG_STATE_HOME")
                                                     : std::string(home ? home : "/tmp") + "/.local/state";
    return base + "/runlake/" + Sha256::Of(lake_uri).substr(0, 16) + "/runlake.sqlite";
  }
  std::string path = lake_uri.rfind("file://", 0) == 0 ? lake_uri.substr(7) : lake_uri;
  return path + "/_state/runlake.sqlite";
}

std::string CliContext::StateUri() const { return state_uri.empty() ? DefaultStatePath() : state_uri; }

bool CliContext::StateIsPostgres() const { return IsPostgresStateUri(StateUri()); }

Result<StateStore*> CliContext::State() {
  if (!state_) {
    // The default state lives inside the lake: never create it in a folder that is not one.
    if (state_uri.empty()) RUNLAKE_RETURN_NOT_OK(Store().status());
    RUNLAKE_ASSIGN_OR_RAISE(state_, OpenStateStore(StateUri()));
  }
  return state_.get();
}

Result<std::string> CliContext::LogDir() {
  std::string path = IsPostgresStateUri(StateUri()) ? DefaultStatePath() : StateUri();
  if (path.rfind("sqlite://", 0) == 0) path = path.substr(9);
  return (std::filesystem::path(path).parent_path() / "logs").string();
}

int CliContext::Fail(const Status& st) const {
  std::cerr << "runlake: " << st.message() << "\n";
  // With --json a script reads stdout: it gets the error there too, as JSON.
  if (json) PrintJsonError(st.message(), StatusCodeName(st.code()), ExitCodeFor(st));
  return ExitCodeFor(st);
}

void PrintJsonError(const std::string& message, const std::string& code, int exit_code) {
  std::cout << nlohmann::json{{"error", {{"message", message}, {"code", code}, {"exit_code", exit_code}}}}.dump(2)
            << "\n";
}

void CliContext::PrintJson(const nlohmann::json& j) const { std::cout << j.dump(2) << "\n"; }

}  // namespace runlake::cli
