// Contract type names (see runlake/contract.h).

#include <re2/re2.h>

#include "runlake/contract.h"

namespace runlake {

std::string ColumnType::ToString() const {
  switch (kind) {
    case ColumnKind::kString:
      return "string";
    case ColumnKind::kInt64:
      return "int64";
    case ColumnKind::kDecimal:
      return "decimal(" + std::to_string(precision) + "," + std::to_string(scale) + ")";
    case ColumnKind::kBoolean:
      return "boolean";
    case ColumnKind::kDate:
      return "date";
    case ColumnKind::kTimestamp:
      return "timestamp";
  }
  return "?";
}

Result<ColumnType> ParseColumnType(std::string_view text) {
  static constexpr std::pair<std::string_view, ColumnKind> kPlain[] = {
      {"string", ColumnKind::kString},
      {"int64", ColumnKind::kInt64},
      {"boolean", ColumnKind::kBoolean},
      {"date", ColumnKind::kDate},
      {"timestamp", ColumnKind::kTimestamp}};
  for (const auto& [name, kind] : kPlain) {
    if (text == name) return ColumnType{kind, 0, 0};
  }
  static const RE2 kDecimal(R"(decimal\( *([0-9]{1,3}) *, *([0-9]{1,3}) *\))");
  int precision = 0, scale = 0;
  if (!RE2::FullMatch(text, kDecimal, &precision, &scale)) {
    return Status::InvalidArgument("unknown type '" + std::string(text) +
                                   "' (types: string, int64, decimal(P,S), boolean, date, "
                                   "timestamp)");
  }
  // DuckDB's DECIMAL stops at 38 digits; a scale beyond the precision has no integer part.
  if (precision < 1 || precision > 38) {
    return Status::InvalidArgument("decimal precision " + std::to_string(precision) +
                                   " is out of range 1..38");
  }
  if (scale > precision) {
    return Status::InvalidArgument("decimal scale " + std::to_string(scale) +
                                   " is out of range 0.." + std::to_string(precision));
  }
  return ColumnType{ColumnKind::kDecimal, precision, scale};
}

std::string ColumnType::SqlType() const {
  switch (kind) {
    case ColumnKind::kString:
      return "VARCHAR";
    case ColumnKind::kInt64:
      return "BIGINT";
    case ColumnKind::kDecimal:
      return "DECIMAL(" + std::to_string(precision) + "," + std::to_string(scale) + ")";
    case ColumnKind::kBoolean:
      return "BOOLEAN";
    case ColumnKind::kDate:
      return "DATE";
    case ColumnKind::kTimestamp:
      return "TIMESTAMP";
  }
  return "VARCHAR";
}

}  // namespace runlake
