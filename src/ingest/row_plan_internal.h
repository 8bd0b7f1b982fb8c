#pragma once
// What RowPlan compiles one column into (row_plan.h); shared by row_plan.cc (compiling) and
// row_plan_eval.cc (evaluating) only.

#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "ingest/row_plan.h"
#include "ingest/timestamp_format.h"

namespace re2 {
class RE2;
}

namespace runlake {

struct RowPlan::ColumnPlan {
  uint32_t field = 0;  // index in the record's fields
  uint32_t slot = 0;   // index in slots(), = column order
  uint32_t word = 0;   // PlanRow word of its value
  ColumnKind kind = ColumnKind::kString;
  int precision = 0, scale = 0;
  bool required = false, trim = true;

  TimestampParser times;  // date and timestamp columns: the formats, in order
  std::vector<std::string> true_values, false_values;

  // Value checks on the (trimmed) text.
  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  bool has_enum = false;
  // Looked up by the field's view, no string built (ISO-4217 has 180 codes).
  std::unordered_set<std::string, TextHash, std::equal_to<>> enum_values;
  std::shared_ptr<const re2::RE2> pattern;
  std::optional<int64_t> min_length, max_length;
  // Range and window on the parsed value (days for dates, micros for timestamps).
  std::optional<__int128> min, max;
  bool has_window = false;
  std::optional<int64_t> not_before_day, max_days_after_ingest;

  uint16_t parse_reason = 0, domain_reason = 0, range_reason = 0, window_reason = 0;
};

}  // namespace runlake
