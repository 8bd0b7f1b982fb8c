// LakeSession: what opening a lake means (lake_session.h). Moved out of the CLI so the
// dashboard, tests and any other front end open a lake exactly as `runlake` does.

#include "runlake/lake_session.h"

#include <cstdlib>
#include <filesystem>
#include <optional>

#include <nlohmann/json.hpp>

#include "common/sha256.h"
#include "runlake/clock.h"
#include "runlake/version.h"

namespace runlake {

Result<ObjectStore*> LakeSession::OpenStore() {
  if (!store_) {
    RUNLAKE_ASSIGN_OR_RAISE(store_, OpenObjectStore(lake_uri));
  }
  return store_.get();
}

namespace {
constexpr const char* kLakeMarker = "_lake.json";
}

Result<ObjectStore*> LakeSession::Store() {
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

namespace {

namespace fs = std::filesystem;

// The lake's folder for a plain path or file:// URI; nullopt for other schemes.
std::optional<std::string> LocalLakePath(const std::string& uri) {
  if (uri.rfind("file://", 0) == 0) return uri.substr(7);
  if (uri.find("://") != std::string::npos) return std::nullopt;
  return uri;
}

// A lake inside another would mix the two (the outer one's readers list the inner one's
// objects as its own): `runlake --lake lake/_runs init` is a slip, not a wish.
Status RefuseLocalNesting(const std::string& path) {
  std::error_code ec;
  fs::path target = fs::weakly_canonical(fs::absolute(path, ec), ec);
  if (ec) return Status::OK();  // the store's own open or write reports the real problem
  for (fs::path dir = target.parent_path(); !dir.empty(); dir = dir.parent_path()) {
    if (fs::is_regular_file(dir / kLakeMarker, ec)) {
      return Status::InvalidArgument(target.string() + " is inside the lake " + dir.string() +
                                     ": refusing to create a lake inside a lake (use --lake " +
                                     dir.string() + ", or a folder outside it)");
    }
    if (dir == dir.parent_path()) break;
  }
  // The other way round, one level down only (cheap): `runlake --lake . init` beside ./lake.
  for (fs::directory_iterator it(target, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_directory(ec) && fs::is_regular_file(it->path() / kLakeMarker, ec)) {
      return Status::InvalidArgument(target.string() + " holds the lake " + it->path().string() +
                                     ": refusing to create a lake around a lake (use --lake " +
                                     it->path().string() + ")");
    }
  }
  return Status::OK();
}

// The same for s3://bucket/a/b: no a/_lake.json nor _lake.json in the bucket.
Status RefuseS3Nesting(const std::string& uri) {
  std::string rest = uri.substr(5);
  size_t slash = rest.find('/');
  std::string bucket = rest.substr(0, slash);
  std::string prefix = slash == std::string::npos ? "" : rest.substr(slash + 1);
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  if (prefix.empty()) return Status::OK();
  RUNLAKE_ASSIGN_OR_RAISE(S3Config config, S3ConfigFromUri("s3://" + bucket));
  auto root = NewS3ObjectStore(config);
  while (!prefix.empty()) {
    size_t cut = prefix.rfind('/');
    prefix = cut == std::string::npos ? "" : prefix.substr(0, cut);
    std::string key = (prefix.empty() ? "" : prefix + "/") + kLakeMarker;
    RUNLAKE_ASSIGN_OR_RAISE(auto marker, root->Head(key));
    if (!marker) continue;
    std::string outer = "s3://" + bucket + (prefix.empty() ? "" : "/" + prefix);
    return Status::InvalidArgument(uri + " is inside the lake " + outer +
                                   ": refusing to create a lake inside a lake (use --lake " + outer + ")");
  }
  return Status::OK();
}

Status RefuseNesting(const std::string& uri) {
  if (auto local = LocalLakePath(uri)) return RefuseLocalNesting(*local);
  if (uri.rfind("s3://", 0) == 0) return RefuseS3Nesting(uri);
  return Status::OK();
}

}  // namespace

Result<bool> LakeSession::CreateLake() {
  RUNLAKE_ASSIGN_OR_RAISE(ObjectStore * store, OpenStore());
  // An existing lake is left as it is, without a write: a lake this user may only read
  // stays usable, and an old lake inside another (made before this check) still opens.
  RUNLAKE_ASSIGN_OR_RAISE(auto existing, store->Head(kLakeMarker));
  if (existing) {
    lake_checked_ = true;
    return false;
  }
  RUNLAKE_RETURN_NOT_OK(RefuseNesting(lake_uri));
  nlohmann::json marker = {{"format", "runlake-lake"}, {"version", kLakeFormatVersion}, {"created_at", NowIso8601Utc()}};
  Status st = store->PutIfAbsent(kLakeMarker, marker.dump(2) + "\n");
  if (!st.ok() && !st.IsAlreadyExists()) return st;
  lake_checked_ = true;
  return st.ok();
}

std::string LakeSession::LakeBucket() const {
  if (lake_uri.rfind("s3://", 0) != 0) return "";
  std::string rest = lake_uri.substr(5);
  return rest.substr(0, rest.find('/'));
}

// The default state store sits in the lake's own _state/ folder for a local lake (one
// folder to copy or delete), and under ~/.local/state/runlake/ for a remote one.
std::string LakeSession::DefaultStatePath() const {
  if (lake_uri.rfind("s3://", 0) == 0 || lake_uri.rfind("mem://", 0) == 0) {
    const char* home = std::getenv("HOME");
    std::string base = std::getenv("XDG_STATE_HOME") ? std::getenv("XDG_STATE_HOME")
                                                     : std::string(home ? home : "/tmp") + "/.local/state";
    return base + "/runlake/" + Sha256::Of(lake_uri).substr(0, 16) + "/runlake.sqlite";
  }
  std::string path = lake_uri.rfind("file://", 0) == 0 ? lake_uri.substr(7) : lake_uri;
  return path + "/_state/runlake.sqlite";
}

std::string LakeSession::StateUri() const { return state_uri.empty() ? DefaultStatePath() : state_uri; }

bool LakeSession::StateIsPostgres() const { return IsPostgresStateUri(StateUri()); }

Status LakeSession::CheckStatePath() const {
  if (state_uri.empty() || IsPostgresStateUri(state_uri)) return Status::OK();
  std::string path = state_uri.rfind("sqlite://", 0) == 0 ? state_uri.substr(9) : state_uri;
  if (path == ":memory:" || path.find("://") != std::string::npos) return Status::OK();
  std::filesystem::path folder = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (folder.empty() || std::filesystem::is_directory(folder, ec)) return Status::OK();
  // The default location named explicitly (scripts do) is still runlake's own choice.
  auto normal = [&](const std::string& p) { return std::filesystem::absolute(p, ec).lexically_normal(); };
  if (normal(path) == normal(DefaultStatePath())) return Status::OK();
  return Status::InvalidArgument("state store " + path + ": folder " + folder.string() +
                                 " does not exist (a mistyped --state or $RUNLAKE_STATE? create "
                                 "the folder first, or leave --state out for the default in the lake)");
}

Result<StateStore*> LakeSession::State() {
  if (!state_) {
    RUNLAKE_RETURN_NOT_OK(CheckStatePath());
    // The default state lives inside the lake: never create it in a folder that is not one.
    if (state_uri.empty()) RUNLAKE_RETURN_NOT_OK(Store().status());
    RUNLAKE_ASSIGN_OR_RAISE(state_, OpenStateStore(StateUri()));
  }
  return state_.get();
}

Result<std::string> LakeSession::LogDir() {
  std::string path = IsPostgresStateUri(StateUri()) ? DefaultStatePath() : StateUri();
  if (path.rfind("sqlite://", 0) == 0) path = path.substr(9);
  return (std::filesystem::path(path).parent_path() / "logs").string();
}

}  // namespace runlake
