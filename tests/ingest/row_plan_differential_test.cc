// RowPlan against the reference (contract_reference.h) on random contracts and random
// records: the same reasons in the same order for every record, the same typed values for
// every valid one, and the same refusal of a header that lacks or repeats a column. A fixed
// seed, so a failure reproduces; the failing case is printed.

#include <gtest/gtest.h>

#include <cstdint>
#include <set>
#include <sstream>

#include "contract_reference.h"
#include "ingest/row_plan.h"
#include "random_contract.h"

namespace runlake {
namespace {

using Rng = random_contract::SeededPick;

std::string Describe(const Contract& contract, const std::vector<std::string>& header,
                     const std::vector<std::string>& fields) {
  std::ostringstream os;
  const SchemaVersion& v = contract.schemas[0];
  for (const Column& c : v.columns) {
    os << c.name << " from " << c.from << " " << c.type.ToString()
       << (c.required ? " required" : "") << (c.trim ? "" : " trim:false")
       << (c.enum_iso4217 ? " iso4217" : "")
       << (c.enum_values.empty() ? "" : " enum(" + std::to_string(c.enum_values.size()) + ")")
       << (c.pattern ? " pattern " + *c.pattern : "") << (c.min ? " min " + *c.min : "")
       << (c.max ? " max " + *c.max : "") << (c.window ? " window" : "")
       << (c.reason ? " reason " + *c.reason : "") << " formats " << c.formats.size() << "\n";
  }
  os << "order:";
  for (const std::string& n : v.check_order) os << " " << n;
  os << "\nheader:";
  for (const std::string& h : header) os << " [" << h << "]";
  os << "\nfields:";
  for (const std::string& f : fields) os << " [" << f << "]";
  return os.str();
}

bool SameValue(const PlanRow& row, size_t slot, const reference::Value& want) {
  if (row.IsNull(slot) != want.null) return false;
  if (want.null) return true;
  if (row.Text(slot) != want.text) return false;
  return !want.number || row.Int128(slot) == *want.number;
}

TEST(RowPlanDifferential, RandomContractsAgreeWithTheReference) {
  Rng pick(20261207);
  int records = 0, valid = 0, refused = 0;
  std::set<std::string> reasons;  // every reason reached
  for (int round = 0; round < 600; ++round) {
    const Contract contract = random_contract::RandomContract(pick);
    const SchemaVersion& v = contract.schemas[0];
    const std::vector<std::string> header = random_contract::RandomHeader(pick, v);
    const std::vector<std::string_view> header_views(header.begin(), header.end());
    auto plan = RowPlan::Compile(contract, "v1", header_views);
    const bool reference_accepts =
        reference::Check(contract, "v1", header, header, std::nullopt).has_value();
    ASSERT_EQ(plan.ok(), reference_accepts) << Describe(contract, header, {});
    if (!plan.ok()) {
      ++refused;
      continue;
    }
    RowEvaluation eval;
    for (int r = 0; r < 12; ++r, ++records) {
      const std::vector<std::string> fields = random_contract::RandomRecord(pick, v, header);
      const std::vector<std::string_view> views(fields.begin(), fields.end());
      std::optional<int64_t> ingest_day;
      if (pick(3) != 0) ingest_day = 19783 + static_cast<int64_t>(pick(3)) - 1;
      plan->Evaluate(PlanRecord{views, false, std::nullopt, ingest_day}, &eval);
      auto want = reference::Check(contract, "v1", header, fields, ingest_day);
      ASSERT_TRUE(want.has_value());
      std::string want_reasons;
      for (const std::string& reason : want->reasons) {
        want_reasons += (want_reasons.empty() ? "" : ",") + reason;
      }
      ASSERT_EQ(plan->JoinReasons(eval.failures), want_reasons)
          << Describe(contract, header, fields);
      reasons.insert(want->reasons.begin(), want->reasons.end());
      if (!eval.valid()) continue;
      ++valid;
      for (size_t slot = 0; slot < v.columns.size(); ++slot) {
        ASSERT_TRUE(SameValue(eval.row, slot, want->values[slot]))
            << "column " << v.columns[slot].name << "\n"
            << Describe(contract, header, fields);
      }
    }
  }
  // The generator must reach both sides of the checks, not only failures.
  EXPECT_GT(records, 5000);
  EXPECT_GT(valid, records / 20);
  EXPECT_GT(refused, 0);
  for (const char* reason : {"SCHEMA_ERROR", "ENCODING_ERROR", "NULL_VALUE_ERROR", "TYPE_ERROR",
                             "TIMESTAMP_ERROR", "DOMAIN_ERROR", "RANGE_ERROR", "R_ONE", "R_TWO"}) {
    EXPECT_TRUE(reasons.count(reason)) << reason << " never reached";
  }
}

}  // namespace
}  // namespace runlake
