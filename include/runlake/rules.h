#pragma once
// Validation rules: the JSON rules file of DESIGN.md ("Rows"). Every key is optional;
// missing keys take the built-in defaults (full ISO-4217 list, ISO-8601 UTC formats).

#include <cstdint>
#include <string>
#include <vector>

#include "runlake/status.h"

namespace runlake {

struct QualityGate {
  double max_quarantine_rate = 0.05;  // passes when quarantined/input < this
  int64_t max_condemned_rows = 100;   // passes when condemned < this
};

struct Rules {
  std::vector<std::string> currencies;         // exact-match allowlist
  std::vector<std::string> timestamp_formats;  // strptime-style, UTC
  int max_attempts = 3;
  QualityGate gate;
  std::string hash;  // SHA-256 hex of the rules file bytes ("" text for defaults)

  static Rules Defaults();
};

// Parses rules JSON text. InvalidArgument names `origin` (a file name) and the problem.
Result<Rules> ParseRules(const std::string& json_text, const std::string& origin);
// Reads and parses a rules file; IOError/NotFound name the path.
Result<Rules> LoadRulesFile(const std::string& path);

}  // namespace runlake
