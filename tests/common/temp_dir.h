#pragma once
// A fresh directory under $TMPDIR per test, removed afterwards.

#include <cstdlib>
#include <filesystem>
#include <string>

namespace runlake::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "runlake-orch-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace runlake::testing
