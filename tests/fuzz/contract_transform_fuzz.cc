// The whole transform compiled from a contract (RowTransformer) against the reference of
// tests/ingest/contract_transform_reference.h: the input's bytes choose a keyed contract
// (types, checks, reasons, key, partition), a header and records written as CSV, and every
// record must come out as the reference says (valid with its values, or rejected with its
// reasons in order, its row_hash and partition).

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "ingest/contract_transform_reference.h"

namespace {

using runlake::random_contract::BytePick;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace runlake;
  using namespace runlake::keyed_reference;
  BytePick pick(data, size);
  const Contract contract = KeyedContract(pick);
  const SchemaVersion& v = contract.schemas[0];
  const std::vector<std::string> header = random_contract::RandomHeader(pick, v);
  if (!reference::Check(contract, v.name, header, header, std::nullopt)) return 0;
  const std::vector<Line> lines = RandomLines(pick, v, header, 1 + pick(24));
  std::string csv = Join(header) + "\n";
  for (const Line& l : lines) csv += l.raw + (pick(3) == 0 ? "\r\n" : "\n");
  const std::string ingest_date = pick(4) == 0 ? "" : "2024-01-15";
  const auto want = Expected(contract, header, lines, IngestDay(ingest_date));
  auto diff = Compare(contract, csv, want, ingest_date);
  fuzz::Check(!diff, diff ? *diff + "\n" + Describe(contract, header) : "");
  return 0;
}
