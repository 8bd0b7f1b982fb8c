// Contract literals (see literal_values.h).

#include "contract/literal_values.h"

#include <cctype>
#include <cstdint>

namespace runlake::contract_internal {
namespace {

// Reads exactly `n` digits at text[*pos]; false when they are not there.
bool Digits(std::string_view text, size_t* pos, size_t n, int64_t* out) {
  if (text.size() < *pos + n) return false;
  int64_t v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = text[*pos + i];
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    v = v * 10 + (c - '0');
  }
  *pos += n;
  *out = v;
  return true;
}

bool Literal(std::string_view text, size_t* pos, char c) {
  if (*pos >= text.size() || text[*pos] != c) return false;
  ++*pos;
  return true;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::optional<int64_t> DateAt(std::string_view text, size_t* pos) {
  int64_t y, m, d;
  if (!Digits(text, pos, 4, &y) || !Literal(text, pos, '-') || !Digits(text, pos, 2, &m) ||
      !Literal(text, pos, '-') || !Digits(text, pos, 2, &d)) {
    return std::nullopt;
  }
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (m < 1 || m > 12 || d < 1 || d > kDays[m - 1] || (m == 2 && d == 29 && !leap)) {
    return std::nullopt;
  }
  return DaysFromCivil(y, m, d);
}

std::optional<__int128> TimestampMicros(std::string_view text) {
  size_t pos = 0;
  std::optional<int64_t> days = DateAt(text, &pos);
  if (!days) return std::nullopt;
  __int128 micros = static_cast<__int128>(*days) * 86400 * 1000000;
  if (pos == text.size()) return micros;
  int64_t h, mi, s;
  if (!(Literal(text, &pos, 'T') || Literal(text, &pos, ' ')) || !Digits(text, &pos, 2, &h) ||
      !Literal(text, &pos, ':') || !Digits(text, &pos, 2, &mi) || !Literal(text, &pos, ':') ||
      !Digits(text, &pos, 2, &s) || h > 23 || mi > 59 || s > 59) {
    return std::nullopt;
  }
  micros += ((h * 60 + mi) * 60 + s) * int64_t{1000000};
  if (Literal(text, &pos, '.')) {
    int64_t frac = 0, n = 0, digit = 0;
    while (n < 9 && Digits(text, &pos, 1, &digit)) frac = frac * 10 + digit, ++n;
    if (n == 0) return std::nullopt;
    for (; n < 6; ++n) frac *= 10;
    for (; n > 6; --n) frac /= 10;  // microseconds, truncated as the row parser does
    micros += frac;
  }
  Literal(text, &pos, 'Z');
  if (pos != text.size()) return std::nullopt;
  return micros;
}

std::optional<__int128> DecimalScaled(std::string_view text, int precision, int scale) {
  size_t pos = 0;
  bool negative = Literal(text, &pos, '-');
  __int128 v = 0;
  int integer_digits = 0, fraction_digits = 0;
  bool any = false, dot = false;
  for (; pos < text.size(); ++pos) {
    char c = text[pos];
    if (c == '.' && !dot && any) {
      dot = true;
      continue;
    }
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    any = true;
    if (dot) {
      ++fraction_digits;
    } else if (integer_digits > 0 || c != '0') {
      ++integer_digits;  // leading zeros take no room
    }
    if (integer_digits > precision || fraction_digits > scale) return std::nullopt;
    v = v * 10 + (c - '0');
  }
  if (!any || text.back() == '.' || integer_digits > precision - scale) return std::nullopt;
  for (; fraction_digits < scale; ++fraction_digits) v *= 10;
  return negative ? -v : v;
}

}  // namespace

std::optional<int64_t> IsoDateDays(std::string_view text) {
  size_t pos = 0;
  std::optional<int64_t> days = DateAt(text, &pos);
  if (!days || pos != text.size()) return std::nullopt;
  return days;
}

std::optional<__int128> BoundValue(std::string_view text, const ColumnType& type) {
  switch (type.kind) {
    case ColumnKind::kInt64: {
      // 19 digits hold every int64; checked against its range after reading as decimal.
      std::optional<__int128> v = DecimalScaled(text, 19, 0);
      if (!v || *v > INT64_MAX || *v < INT64_MIN) return std::nullopt;
      return v;
    }
    case ColumnKind::kDecimal:
      return DecimalScaled(text, type.precision, type.scale);
    case ColumnKind::kDate: {
      std::optional<int64_t> days = IsoDateDays(text);
      if (!days) return std::nullopt;
      return *days;
    }
    case ColumnKind::kTimestamp:
      return TimestampMicros(text);
    case ColumnKind::kString:
    case ColumnKind::kBoolean:
      return std::nullopt;
  }
  return std::nullopt;
}

std::string TimeFormatProblem(std::string_view format, ColumnKind kind) {
  const bool date = kind == ColumnKind::kDate;
  const std::string_view allowed = date ? "Ymd%" : "YmdHMSfz%";
  if (format.empty()) return "a format must not be empty";
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') continue;
    if (++i == format.size()) return "format '" + std::string(format) + "' ends with a lone '%'";
    if (allowed.find(format[i]) == std::string_view::npos) {
      return "unsupported directive %" + std::string(1, format[i]) + " in format '" +
             std::string(format) + "' (supported" + (date ? " for a date" : "") + ": " +
             (date ? "%Y %m %d %%" : "%Y %m %d %H %M %S %f %z %%") + ")";
    }
  }
  return "";
}

}  // namespace runlake::contract_internal
