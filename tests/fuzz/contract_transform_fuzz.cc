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
  const std::optional<std::string> outcome = RandomCase(pick, 24);
  fuzz::Check(!outcome || outcome->empty(), outcome ? *outcome : "");
  return 0;
}
