#include "cli/cli_context.h"

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "common/sha256.h"

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

Result<ObjectStore*> CliContext::Store() {
  if (!store_) {
    RUNLAKE_ASSIGN_OR_RAISE(store_, OpenObjectStore(lake_uri));
  }
  return store_.get();
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
  return ExitCodeFor(st);
}

void CliContext::PrintJson(const nlohmann::json& j) const { std::cout << j.dump(2) << "\n"; }

}  // namespace runlake::cli
