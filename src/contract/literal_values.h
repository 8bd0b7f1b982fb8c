#pragma once
// The values a contract writes as text and runlake must understand before any row arrives:
// min/max bounds, window dates and date/timestamp formats. Checked when a contract loads,
// so a bound that can never parse fails `dataset apply`, not every row of a run.

#include <optional>
#include <string>
#include <string_view>

#include "runlake/contract.h"

namespace runlake::contract_internal {

// A bound's position on its column type's order, for min <= max: int64 and decimal(P,S)
// values as integers scaled by 10^S, dates as days and timestamps as microseconds since
// 1970-01-01 (UTC). nullopt when `text` is not a value of the type: int64 -?[0-9]+ in range;
// decimal -?[0-9]+(.[0-9]+)? with at most S fraction and P-S integer digits; date YYYY-MM-DD;
// timestamp YYYY-MM-DD, optionally with [T ]HH:MM:SS[.fraction][Z] (UTC). Strings and
// booleans have no order: always nullopt.
std::optional<__int128> BoundValue(std::string_view text, const ColumnType& type);

// A calendar date YYYY-MM-DD (days since 1970-01-01), or nullopt.
std::optional<int64_t> IsoDateDays(std::string_view text);

// "" when `format` is a strptime-style format runlake's parser supports (%Y %m %d %H %M %S %f
// %z %%, as the rules file's timestamp_formats; a date column's only %Y %m %d %%), else the
// problem.
std::string TimeFormatProblem(std::string_view format, ColumnKind kind);

}  // namespace runlake::contract_internal
