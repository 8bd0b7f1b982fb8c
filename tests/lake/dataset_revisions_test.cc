// The dataset contract revision log (runlake/dataset_revisions.h) against an in-memory store:
// revisions count from 1, the same bytes are a no-op, a refused evolution stores nothing,
// concurrent applies lose no revision, and a run resolves the revision it records.

#include "runlake/dataset_revisions.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "runlake/builtin_contracts.h"

namespace runlake {
namespace {

std::string FxContract(const std::string& description, const std::string& rate_type = "decimal(18,8)") {
  return "dataset: treasury/fx_rates\n"
         "description: " + description + "\n"
         "schemas:\n"
         "  v1:\n"
         "    columns:\n"
         "      - {name: rate_date, type: date, required: true}\n"
         "      - {name: rate, type: \"" + rate_type + "\", required: true}\n";
}

struct MemLake {
  explicit MemLake(const std::string& name) : store(NewMemoryObjectStore("dataset-revisions-" + name)) {}
  std::unique_ptr<ObjectStore> store;
  std::vector<std::string> Keys() {
    std::vector<std::string> out;
    auto listed = store->List(layout::kDatasetsPrefix);  // what the revision log writes
    EXPECT_TRUE(listed.ok()) << listed.status().ToString();
    if (listed.ok()) for (const auto& o : *listed) out.push_back(o.key);
    return out;
  }
};

const DatasetId kFx{"treasury", "fx_rates"};

TEST(DatasetRevisions, RevisionsCountFromOneAndTheSameBytesAreANoOp) {
  MemLake lake("count");
  auto first = ApplyContract(*lake.store, {FxContract("a"), "fx.yaml", "first", "tester@host"});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(first->applied);
  EXPECT_EQ(first->revision.revision, 1);
  EXPECT_EQ(first->revision.contract_sha256, ContractSha256(FxContract("a")));
  EXPECT_EQ(lake.Keys(), std::vector<std::string>{"_datasets/treasury/fx_rates/0000000001.yaml"});

  auto again = ApplyContract(*lake.store, {FxContract("a"), "fx.yaml", "again", ""});
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->applied);
  EXPECT_EQ(again->revision.revision, 1);
  EXPECT_EQ(again->revision.reason, "first");

  auto second = ApplyContract(*lake.store, {FxContract("b"), "fx.yaml", "", ""});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->revision.revision, 2);
  auto stored = GetContractRevision(*lake.store, kFx, 1);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->contract, FxContract("a"));
  EXPECT_EQ(stored->created_by, "tester@host");
  EXPECT_EQ(*ListContractRevisions(*lake.store, kFx), (std::vector<int64_t>{1, 2}));
  EXPECT_TRUE(GetContractRevision(*lake.store, kFx, 3).status().IsNotFound());
}

TEST(DatasetRevisions, ARefusedEvolutionOrABadContractStoresNothing) {
  MemLake lake("refused");
  ASSERT_TRUE(ApplyContract(*lake.store, {FxContract("a"), "fx.yaml", "", ""}).ok());
  const auto before = lake.Keys();
  auto changed = ApplyContract(*lake.store, {FxContract("a", "decimal(20,8)"), "fx2.yaml", "", ""});
  EXPECT_EQ(changed.status().code(), StatusCode::kFailedPrecondition) << changed.status().ToString();
  EXPECT_NE(changed.status().message().find("rate"), std::string::npos) << changed.status().message();
  auto bad = ApplyContract(*lake.store, {FxContract("a") + "unknown_key: 1\n", "bad.yaml", "", ""});
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("bad.yaml:8:"), std::string::npos) << bad.status().message();
  EXPECT_EQ(lake.Keys(), before);
}

TEST(DatasetRevisions, TwoDatasetsMayNotShareTheirLastName) {
  MemLake lake("names");
  ASSERT_TRUE(ApplyContract(*lake.store, {FxContract("a"), "fx.yaml", "", ""}).ok());
  std::string other = FxContract("a");
  other.replace(other.find("treasury"), 8, "markets");
  auto r = ApplyContract(*lake.store, {other, "other.yaml", "", ""});
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("treasury/fx_rates"), std::string::npos) << r.status().message();
}

