// ParseContract on any text (a contract is operator input, and yaml-cpp is a large parser):
// it returns a Status, never crashes or throws, and a contract it accepts is consistent:
// every version's check_order is a permutation of its columns, key and partition_by name
// columns of every version, a contract equals itself (no diff, evolution allowed) and
// parsing is deterministic.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "runlake/contract.h"
#include "runlake/contract_diff.h"
#include "runlake/contract_evolution.h"

namespace {

using runlake::fuzz::Check;

void CheckVersion(const runlake::Contract& c, const runlake::SchemaVersion& v) {
  std::vector<std::string> names, order = v.check_order;
  for (const runlake::Column& col : v.columns) names.push_back(col.name);
  std::sort(names.begin(), names.end());
  std::sort(order.begin(), order.end());
  Check(names == order, v.name + ": check_order is not a permutation of the columns");
  Check(std::adjacent_find(names.begin(), names.end()) == names.end(),
        v.name + ": a column name twice");
  for (const std::string& k : c.key) Check(v.FindColumn(k) != nullptr, v.name + ": key " + k);
  if (c.partition_by != runlake::kIngestDatePartition) {
    Check(v.FindColumn(c.partition_by) != nullptr, v.name + ": partition_by");
  }
  for (const runlake::Column& col : v.columns) {
    Check(col.pattern.has_value() == (col.pattern_re != nullptr), col.name + ": pattern");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = runlake::ParseContract(text, "fuzz.yaml");
  if (!parsed.ok()) {
    Check(parsed.status().message().rfind("fuzz.yaml:", 0) == 0,
          "an error that does not name the file: " + parsed.status().message());
    return 0;
  }
  const runlake::Contract& c = *parsed;
  Check(!c.schemas.empty(), "a contract without versions");
  for (const runlake::SchemaVersion& v : c.schemas) CheckVersion(c, v);
  Check(runlake::DiffContracts(c, c).empty(), "a contract differs from itself");
  Check(runlake::CheckEvolution(c, c).ok(), "a contract may not follow itself");
  auto again = runlake::ParseContract(text, "fuzz.yaml");
  Check(again.ok() && runlake::DiffContracts(c, *again).empty(), "parsing is not deterministic");
  return 0;
}
