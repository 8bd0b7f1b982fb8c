// ParseScaledDecimal as decimal(16,2) (the transactions amount) against its sentence in DESIGN.md, written with <regex> and strings:
// -?[0-9]+(\.[0-9]{1,2})? whose value, leading zeros dropped, has at most 14 integer digits.

#include <cstddef>
#include <cstdint>
#include <regex>
#include <string>

#include "fuzz_check.h"
#include "ingest/number_text.h"

namespace {

bool Reference(const std::string& s, int64_t* cents) {
  static const std::regex re("(-?)([0-9]+)(?:\\.([0-9]{1,2}))?");
  std::smatch m;
  if (!std::regex_match(s, m, re)) return false;
  std::string units = m[2].str();
  units.erase(0, std::min(units.find_first_not_of('0'), units.size()));
  if (units.size() > 14) return false;
  std::string frac = m[3].str();
  while (frac.size() < 2) frac += '0';
  int64_t v = (units.empty() ? 0 : std::stoll(units)) * 100 + std::stoll(frac);
  *cents = m[1].length() ? -v : v;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string s(reinterpret_cast<const char*>(data), size);
  int64_t got = 0, want = 0;
  bool ok = runlake::ParseScaledDecimal(s, 16, 2, &got);
  bool ref = Reference(s, &want);
  runlake::fuzz::Check(ok == ref, "'" + s + "': parser " + (ok ? "accepts" : "rejects") +
                                      ", reference " + (ref ? "accepts" : "rejects"));
  runlake::fuzz::Check(!ok || got == want, "'" + s + "': " + std::to_string(got) +
                                               " cents, reference " + std::to_string(want));
  return 0;
}
