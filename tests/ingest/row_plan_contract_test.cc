// RowPlan on a contract unlike transactions (a composite key, a date partition column,
// decimal(18,8) and decimal(38,10), a pattern, lengths, ranges, a boolean with its own
// texts, an enum, timestamps in two formats, optional columns, a check_order of its own),
// with hand-written rows and the reasons DESIGN.md gives them. The reference
// (contract_reference.h) must agree on every row.

#include <gtest/gtest.h>

#include <map>

#include "contract_reference.h"
#include "ingest/row_plan.h"
#include "runlake/contract.h"

namespace runlake {
namespace {

const char* kFxYaml = R"yaml(
dataset: treasury/fx_rates
partition_by: rate_date
key: [rate_date, base, quote]
key_reason: DUPLICATE_RATE
schemas:
  v1:
    columns:
      - {name: rate_date, from: RateDate, type: date, formats: ["%Y-%m-%d", "%d/%m/%Y"],
         required: true, window: {not_before: "2000-01-01", max_days_after_ingest: 0}}
      - {name: base, from: Base, type: string, required: true, enum: iso4217, reason: CURRENCY_ERROR}
      - {name: quote, from: Quote, type: string, required: true, enum: iso4217, reason: CURRENCY_ERROR}
      - {name: rate, from: Rate, type: "decimal(18,8)", required: true, min: "0.00000001",
         max: "1000000"}
      - {name: provider, from: Provider, type: string, pattern: "[A-Z]{2,8}", max_length: 6}
      - {name: rate_type, from: RateType, type: string, required: true, enum: [MID, BID, ASK]}
      - {name: published, from: Published, type: boolean, true_values: [Y, yes], false_values: [N, no]}
      - {name: fetched_at, from: FetchedAt, type: timestamp, required: true, min: "2000-01-01",
         formats: ["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M"]}
      - {name: seq, from: Seq, type: int64, min: "1", max: "999"}
      - {name: note, from: Note, type: string, trim: false, min_length: 2}
      - {name: notional, from: Notional, type: "decimal(38,10)"}
    check_order: [rate, rate_date, base, quote]
)yaml";

// Bronze column order differs from the contract's, and one column is extra.
const std::vector<std::string> kHeader = {"Seq",       "Quote",    "Base",     "RateDate",
                                          "Rate",      "Provider", "RateType", "Published",
                                          "FetchedAt", "Note",     "Notional", "Comment"};

const std::map<std::string, std::string> kValid = {{"Seq", "5"},
                                                   {"Quote", "USD"},
                                                   {"Base", "EUR"},
                                                   {"RateDate", "2024-03-01"},
                                                   {"Rate", "1.0825"},
                                                   {"Provider", "ECB"},
                                                   {"RateType", "MID"},
                                                   {"Published", "Y"},
                                                   {"FetchedAt", "2024-03-01T16:00:00+01:00"},
                                                   {"Note", "ok"},
                                                   {"Notional", "12345678901234567890.0123456789"},
                                                   {"Comment", "anything"}};

constexpr int64_t kIngestDay = 19783;  // 2024-03-01

std::vector<std::string> Row(const std::map<std::string, std::string>& changes) {
  std::vector<std::string> fields;
  for (const std::string& h : kHeader) {
    auto it = changes.find(h);
    fields.push_back(it != changes.end() ? it->second : kValid.at(h));
  }
  return fields;
}

class RowPlanFx : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = ParseContract(kFxYaml, "fx.yaml");
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    contract_ = *c;
    std::vector<std::string_view> header(kHeader.begin(), kHeader.end());
    auto plan = RowPlan::Compile(contract_, "v1", header);
    ASSERT_TRUE(plan.ok()) << plan.status().ToString();
    plan_ = std::move(*plan);
  }

  // The reasons of one row, comma-separated; the reference must say the same.
  std::string Reasons(const std::vector<std::string>& fields) {
    std::vector<std::string_view> views(fields.begin(), fields.end());
    plan_.Evaluate(PlanRecord{views, false, std::nullopt, kIngestDay}, &eval_);
    std::string got = plan_.JoinReasons(eval_.failures);
    auto ref = reference::Check(contract_, "v1", kHeader, fields, kIngestDay);
    EXPECT_TRUE(ref.has_value());
    std::string want;
    for (const std::string& r : ref->reasons) want += (want.empty() ? "" : ",") + r;
    EXPECT_EQ(got, want) << "the reference disagrees";
    return got;
  }

  size_t Slot(const std::string& name) const {
    for (size_t i = 0; i < plan_.slots().size(); ++i) {
      if (plan_.slots()[i].name == name) return i;
    }
    ADD_FAILURE() << "no slot " << name;
    return 0;
  }

  Contract contract_;
  RowPlan plan_;
  RowEvaluation eval_;
};

