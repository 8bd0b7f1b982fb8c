// The built-in transactions contract compiled by RowPlan gives what the whole transform gives
// (RowTransformer, which runs the plan, adds the key, row_hash and batching): the same
// validation_error and validation_errors per row, the same parsed amount and tx_date, and
// with the default rules the same reasons as the reference validator (contract_reference.h), on `runlake sample` files and on
// handcrafted rows that hit every reason, with the default rules and with overrides.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "common/temp_dir.h"
#include "contract_reference.h"
#include "csv_scan_util.h"
#include "ingest/number_text.h"
#include "ingest/row_plan.h"
#include "runlake/builtin_contracts.h"
#include "runlake/contract.h"
#include "runlake/rules.h"
#include "runlake/sample.h"
#include "test_util.h"

namespace runlake {
namespace {

using ingest_test::Rec;

struct Expected {
  std::string error, errors;  // as the transform writes them; "" for a valid row
  int64_t cents = 0, micros = 0;
  std::string account_id, currency, transaction_type;
  bool valid = false;  // a valid row today (not rejected, not even as a duplicate)
};

// What today's transform says of each data line, without DUPLICATE_TRANSACTION_ID (the key
// is not the plan's: it needs the source's earlier rows).
std::map<int64_t, Expected> TodaysResults(const std::string& csv, TransformOptions options) {
  ingest_test::Outcome out = ingest_test::Transform(csv, std::move(options));
  EXPECT_TRUE(out.status.ok()) << out.status.ToString();
  std::map<int64_t, Expected> by_line;
  for (const auto& v : out.valid)
    by_line[v.source_line] = {"",           "",         v.amount_cents,     v.tx_micros,
                              v.account_id, v.currency, v.transaction_type, true};
  for (const auto& r : out.rejected) {
    std::string errors = r.validation_errors;
    for (std::string dup : {",DUPLICATE_TRANSACTION_ID", "DUPLICATE_TRANSACTION_ID"}) {
      if (size_t at = errors.find(dup); at != std::string::npos) errors.erase(at, dup.size());
    }
    by_line[r.source_line] = {errors.substr(0, errors.find(',')), errors, 0, 0, "", "", "", false};
  }
  return by_line;
}

Contract Transactions() {
  auto c = ParseContract(TransactionsContractYaml(), "builtin");
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return *c;
}

struct Seen {
  std::set<std::string> reasons;  // every reason some row failed with
  int64_t valid_rows = 0;         // valid rows whose values were compared
  int64_t reference_rows = 0;     // rows the reference (contract_reference.h) checked too
};

// Runs the plan over the same file and compares every data line with today's transform.
Seen ExpectSameAsToday(const std::string& csv, const std::string& version,
                       const std::string& ingest_date, const Rules& rules) {
  TransformOptions options = ingest_test::Options(version);
  options.rules = rules;
  options.ingest_date = ingest_date;
  const std::map<int64_t, Expected> today = TodaysResults(csv, options);
  Seen seen;

  auto records = ingest_test::Scan(csv);
  EXPECT_TRUE(records.ok());
  if (!records.ok()) return seen;
  std::vector<std::string_view> header(records->front().fields.begin(),
                                       records->front().fields.end());
  const Contract contract = Transactions();
  auto plan = RowPlan::Compile(contract, version, header, TransactionsOverrides(rules));
  EXPECT_TRUE(plan.ok()) << plan.status().ToString();
  if (!plan.ok()) return seen;
  const size_t amount = 2, tx_date = 4;
  EXPECT_EQ(plan->slots()[amount].name, "amount");
  EXPECT_EQ(plan->slots()[tx_date].name, "tx_date");

  RowEvaluation eval;
  int64_t compared = 0;
  for (size_t i = 1; i < records->size(); ++i) {
    const Rec& rec = (*records)[i];
    std::vector<std::string_view> fields(rec.fields.begin(), rec.fields.end());
    PlanRecord record{fields, rec.broken, rec.raw, IngestDay(ingest_date)};
    plan->Evaluate(record, &eval);
    auto it = today.find(rec.line);
    if (it == today.end()) {
      ADD_FAILURE() << "today's transform has no row of line " << rec.line;
      continue;
    }
    const Expected& want = it->second;
    EXPECT_EQ(plan->JoinReasons(eval.failures), want.errors)
        << "line " << rec.line << ": " << rec.raw;
    if (!eval.valid()) {
      EXPECT_EQ(plan->Reason(eval.failures[0]), want.error) << "line " << rec.line;
      for (uint16_t id : eval.failures) seen.reasons.emplace(plan->Reason(id));
    } else if (want.valid) {
      ++seen.valid_rows;
      EXPECT_EQ(eval.row.Int64(amount), want.cents) << "line " << rec.line;
      EXPECT_EQ(eval.row.Int64(tx_date), want.micros) << "line " << rec.line;
      EXPECT_EQ(eval.row.Text(1), want.account_id) << "line " << rec.line;
      EXPECT_EQ(eval.row.Text(3), want.currency) << "line " << rec.line;
      if (version == "v2") {
        EXPECT_EQ(eval.row.Text(5), want.transaction_type);
      }
    }
    // With the default rules the contract says it all, so the reference must agree too (on
    // well-formed records: it sees fields, not the raw bytes).
    if (rules.CanonicalJson() == Rules::Defaults().CanonicalJson() && !rec.broken) {
      std::vector<std::string> header_texts(header.begin(), header.end());
      auto ref =
          reference::Check(contract, version, header_texts, rec.fields, IngestDay(ingest_date));
      EXPECT_TRUE(ref.has_value());
      std::string want_reasons;
      for (const std::string& r : ref->reasons)
        want_reasons += (want_reasons.empty() ? "" : ",") + r;
      EXPECT_EQ(plan->JoinReasons(eval.failures), want_reasons) << "reference, line " << rec.line;
      ++seen.reference_rows;
    }
    ++compared;
  }
  EXPECT_EQ(compared, static_cast<int64_t>(today.size()));
  return seen;
}

const std::set<std::string> kEveryReason = {"SCHEMA_ERROR",   "ENCODING_ERROR", "NULL_VALUE_ERROR",
                                            "CURRENCY_ERROR", "TYPE_ERROR",     "TIMESTAMP_ERROR"};

std::string Sample(const std::string& version, uint64_t seed) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/sample.csv";
  SampleOptions o;
  o.rows = 4000;
  o.seed = seed;
  o.span_days = 3;
  o.schema_version = version;
  o.invalid_fraction = 0.25;
  auto written = WriteSample(path, o);
  EXPECT_TRUE(written.ok()) << written.status().ToString();
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(RowPlanTransactions, SampleFilesAsToday) {
  for (const std::string version : {"v1", "v2"}) {
    for (uint64_t seed : {1u, 42u}) {
      const std::string csv = Sample(version, seed);
      // 2024-01-13 puts the sample's last day past max_days_after_ingest; "" leaves it out.
      for (const std::string ingest : {"2024-01-15", "2024-01-13", ""}) {
        SCOPED_TRACE(version + " seed " + std::to_string(seed) + " ingest '" + ingest + "'");
        Seen seen = ExpectSameAsToday(csv, version, ingest, Rules::Defaults());
        EXPECT_GT(seen.valid_rows, 1500);
        EXPECT_GT(seen.reference_rows, 3500);
        EXPECT_GE(seen.reasons.size(), 4u);
      }
    }
  }
}

// Every reason, alone and together, and the trimming rules of each column.
const char* kHandcrafted =
    "TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp,TransactionType\n"
    "t1,c1,12.50,EUR,2024-01-15T10:00:00Z,buy\n"
    " t2 , c2 ,-0.07,USD,2024-01-15T10:00:00.123456789Z, sell \n"
    "t3,c3,007.5,GBP,2024-01-15T12:00:00+02:00,x\n"
    "t4,c4,1,JPY,2024-01-15 10:00:00,x\n"
    "t5,c5,1,JPY,2024-01-15T10:00:00,x\n"
    "t6,,1,EUR,2024-01-15T10:00:00Z,x\n"
    "t7,c7,   ,EUR,2024-01-15T10:00:00Z,x\n"
    "t8,c8,1, EUR,2024-01-15T10:00:00Z,x\n"
    "t9,c9,1,eur,2024-01-15T10:00:00Z,x\n"
    "t10,c10,1.234,EUR,2024-01-15T10:00:00Z,x\n"
    "t11,c11,1e5,EUR,2024-01-15T10:00:00Z,x\n"
    "t12,c12, 1,EUR,2024-01-15T10:00:00Z,x\n"
    "t13,c13,123456789012345,EUR,2024-01-15T10:00:00Z,x\n"
    "t14,c14,1,EUR,2024-02-30T10:00:00Z,x\n"
    "t15,c15,1,EUR,1899-12-31T23:59:59Z,x\n"
    "t16,c16,1,EUR,2024-01-17T00:00:00Z,x\n"
    "t17,c17,1,EUR,2024-01-16T23:59:59Z,x\n"
    "t18,c18,x,XXX,late,\n"
    ",c19,1,EUR,2024-01-15T10:00:00Z,x\n"
    "t20,c20,1,EUR,2024-01-15T10:00:00Z\n"
    "t21,c21,1,EUR,2024-01-15T10:00:00Z,x,extra\n"
    "t22,\"c2\"2\",1,EUR,2024-01-15T10:00:00Z,x\n"
    "t23,c\xff,1,EUR,2024-01-15T10:00:00Z,x\n"
    "t24,c\xEF\xBB\xBF,1,EUR,2024-01-15T10:00:00Z,x\n"
    "t25,c25,1,EUR,2024-01-15T10:00:00Z, \n"
    "t26,c\xff,1,EUR\n"
    "t1,c27,1,EUR,2024-01-15T10:00:00Z,x\n"
    "t28,c28,99999999999999.99,EUR,2024-01-15T10:00:00 Z,x\n"
    "t29,c29,-99999999999999.99,EUR,2024-01-15T10:00:00-23:59,x\n";

TEST(RowPlanTransactions, HandcraftedRowsAsToday) {
  std::string csv = kHandcrafted;
  csv.insert(csv.find("t23") + 5, std::string(1, '\0'));  // a NUL inside a field too
  for (const std::string version : {"v1", "v2"}) {
    for (const std::string ingest : {"2024-01-15", ""}) {
      SCOPED_TRACE(version + " ingest '" + ingest + "'");
      Seen seen = ExpectSameAsToday(csv, version, ingest, Rules::Defaults());
      EXPECT_EQ(seen.reasons, kEveryReason);
      EXPECT_GT(seen.valid_rows, 3);
    }
  }
}

TEST(RowPlanTransactions, RulesOverridesAsToday) {
  Rules rules = Rules::Defaults();
  rules.currencies = {"EUR", "eur", "XXX"};
  rules.timestamp_formats = {"%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d %H:%M:%S"};
  rules.tx_date_window.not_before = "2024-01-15";
  rules.tx_date_window.max_days_after_ingest = 0;
  rules.given = {"currencies", "timestamp_formats", "tx_date_window"};
  Seen seen = ExpectSameAsToday(kHandcrafted, "v2", "2024-01-15", rules);
  EXPECT_TRUE(seen.reasons.count("CURRENCY_ERROR") && seen.reasons.count("TIMESTAMP_ERROR"));
  rules.tx_date_window.not_before.reset();
  rules.tx_date_window.max_days_after_ingest.reset();
  seen = ExpectSameAsToday(kHandcrafted, "v2", "2024-01-15", rules);
  EXPECT_GT(seen.valid_rows, 3);
}

TEST(RowPlanTransactions, HeaderMissingAColumnFailsTheRun) {
  std::vector<std::string_view> header = {"TransactionID", "CustomerID", "TransactionAmount",
                                          "TransactionTimestamp"};
  auto plan = RowPlan::Compile(Transactions(), "v1", header);
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().message().find("missing required column(s) Currency"), std::string::npos);
  header = {"TransactionID", "CustomerID", "TransactionAmount",
            "Currency",      " Currency ", "TransactionTimestamp"};
  EXPECT_FALSE(RowPlan::Compile(Transactions(), "v1", header).ok());
  EXPECT_FALSE(RowPlan::Compile(Transactions(), "v9", header).ok());
}

}  // namespace
}  // namespace runlake
