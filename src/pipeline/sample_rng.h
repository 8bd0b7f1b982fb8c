#pragma once
// The samplers' random numbers (sample.cc, contract_sample.cc): splitmix64, tiny, fast and
// identical everywhere, so a seed gives the same file on every machine
// (std::uniform_*_distribution does not promise that).

#include <cstdint>

namespace runlake {

class SampleRng {
 public:
  explicit SampleRng(uint64_t seed) : s_(seed) {}
  uint64_t Next() {
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  uint64_t Below(uint64_t n) { return Next() % n; }
  bool Chance(double p) { return (Next() >> 11) * (1.0 / 9007199254740992.0) < p; }
  int64_t Between(int64_t lo, int64_t hi) {  // inclusive; lo <= hi
    return lo + static_cast<int64_t>(Next() % static_cast<uint64_t>(hi - lo + 1));
  }

 private:
  uint64_t s_;
};

}  // namespace runlake