TEST_F(RowPlanFx, ValidRowHasTypedValues) {
  EXPECT_EQ(Reasons(Row({})), "");
  const PlanRow& row = eval_.row;
  EXPECT_EQ(row.Int64(Slot("rate_date")), kIngestDay);
  EXPECT_EQ(row.Text(Slot("base")), "EUR");
  EXPECT_EQ(row.Int64(Slot("rate")), 108250000);
  EXPECT_EQ(plan_.slots()[Slot("rate")].kind, SlotKind::kInt64);
  EXPECT_EQ(row.Int64(Slot("published")), 1);
  EXPECT_EQ(row.Int64(Slot("fetched_at")), (kIngestDay * 86400 + 15 * 3600) * int64_t{1000000});
  EXPECT_EQ(row.Int64(Slot("seq")), 5);
  EXPECT_EQ(plan_.slots()[Slot("notional")].kind, SlotKind::kInt128);
  __int128 notional = 0;
  for (char c : std::string("123456789012345678900123456789")) notional = notional * 10 + (c - '0');
  EXPECT_TRUE(row.Int128(Slot("notional")) == notional);
  EXPECT_EQ(plan_.extra_columns(), std::vector<std::string>{"Comment"});
}

TEST_F(RowPlanFx, SecondFormatsAndEmptyOptionalColumns) {
  EXPECT_EQ(Reasons(Row({{"RateDate", "01/03/2024"}, {"FetchedAt", "2024-03-01 16:00"}})), "");
  EXPECT_EQ(
      Reasons(Row(
          {{"Provider", ""}, {"Published", "   "}, {"Seq", ""}, {"Note", "  "}, {"Notional", ""}})),
      "");
  EXPECT_TRUE(eval_.row.IsNull(Slot("provider")));
  EXPECT_TRUE(eval_.row.IsNull(Slot("note")));
  EXPECT_FALSE(eval_.row.IsNull(Slot("rate")));
  EXPECT_EQ(Reasons(Row({{"Published", "no"}, {"Base", " GBP "}, {"Note", " x"}})), "");
  EXPECT_EQ(eval_.row.Int64(Slot("published")), 0);
  EXPECT_EQ(eval_.row.Text(Slot("base")), "GBP");
  EXPECT_EQ(eval_.row.Text(Slot("note")), " x");  // trim: false keeps its spaces
}

TEST_F(RowPlanFx, EachCheckItsReason) {
  EXPECT_EQ(Reasons(Row({{"Rate", ""}})), "NULL_VALUE_ERROR");
  EXPECT_EQ(Reasons(Row({{"Base", ""}})), "NULL_VALUE_ERROR");  // not the column's reason
  EXPECT_EQ(Reasons(Row({{"Rate", "1.123456789"}})), "TYPE_ERROR");
  EXPECT_EQ(Reasons(Row({{"Rate", "12345678901"}})), "TYPE_ERROR");
  EXPECT_EQ(Reasons(Row({{"Rate", "1e5"}})), "TYPE_ERROR");
  EXPECT_EQ(Reasons(Row({{"Rate", "0"}})), "RANGE_ERROR");
  EXPECT_EQ(Reasons(Row({{"Rate", "1000000.00000001"}})), "RANGE_ERROR");
  EXPECT_EQ(Reasons(Row({{"Rate", "1000000"}})), "");
  EXPECT_EQ(Reasons(Row({{"Base", "XXX"}})), "CURRENCY_ERROR");
  EXPECT_EQ(Reasons(Row({{"Base", "eur"}, {"Quote", "US"}})), "CURRENCY_ERROR");
  EXPECT_EQ(Reasons(Row({{"RateDate", "2024-03-02"}})), "TIMESTAMP_ERROR");
  EXPECT_EQ(Reasons(Row({{"RateDate", "1999-12-31"}})), "TIMESTAMP_ERROR");
  EXPECT_EQ(Reasons(Row({{"RateDate", "2024-02-30"}})), "TIMESTAMP_ERROR");
  EXPECT_EQ(Reasons(Row({{"Provider", "ecb"}})), "DOMAIN_ERROR");
  EXPECT_EQ(Reasons(Row({{"Provider", "ABCDEFG"}})), "DOMAIN_ERROR");  // over max_length
  EXPECT_EQ(Reasons(Row({{"Provider", "toolongxx"}})), "DOMAIN_ERROR");
  EXPECT_EQ(Reasons(Row({{"RateType", "mid"}})), "DOMAIN_ERROR");
  EXPECT_EQ(Reasons(Row({{"Published", "true"}})), "TYPE_ERROR");
  EXPECT_EQ(Reasons(Row({{"FetchedAt", "2024-03-01T16:00:00"}})), "TIMESTAMP_ERROR");
  EXPECT_EQ(Reasons(Row({{"FetchedAt", "1999-12-31 23:59"}})), "RANGE_ERROR");
  EXPECT_EQ(Reasons(Row({{"Seq", "0"}})), "RANGE_ERROR");
  EXPECT_EQ(Reasons(Row({{"Seq", "1.5"}})), "TYPE_ERROR");
  EXPECT_EQ(Reasons(Row({{"Seq", "99999999999999999999"}})), "TYPE_ERROR");
  EXPECT_EQ(Reasons(Row({{"Note", "x"}})), "DOMAIN_ERROR");
  EXPECT_EQ(Reasons(Row({{"Note", " x "}})), "");
  EXPECT_EQ(Reasons(Row({{"Notional", "12345678901234567890123456789"}})), "TYPE_ERROR");
}

