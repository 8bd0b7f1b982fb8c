#include "lake/staging.h"

#include <unistd.h>

#include <atomic>
#include <filesystem>

namespace runlake {

namespace fs = std::filesystem;

Result<Staging> Staging::Create(const ObjectStore& store, const std::string& label) {
  static std::atomic<int> counter{0};
  std::string name = label + "." + std::to_string(getpid()) + "." + std::to_string(counter++);
  auto in_lake = store.LocalPath("_staging");
  fs::path base = in_lake ? fs::path(*in_lake) : fs::temp_directory_path() / "runlake-staging";
  std::error_code ec;
  fs::path dir = base / name;
  fs::remove_all(dir, ec);
  fs::create_directories(dir, ec);
  if (ec) return Status::IOError("create staging directory " + dir.string() + ": " + ec.message());
  return Staging(dir.string());
}

Staging::~Staging() {
  if (dir_.empty()) return;
  std::error_code ec;
  fs::remove_all(dir_, ec);
  fs::path parent = fs::path(dir_).parent_path();
  if (fs::is_empty(parent, ec)) fs::remove(parent, ec);
}

}  // namespace runlake
