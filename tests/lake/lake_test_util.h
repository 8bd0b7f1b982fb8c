#pragma once
// A throwaway local lake for library-level tests: ingest CSV text, run it, read results.

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>

#include "runlake/ingest.h"
#include "runlake/object_store.h"
#include "runlake/run.h"

namespace runlake::lake_test {

inline std::string FreshDir(const std::string& label) {
  static std::atomic<int> n{0};
  auto dir = std::filesystem::temp_directory_path() /
             ("runlake-lake-test-" + std::to_string(getpid()) + "-" + label + "-" + std::to_string(n++));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

class TestLake {
 public:
  explicit TestLake(const std::string& label) : dir_(FreshDir(label)), store_(NewLocalObjectStore(dir_ + "/lake")) {}
  ~TestLake() { std::filesystem::remove_all(dir_); }

  ObjectStore& store() { return *store_; }
  const std::string& dir() const { return dir_; }
  std::string root() const { return dir_ + "/lake"; }

  // Lands `csv` in bronze for `date`; returns the bronze key.
  std::string Ingest(const std::string& csv, const std::string& date, const std::string& bronze_run_id) {
    std::string path = dir_ + "/" + bronze_run_id + ".csv";
    std::ofstream(path, std::ios::binary) << csv;
    auto r = IngestBronze(*store_, path, IngestOptions{DatasetId{}, date, bronze_run_id});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->key : "";
  }

  Result<RunManifest> Run(const std::string& key, const std::string& run_id, Rules rules = Rules::Defaults()) {
    RunRequest req;
    req.run_id = run_id;
    req.source_keys = {key};
    req.schema_version = "v1";
    req.rules = rules;
    req.execution_name = run_id;
    return ExecuteRun(*store_, req, [](const std::string&, const std::string&, const nlohmann::json&) {});
  }

  // Ingest + run + expect success.
  RunManifest IngestAndRun(const std::string& csv, const std::string& date, const std::string& run_id) {
    auto m = Run(Ingest(csv, date, "b-" + run_id), run_id);
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return m.ok() ? *m : RunManifest{};
  }

 private:
  std::string dir_;
  std::unique_ptr<ObjectStore> store_;
};

inline std::string Csv(std::initializer_list<std::string> rows) {
  std::string out = "TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp\n";
  for (const auto& r : rows) out += r + "\n";
  return out;
}

}  // namespace runlake::lake_test
