#pragma once
// Helpers for the contract tests: load a YAML text, or get the error it must give.

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "runlake/contract.h"

namespace runlake::testing {

inline Contract MustParse(std::string_view yaml) {
  Result<Contract> c = ParseContract(yaml, "c.yaml");
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? *std::move(c) : Contract{};
}

// The InvalidArgument message of a contract that must not load ("" when it loads).
inline std::string ErrorOf(std::string_view yaml) {
  Result<Contract> c = ParseContract(yaml, "c.yaml");
  if (c.ok()) return "";
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument) << c.status().ToString();
  return c.status().message();
}

}  // namespace runlake::testing

namespace runlake::testing {

// "c.yaml:<line>:<column>" of the first `needle` on 1-based line `line` of `yaml`: where an
// error about that token must point.
inline std::string Where(std::string_view yaml, int line, std::string_view needle) {
  size_t start = 0;
  for (int i = 1; i < line; ++i) start = yaml.find('\n', start) + 1;
  std::string_view text = yaml.substr(start, yaml.find('\n', start) - start);
  size_t col = text.find(needle);
  EXPECT_NE(col, std::string_view::npos) << "'" << needle << "' is not on line " << line;
  return "c.yaml:" + std::to_string(line) + ":" + std::to_string(col + 1);
}

}  // namespace runlake::testing
