#pragma once
// What a fuzz target does when the code under test disagrees with its reference: print
// both sides and abort, so libFuzzer saves the input as a crash (and the test fails).

#include <cstdio>
#include <cstdlib>
#include <string>

namespace runlake::fuzz {

[[noreturn]] inline void Fail(const std::string& what) {
  std::fprintf(stderr, "fuzz check failed: %s\n", what.c_str());
  std::abort();
}

inline void Check(bool ok, const std::string& what) {
  if (!ok) Fail(what);
}

}  // namespace runlake::fuzz