TEST_F(RowPlanFx, FailuresInCheckOrderEachOnce) {
  // check_order puts rate first and rate_date before base: not column order.
  EXPECT_EQ(
      Reasons(Row({{"Rate", "abc"}, {"RateDate", "bad"}, {"Base", "xx"}, {"RateType", "bad"}})),
      "TYPE_ERROR,TIMESTAMP_ERROR,CURRENCY_ERROR,DOMAIN_ERROR");
  EXPECT_EQ(Reasons(Row({{"Rate", ""}, {"Base", "xx"}})), "NULL_VALUE_ERROR,CURRENCY_ERROR");
  EXPECT_EQ(Reasons(Row({{"Seq", "abc"}, {"RateType", "bad"}})), "DOMAIN_ERROR,TYPE_ERROR");
  EXPECT_EQ(Reasons(Row({{"Seq", "abc"}, {"Rate", "x"}, {"Provider", "x"}})),
            "TYPE_ERROR,DOMAIN_ERROR");
}

TEST_F(RowPlanFx, SchemaAndEncoding) {
  std::vector<std::string> short_row = Row({});
  short_row.pop_back();
  EXPECT_EQ(Reasons(short_row), "SCHEMA_ERROR");
  short_row[0] = "\xff";
  EXPECT_EQ(Reasons(short_row), "SCHEMA_ERROR,ENCODING_ERROR");
  EXPECT_EQ(Reasons(Row({{"Comment", "bad \xc3\x28"}})), "ENCODING_ERROR");
  EXPECT_EQ(Reasons(Row({{"Comment", std::string("nul \0 inside", 12)}})), "ENCODING_ERROR");
  EXPECT_EQ(Reasons(Row({{"Provider", "\xEF\xBB\xBF"}, {"Rate", ""}})),
            "ENCODING_ERROR,NULL_VALUE_ERROR,DOMAIN_ERROR");
  // A broken record is SCHEMA_ERROR whatever its field count.
  std::vector<std::string> fields = Row({});
  std::vector<std::string_view> views(fields.begin(), fields.end());
  plan_.Evaluate(PlanRecord{views, true, std::nullopt, kIngestDay}, &eval_);
  EXPECT_EQ(plan_.JoinReasons(eval_.failures), "SCHEMA_ERROR");
}

TEST_F(RowPlanFx, NoIngestDateLeavesTheUpperBoundOut) {
  std::vector<std::string> fields = Row({{"RateDate", "2030-01-01"}});
  std::vector<std::string_view> views(fields.begin(), fields.end());
  plan_.Evaluate(PlanRecord{views, false, std::nullopt, std::nullopt}, &eval_);
  EXPECT_TRUE(eval_.valid()) << plan_.JoinReasons(eval_.failures);
  plan_.Evaluate(PlanRecord{views, false, std::nullopt, kIngestDay}, &eval_);
  EXPECT_EQ(plan_.JoinReasons(eval_.failures), "TIMESTAMP_ERROR");
}

}  // namespace
}  // namespace runlake
