// The streaming CSV scanner against the naive reference parser (tests/ingest/
// csv_reference.h): the same records, lines, fields and broken-quoting flags, whatever
// the read sizes. The first input byte picks the read pattern; the rest is the file.

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_check.h"
#include "ingest/csv_reference.h"
#include "ingest/csv_scan_util.h"

using runlake::fuzz::Check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t max_chunk = 1 + data[0] % 64;
  const uint32_t seed = data[0] >> 6;  // 0: fixed chunks; else random sizes up to max_chunk
  std::string csv(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto scanned = runlake::ingest_test::Scan(csv, {}, max_chunk, seed);
  Check(scanned.ok(), "scanner failed: " + scanned.status().ToString());
  auto expected = runlake::ingest_test::ReferenceParse(csv);
  Check(scanned->size() == expected.size(), "record count " + std::to_string(scanned->size()) +
                                                " != reference " + std::to_string(expected.size()));
  for (size_t i = 0; i < expected.size(); ++i) {
    if (!((*scanned)[i] == expected[i])) {
      std::ostringstream os;
      os << "record " << i << ": scanner " << (*scanned)[i] << " reference " << expected[i];
      runlake::fuzz::Fail(os.str());
    }
  }
  // A small record limit must stay safe (over-long records, the recovery path): no
  // reference for it, but no crash, no error except the documented one, lines increasing.
  runlake::CsvScannerOptions small;
  small.max_record_bytes = 1 + data[0] % 32;
  auto limited = runlake::ingest_test::Scan(csv, small, max_chunk, seed);
  if (limited.ok()) {
    for (size_t i = 1; i < limited->size(); ++i) {
      Check((*limited)[i].line > (*limited)[i - 1].line, "lines must increase");
    }
  } else {
    Check(limited.status().code() == runlake::StatusCode::kInvalidArgument,
          "unexpected error " + limited.status().ToString());
  }
  return 0;
}
