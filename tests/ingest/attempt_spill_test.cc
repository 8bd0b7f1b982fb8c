// AttemptSpill (ingest/attempt_spill.h) against a plain hash map: the same highest earlier
// attempt_count for every rejected row, in memory and through splits of every depth.

#include "ingest/attempt_spill.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <random>

#include "common/sha256.h"

namespace runlake {
namespace {

std::string Dir() {
  auto d = std::filesystem::temp_directory_path() / ("attempt-spill-" + std::to_string(getpid()));
  std::filesystem::create_directories(d);
  return d.string();
}

RowKey KeyOf(int i) {
  auto k = RowKeyOfHex(Sha256::Of("row " + std::to_string(i)));
  EXPECT_TRUE(k.ok());
  return *k;
}

struct Case {
  size_t max_distinct;
  int fanout_bits;
};

class AttemptSpillTest : public ::testing::TestWithParam<Case> {};

TEST_P(AttemptSpillTest, MatchesAHashMap) {
  std::mt19937 rng(42);
  AttemptSpill spill({Dir(), GetParam().max_distinct, GetParam().fanout_bits});
  std::map<int, int> highest;  // row -> highest earlier count
  // 20,000 earlier rows, many seen in several earlier runs (repeats, in any order).
  for (int n = 0; n < 50000; ++n) {
    int row = static_cast<int>(rng() % 20000);
    int count = 1 + static_cast<int>(rng() % 5);
    ASSERT_TRUE(spill.AddEarlier(KeyOf(row), count).ok());
    highest[row] = std::max(highest[row], count);
  }
  // 30,000 rejected rows of this run: half seen before, half new.
  std::vector<int> rows;
  for (int i = 0; i < 30000; ++i) {
    int row = static_cast<int>(rng() % 40000);
    rows.push_back(row);
    ASSERT_TRUE(spill.AddRejected(KeyOf(row), i).ok());
  }
  auto got = spill.Resolve(static_cast<int64_t>(rows.size()));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), rows.size());
  int seen = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    auto it = highest.find(rows[i]);
    int want = it == highest.end() ? 0 : it->second;
    seen += want > 0;
    ASSERT_EQ((*got)[i], want) << "rejected row " << i;
  }
  EXPECT_GT(seen, 10000);
}

INSTANTIATE_TEST_SUITE_P(Spills, AttemptSpillTest,
                         ::testing::Values(Case{1 << 17, 6},   // one level: every partition in memory
                                           Case{64, 3},        // split several levels deep
                                           Case{8, 2}));       // tiny tables: deep, narrow splits

TEST(AttemptSpill, NothingEarlierOrNothingRejected) {
  AttemptSpill empty({Dir(), 1 << 17, 6});
  ASSERT_TRUE(empty.AddRejected(KeyOf(1), 0).ok());
  auto got = empty.Resolve(1);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, std::vector<uint16_t>{0});
  AttemptSpill none({Dir(), 1 << 17, 6});
  ASSERT_TRUE(none.AddEarlier(KeyOf(1), 2).ok());
  auto nothing = none.Resolve(0);
  ASSERT_TRUE(nothing.ok());
  EXPECT_TRUE(nothing->empty());
}

TEST(AttemptSpill, RowKeysAreTheHashsFirst128Bits) {
  auto k = RowKeyOfHex("0123456789abcdefFEDCBA98765432100000000000000000000000000000000f");
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->hi, 0x0123456789abcdefULL);
  EXPECT_EQ(k->lo, 0xfedcba9876543210ULL);
  EXPECT_FALSE(RowKeyOfHex("abc").ok());
  EXPECT_FALSE(RowKeyOfHex(std::string(63, 'a') + "g").ok());
}

}  // namespace
}  // namespace runlake
