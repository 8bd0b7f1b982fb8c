// RowPlan (src/ingest/row_plan.h) against the reference of tests/ingest/contract_reference.h:
// the input's bytes choose a contract (types, checks, reasons, check_order), a header and
// records (random_contract.h), and the two must give the same reasons in the same order for
// every record, the same values for a valid one, and refuse the same headers.

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "ingest/contract_reference.h"
#include "ingest/random_contract.h"
#include "ingest/row_plan.h"

namespace {

using runlake::fuzz::Check;

using runlake::random_contract::BytePick;

std::string Joined(const std::vector<std::string>& reasons) {
  std::string out;
  for (const std::string& r : reasons) out += (out.empty() ? "" : ",") + r;
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace runlake;
  BytePick pick(data, size);
  const Contract contract = random_contract::RandomContract(pick);
  const SchemaVersion& v = contract.schemas[0];
  const std::vector<std::string> header = random_contract::RandomHeader(pick, v);
  const std::vector<std::string_view> header_views(header.begin(), header.end());
  auto plan = RowPlan::Compile(contract, "v1", header_views);
  const bool accepted = reference::Check(contract, "v1", header, header, std::nullopt).has_value();
  Check(plan.ok() == accepted, "RowPlan and the reference disagree on the header");
  if (!plan.ok()) return 0;
  RowEvaluation eval;
  for (int r = 0; r < 16 && !pick.exhausted(); ++r) {
    const std::vector<std::string> fields = random_contract::RandomRecord(pick, v, header);
    const std::vector<std::string_view> views(fields.begin(), fields.end());
    std::optional<int64_t> ingest_day;
    if (pick(3) != 0) ingest_day = 19782 + static_cast<int64_t>(pick(3));
    plan->Evaluate(PlanRecord{views, false, std::nullopt, ingest_day}, &eval);
    auto want = reference::Check(contract, "v1", header, fields, ingest_day);
    Check(want.has_value(), "the reference refused a header it accepted");
    const std::string got = plan->JoinReasons(eval.failures), expected = Joined(want->reasons);
    Check(got == expected, "reasons: RowPlan '" + got + "', reference '" + expected + "'");
    if (!eval.valid()) continue;
    for (size_t slot = 0; slot < v.columns.size(); ++slot) {
      const reference::Value& w = want->values[slot];
      const bool same = eval.row.IsNull(slot) == w.null &&
                        (w.null || (eval.row.Text(slot) == w.text &&
                                    (!w.number || eval.row.Int128(slot) == *w.number)));
      Check(same, "value of column " + v.columns[slot].name);
    }
  }
  return 0;
}