TEST(DatasetRevisions, ConcurrentAppliesTakeConsecutiveRevisions) {
  MemLake lake("concurrent");
  constexpr int kWriters = 8;
  std::vector<std::thread> threads;
  std::vector<Status> results(kWriters);
  for (int i = 0; i < kWriters; ++i) {
    threads.emplace_back([&, i] {
      results[i] = ApplyContract(*lake.store, {FxContract("w" + std::to_string(i)), "fx.yaml", "", ""}).status();
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& st : results) EXPECT_TRUE(st.ok()) << st.ToString();
  auto revisions = ListContractRevisions(*lake.store, kFx);
  ASSERT_EQ(revisions->size(), size_t{kWriters});
  std::set<std::string> shas;
  for (int64_t n = 1; n <= kWriters; ++n) {
    EXPECT_EQ((*revisions)[n - 1], n);
    shas.insert(GetContractRevision(*lake.store, kFx, n)->contract_sha256);
  }
  EXPECT_EQ(shas.size(), size_t{kWriters}) << "every apply is one revision";
}

TEST(DatasetRevisions, TheBuiltinContractIsRevisionOneOnce) {
  MemLake lake("builtin");
  auto first = EnsureBuiltinContract(*lake.store);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->revision, 1);
  EXPECT_EQ(first->contract, TransactionsContractYaml());
  EXPECT_EQ(EnsureBuiltinContract(*lake.store)->revision, 1);
  auto all = ListDatasetContracts(*lake.store);
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ((*all)[0].dataset.path(), kTransactionsDataset);
}

TEST(DatasetRevisions, ARunResolvesTheRevisionItRecords) {
  MemLake lake("resolve");
  const DatasetId tx;
  // No revision stored: the built-in contract, revision 0, and nothing written.
  auto builtin = ResolveRunContract(*lake.store, tx, "v2", {});
  ASSERT_TRUE(builtin.ok() && builtin->has_value()) << builtin.status().ToString();
  EXPECT_EQ((*builtin)->revision, 0);
  EXPECT_EQ((*builtin)->sha256, ContractSha256(TransactionsContractYaml()));
  EXPECT_TRUE(lake.Keys().empty());
  // A dataset with no contract records none.
  EXPECT_FALSE(ResolveRunContract(*lake.store, kFx, "v1", {})->has_value());

  ASSERT_TRUE(ApplyContract(*lake.store, {FxContract("a"), "fx.yaml", "", ""}).ok());
  ASSERT_TRUE(ApplyContract(*lake.store, {FxContract("b"), "fx.yaml", "", ""}).ok());
  EXPECT_EQ((*ResolveRunContract(*lake.store, kFx, "v1", {}))->revision, 2);
  EXPECT_EQ((*ResolveRunContract(*lake.store, kFx, "v1", {1, "", ""}))->revision, 1);
  EXPECT_TRUE(ResolveRunContract(*lake.store, kFx, "v1", {7, "", ""}).status().IsNotFound());
  EXPECT_TRUE(ResolveRunContract(*lake.store, kFx, "v2", {}).status().IsInvalidArgument());
  // A file: its stored twin's revision, else 0; another dataset's contract is refused.
  EXPECT_EQ((*ResolveRunContract(*lake.store, kFx, "v1", {0, FxContract("a"), "a.yaml"}))->revision, 1);
  auto unstored = ResolveRunContract(*lake.store, kFx, "v1", {0, FxContract("c"), "c.yaml"});
  EXPECT_EQ((*unstored)->revision, 0);
  EXPECT_EQ((*unstored)->sha256, ContractSha256(FxContract("c")));
  EXPECT_TRUE(ResolveRunContract(*lake.store, tx, "v1", {0, FxContract("c"), "c.yaml"}).status().IsInvalidArgument());
}

TEST(DatasetRevisions, ATamperedRevisionIsCorruption) {
  MemLake lake("tampered");
  ASSERT_TRUE(ApplyContract(*lake.store, {FxContract("a"), "fx.yaml", "", ""}).ok());
  const std::string key = layout::DatasetRevisionKey(kFx, 1);
  std::string text = *lake.store->Get(key);
  text.replace(text.find("description: a"), 14, "description: z");
  ASSERT_TRUE(lake.store->Put(key, text).ok());
  EXPECT_EQ(GetContractRevision(*lake.store, kFx, 1).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeDatasetRevision(key, "dataset: x\n").status().code(), StatusCode::kCorruption);
}

TEST(DatasetRevisions, KeysAreParsedBackOnlyWhenTheyAreRevisions) {
  EXPECT_EQ(layout::DatasetRevisionKey(kFx, 12), "_datasets/treasury/fx_rates/0000000012.yaml");
  auto ref = layout::ParseDatasetRevisionKey("_datasets/treasury/fx_rates/0000000012.yaml");
  ASSERT_TRUE(ref.has_value());
  EXPECT_EQ(ref->revision, 12);
  EXPECT_EQ(ref->dataset, kFx);
  for (const char* other : {"_datasets/treasury/fx_rates/0000000012.yaml~", "_datasets/x/0000000001.yaml",
                            "_datasets/a/b/0000000000.yaml", "_models/a/b/0000000001.yaml"}) {
    EXPECT_FALSE(layout::ParseDatasetRevisionKey(other).has_value()) << other;
  }
}

}  // namespace
}  // namespace runlake
