// The built-in transactions contract loads, and resolves to DESIGN.md's "Rows": its columns,
// types, checks, reason codes and their order, key, partitioning and limits.

#include <gtest/gtest.h>

#include <algorithm>

#include "contract/contract_test_util.h"
#include "runlake/builtin_contracts.h"

namespace runlake {
namespace {

struct Expected {
  const char* name;
  const char* from;
  const char* type;
  bool trim;
};

TEST(BuiltinContract, TextIsDesignsAndLoads) {
  std::string_view text = TransactionsContractYaml();
  EXPECT_EQ(text.substr(0, 32), "dataset: mortgages/transactions\n");
  EXPECT_EQ(text.substr(text.size() - 47), "TransactionType, type: string, required: true}\n");
  Contract c = testing::MustParse(text);
  EXPECT_EQ(c.dataset, kTransactionsDataset);
  EXPECT_EQ(c.sha256, ContractSha256(text));
  EXPECT_EQ(c.source.format, "csv");
  EXPECT_EQ(c.source.delimiter, ',');
  EXPECT_EQ(c.source.max_record_bytes, 8388608);
  EXPECT_EQ(c.partition_by, "tx_date");
  EXPECT_EQ(c.key, std::vector<std::string>{"transaction_id"});
  EXPECT_EQ(c.key_reason, "DUPLICATE_TRANSACTION_ID");
  EXPECT_EQ(c.max_attempts, 3);
  EXPECT_DOUBLE_EQ(c.gate.max_quarantine_rate, 0.05);
  EXPECT_EQ(c.gate.max_condemned_rows, 100);
}

TEST(BuiltinContract, V1AndV2ColumnsAreTheRowsOfDesign) {
  Contract c = testing::MustParse(TransactionsContractYaml());
  ASSERT_EQ(c.schemas.size(), 2u);
  const Expected v1[] = {{"transaction_id", "TransactionID", "string", true},
                         {"account_id", "CustomerID", "string", true},
                         {"amount", "TransactionAmount", "decimal(16,2)", false},
                         {"currency", "Currency", "string", false},
                         {"tx_date", "TransactionTimestamp", "timestamp", false}};
  for (const SchemaVersion& v : c.schemas) {
    ASSERT_EQ(v.columns.size(), v.name == "v1" ? 5u : 6u) << v.name;
    for (size_t i = 0; i < 5; ++i) {
      const Column& col = v.columns[i];
      EXPECT_EQ(col.name, v1[i].name);
      EXPECT_EQ(col.from, v1[i].from);
      EXPECT_EQ(col.type.ToString(), v1[i].type);
      EXPECT_EQ(col.trim, v1[i].trim) << col.name;
      EXPECT_TRUE(col.required) << col.name;  // every one is NULL_VALUE_ERROR when empty
    }
  }
  const SchemaVersion& v2 = *c.FindSchema("v2");
  EXPECT_EQ(v2.columns[5].name, "transaction_type");
  EXPECT_EQ(v2.columns[5].from, "TransactionType");
  EXPECT_TRUE(v2.columns[5].required);
  EXPECT_EQ(
      c.FindSchema("v1")->check_order,
      (std::vector<std::string>{"currency", "amount", "tx_date", "transaction_id", "account_id"}));
  EXPECT_EQ(v2.check_order,
            (std::vector<std::string>{"currency", "amount", "tx_date", "transaction_id",
                                      "account_id", "transaction_type"}));
  EXPECT_TRUE(v2.derived.empty());

  const Column& currency = *v2.FindColumn("currency");
  EXPECT_TRUE(currency.enum_iso4217);
  const Column& tx_date = *v2.FindColumn("tx_date");
  EXPECT_EQ(tx_date.formats, (std::vector<std::string>{
                                 "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%fZ",
                                 "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"}));
  EXPECT_EQ(tx_date.window, (DateWindow{"1900-01-01", 1}));
}

// The reasons a row can get from its column checks, walked in check_order as the compiled
// transform will, then the key: today's order (DESIGN.md "Rows", 3 to 6) exactly.
TEST(BuiltinContract, ReasonsComeInTodaysOrder) {
  Contract c = testing::MustParse(TransactionsContractYaml());
  for (const SchemaVersion& v : c.schemas) {
    std::vector<std::string> reasons;
    auto add = [&](const std::string& r) {
      if (std::find(reasons.begin(), reasons.end(), r) == reasons.end()) reasons.push_back(r);
    };
    for (const std::string& name : v.check_order) {
      const Column& col = *v.FindColumn(name);
      if (col.type.kind != ColumnKind::kString) add(ReasonFor(col, CheckKind::kParse));
      if (col.enum_iso4217 || !col.enum_values.empty()) add(ReasonFor(col, CheckKind::kEnum));
      if (col.pattern) add(ReasonFor(col, CheckKind::kPattern));
      if (col.min_length || col.max_length) add(ReasonFor(col, CheckKind::kLength));
      if (col.min || col.max) add(ReasonFor(col, CheckKind::kRange));
      if (col.window) add(ReasonFor(col, CheckKind::kWindow));
    }
    add(c.key_reason);
    EXPECT_EQ(reasons, (std::vector<std::string>{"CURRENCY_ERROR", "TYPE_ERROR", "TIMESTAMP_ERROR",
                                                 "DUPLICATE_TRANSACTION_ID"}))
        << v.name;
  }
}

}  // namespace
}  // namespace runlake
