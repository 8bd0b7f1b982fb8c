#pragma once
// Validation rules: the JSON rules file of DESIGN.md ("Rows"). Every key is optional;
// missing keys take the built-in defaults (full ISO-4217 list, ISO-8601 UTC formats).

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "runlake/status.h"

namespace runlake {

struct QualityGate {
  double max_quarantine_rate = 0.05;  // passes when quarantined/input < this
  int64_t max_condemned_rows = 100;   // passes when condemned < this
};

// Timestamps outside this window are TIMESTAMP_ERROR: a year-9999 typo would otherwise pass
// and make gold carry every account forward to 9999-12. Bounds are whole UTC days; an
// unset bound (JSON null) is no bound.
struct TxDateWindow {
  std::optional<std::string> not_before = "1900-01-01";  // YYYY-MM-DD: tx_date >= its 00:00
  // The tx_date's UTC day is at most this many days after the source's ingest_date.
  std::optional<int> max_days_after_ingest = 1;
};

struct Rules {
  std::vector<std::string> currencies;         // exact-match allowlist
  std::vector<std::string> timestamp_formats;  // strptime-style, UTC
  int max_attempts = 3;
  QualityGate gate;
  TxDateWindow tx_date_window;
  // Longest record (its bytes without the line end). A longer line is quarantined as
  // SCHEMA_ERROR, keeping only its first bytes in raw_record; the reader's memory grows
  // with this limit.
  int64_t max_record_bytes = int64_t{8} << 20;
  // SHA-256 hex of the rules file bytes; for Defaults(), of CanonicalJson() of the defaults.
  std::string hash;
  // The top-level keys the rules file gave (empty for Defaults()). Only these override a
  // dataset contract (DESIGN.md "Revisions"): a rules file that leaves `max_attempts` out
  // keeps the contract's, not the default's.
  std::set<std::string> given;

  bool Gives(const std::string& key) const { return given.count(key) > 0; }

  static Rules Defaults();
  // The rules as JSON with sorted keys and no whitespace (the "hash" is not part of it).
  // ParseRules(r.CanonicalJson()) gives back the same rules.
  std::string CanonicalJson() const;
};

// The active ISO-4217 alphabetic codes (list A.1, including fund and precious-metal
// codes; without XTS "testing" and XXX "no currency", which are not transaction
// currencies). Sorted.
const std::vector<std::string>& Iso4217Codes();

// Parses rules JSON text; the hash is the SHA-256 of `json_text`. InvalidArgument names
// `origin` (a file name) and the problem: "rules.json: line 3 column 7: <syntax problem>",
// "rules.json: unknown key 'gates'", "rules.json: 'max_attempts' must be an integer >= 1".
// `tx_date_window` is null (no bounds) or an object whose keys `not_before` (a date or null)
// and `max_days_after_ingest` (an integer >= 0 or null) are optional; `max_record_bytes` is
// an integer from 1024 to 1 GiB.
// Timestamp formats are checked here (only %Y %m %d %H %M %S %f %z %% are supported).
Result<Rules> ParseRules(const std::string& json_text, const std::string& origin);
// Reads and parses a rules file. NotFound for a missing file; InvalidArgument (naming the
// path) for one that cannot be read or parsed: a rules file is user input.
Result<Rules> LoadRulesFile(const std::string& path);

}  // namespace runlake
