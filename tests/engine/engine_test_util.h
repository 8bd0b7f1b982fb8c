#pragma once
// Helpers shared by the engine tests: scratch directories and engines.

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <random>
#include <string>

#include "engine/engine.h"
#include "engine/run_writer.h"
#include "synthetic_rows.h"

namespace runlake::testing {

// A fresh directory under the system temp dir, removed with the object.
class ScratchDir {
 public:
  ScratchDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("runlake-engine-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return (path_ / rel).string(); }

 private:
  std::filesystem::path path_;
};

inline std::unique_ptr<Engine> OpenEngine(const std::string& temp_dir = "") {
  EngineOptions options;
  options.threads = 2;
  options.memory_limit = "1GB";
  options.temp_directory = temp_dir;
  auto engine = Engine::Open(options);
  EXPECT_TRUE(engine.ok()) << engine.status().ToString();
  return std::move(engine).value();
}

}  // namespace runlake::testing
