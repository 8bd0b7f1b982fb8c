#pragma once
// Runs the scanner over a string and copies its records out, for comparisons.

#include <string>
#include <vector>

#include "ingest/csv_scanner.h"
#include "test_util.h"

namespace runlake::ingest_test {

struct Rec {
  std::string raw;
  int64_t line;
  bool broken;
  std::vector<std::string> fields;
  bool operator==(const Rec&) const = default;
};

inline std::ostream& operator<<(std::ostream& os, const Rec& r) {
  os << "{line " << r.line << (r.broken ? " broken" : "") << " raw=";
  for (char c : r.raw) {
    if (c == '\n')
      os << "\\n";
    else if (c == '\r')
      os << "\\r";
    else
      os << c;
  }
  os << " fields=" << r.fields.size() << "}";
  return os;
}

inline Result<std::vector<Rec>> Scan(std::string data, CsvScannerOptions options = {},
                                     size_t max_chunk = 1 << 20, uint32_t seed = 0) {
  RUNLAKE_ASSIGN_OR_RAISE(auto src,
                          ByteSource::Open(Reader(std::move(data), max_chunk, seed), "test.csv"));
  CsvScanner scanner(src.get(), options);
  std::vector<Rec> out;
  CsvRecord r;
  while (true) {
    RUNLAKE_ASSIGN_OR_RAISE(bool more, scanner.Next(&r));
    if (!more) return out;
    Rec rec{std::string(r.raw), r.line, r.broken_quoting, {}};
    for (std::string_view f : r.fields) rec.fields.emplace_back(f);
    out.push_back(std::move(rec));
  }
}

}  // namespace runlake::ingest_test
