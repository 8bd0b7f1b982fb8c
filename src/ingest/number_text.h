#pragma once
// Exact numbers from text for contract columns (DESIGN.md "Datasets are declared in
// contracts", Types): never through a double, no exponent, no thousands separator, no '+',
// no rounding.

#include <cstdint>
#include <string_view>

namespace runlake {

// -?[0-9]+(\.[0-9]+)? with at most `scale` fraction digits and at most precision - scale
// integer digits once leading zeros are dropped ("007.50" is 7.50); "-0" is 0. *out is the
// value * 10^scale. Int is int64_t for precision <= 18 (the common case, and cheaper than
// 128-bit arithmetic) and __int128 up to 38: every accepted value fits.
template <class Int>
bool ParseScaledDecimal(std::string_view s, int precision, int scale, Int* out) {
  size_t i = 0;
  const size_t n = s.size();
  const bool negative = n > 0 && s[0] == '-';
  i += negative;
  const size_t int_begin = i;
  while (i < n && static_cast<unsigned>(s[i] - '0') <= 9) ++i;
  const size_t int_end = i;
  if (int_end == int_begin) return false;
  size_t significant = int_begin;
  while (significant < int_end && s[significant] == '0') ++significant;
  if (int_end - significant > static_cast<size_t>(precision - scale)) return false;
  Int v = 0;
  for (size_t k = significant; k < int_end; ++k) v = v * 10 + (s[k] - '0');
  int digits = 0;
  if (i < n) {
    if (s[i] != '.') return false;
    ++i;
    const size_t frac_begin = i;
    while (i < n && static_cast<unsigned>(s[i] - '0') <= 9) ++i;
    if (i == frac_begin || i != n || i - frac_begin > static_cast<size_t>(scale)) return false;
    for (size_t k = frac_begin; k < i; ++k) v = v * 10 + (s[k] - '0');
    digits = static_cast<int>(i - frac_begin);
  }
  for (; digits < scale; ++digits) v *= 10;
  *out = negative ? -v : v;
  return true;
}

// -?[0-9]+ within int64's range (leading zeros allowed).
inline bool ParseInt64Text(std::string_view s, int64_t* out) {
  __int128 v = 0;
  // 19 integer digits hold every int64 (and a few values beyond, refused below); scale 0
  // refuses any '.'.
  if (!ParseScaledDecimal(s, 19, 0, &v)) return false;
  if (v > INT64_MAX || v < INT64_MIN) return false;
  *out = static_cast<int64_t>(v);
  return true;
}

}  // namespace runlake
