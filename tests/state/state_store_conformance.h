#pragma once
// The StateStore conformance suite: every backend must pass it. A backend instantiates it
// with a factory that opens "the same database" for the same key, from any thread or
// forked process (SQLite: a file in a temp dir; PostgreSQL: a fresh schema).
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StateStoreConformanceTest,
//                            ::testing::Values(StateStoreBackend{"sqlite", factory}));

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "runlake/state_store.h"

namespace runlake::testing {

struct StateStoreBackend {
  std::string name;
  // Opens the store identified by `key`; called several times per test (one per
  // "process"), always with the same key within a test, a new key for each test.
  std::function<Result<std::unique_ptr<StateStore>>(const std::string& key)> open;
  // Optional: why this backend cannot run here ("" when it can); the tests then skip.
  std::function<std::string()> unavailable;
};

inline void PrintTo(const StateStoreBackend& backend, std::ostream* os) { *os << backend.name; }

class StateStoreConformanceTest : public ::testing::TestWithParam<StateStoreBackend> {
 protected:
  void SetUp() override {
    if (GetParam().unavailable) {
      std::string why = GetParam().unavailable();
      if (!why.empty()) GTEST_SKIP() << why;
    }
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    // The counter keeps keys fresh under --gtest_repeat.
    static int run = 0;
    key_ = std::string(info->test_suite_name()) + "." + info->name() + "." + std::to_string(++run);
    for (char& c : key_) {
      if (c == '/') c = '_';
    }
    auto store = GetParam().open(key_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
  }
  std::unique_ptr<StateStore> OpenAnother() {
    auto store = GetParam().open(key_);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  std::string key_;
  std::unique_ptr<StateStore> store_;
};

}  // namespace runlake::testing
