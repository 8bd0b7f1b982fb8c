#pragma once
// Amounts as exact DECIMAL(16,2): parsed straight into int64 cents, never through a
// double (0.07 must stay 7 cents, not 6.9999...).

#include <cstdint>
#include <string_view>

namespace runlake {

// Accepts -?[0-9]+(\.[0-9]{1,2})? whose value fits DECIMAL(16,2): at most 14 integer
// digits once leading zeros are dropped ("007.50" is 7.50). Rejects '+', exponents,
// thousands separators, a bare ".5" or "5.", and anything else. "-0" is 0.
inline bool ParseAmountCents(std::string_view s, int64_t* cents) {
  size_t i = 0, n = s.size();
  bool negative = n > 0 && s[0] == '-';
  i += negative;
  size_t int_begin = i;
  // Any number of leading zeros is allowed, so scan every digit (only the significant
  // ones are accumulated, below).
  while (i < n && static_cast<unsigned>(s[i] - '0') <= 9) ++i;
  size_t int_end = i;
  if (int_end == int_begin) return false;
  size_t significant = int_begin;
  while (significant < int_end && s[significant] == '0') ++significant;
  if (int_end - significant > 14) return false;
  int64_t units = 0;
  for (size_t k = significant; k < int_end; ++k) units = units * 10 + (s[k] - '0');
  int64_t frac = 0;
  if (i < n) {
    if (s[i] != '.') return false;
    ++i;
    size_t frac_begin = i;
    while (i < n && static_cast<unsigned>(s[i] - '0') <= 9) ++i;
    size_t digits = i - frac_begin;
    if (digits == 0 || digits > 2 || i != n) return false;
    for (size_t k = frac_begin; k < i; ++k) frac = frac * 10 + (s[k] - '0');
    if (digits == 1) frac *= 10;
  }
  int64_t value = units * 100 + frac;
  *cents = negative ? -value : value;
  return true;
}

}  // namespace runlake
