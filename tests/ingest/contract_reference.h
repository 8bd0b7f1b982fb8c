#pragma once
// A reference for RowPlan (src/ingest/row_plan.h): DESIGN.md's "Datasets are declared in
// contracts" read as plainly as possible, slow on purpose. It shares nothing with RowPlan
// but the Contract model, RE2 (the regular expressions' meaning) and the ISO-4217 table (data,
// not logic): every parser here is its own, written from the text, so the differential tests
// compare two readings of the design, not one piece of code with itself.
//
// Not covered: the rules file's overrides (RowPlan's transactions test checks those against
// today's RowValidator) and the key (it needs the source's earlier rows).

#include <re2/re2.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "runlake/contract.h"
#include "runlake/rules.h"

namespace runlake::reference {

struct Value {
  bool null = true;                // empty, or did not parse
  std::string text;                // the field after trimming
  std::optional<__int128> number;  // int64, decimal * 10^S, boolean 0/1, days, micros
};

struct Outcome {
  std::vector<std::string> reasons;  // in order, each once
  std::vector<Value> values;         // column order
};

inline std::string Trimmed(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && s[b] == ' ') ++b;
  while (e > b && s[e - 1] == ' ') --e;
  return s.substr(b, e - b);
}

inline bool AllSpaces(const std::string& s) {
  for (char c : s) {
    if (c != ' ') return false;
  }
  return true;
}

// Valid UTF-8 (RFC 3629), no NUL, and no U+FEFF (a byte order mark inside a record).
inline bool CleanText(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = s[i];
    uint32_t cp;
    int extra;
    if (c < 0x80) {
      cp = c, extra = 0;
    } else if (c >= 0xC0 && c < 0xE0) {
      cp = c & 0x1F, extra = 1;
    } else if (c >= 0xE0 && c < 0xF0) {
      cp = c & 0x0F, extra = 2;
    } else if (c >= 0xF0 && c < 0xF8) {
      cp = c & 0x07, extra = 3;
    } else {
      return false;
    }
    if (i + extra >= s.size()) return false;  // the sequence runs past the end
    for (int k = 1; k <= extra; ++k) {
      const unsigned char b = s[i + k];
      if ((b & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3F);
    }
    const uint32_t smallest[] = {0, 0x80, 0x800, 0x10000};
    if (cp < smallest[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    if (cp == 0 || cp == 0xFEFF) return false;
    i += extra + 1;
  }
  return true;
}

inline bool AllDigits(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// -?[0-9]+(\.[0-9]+)?, at most `scale` fraction and precision - scale integer digits
// (leading zeros take no room).
inline std::optional<__int128> Decimal(const std::string& text, int precision, int scale) {
  std::string s = text;
  bool negative = false;
  if (!s.empty() && s[0] == '-') negative = true, s = s.substr(1);
  std::string whole = s, fraction;
  const size_t dot = s.find('.');
  if (dot != std::string::npos) {
    whole = s.substr(0, dot);
    fraction = s.substr(dot + 1);
    if (!AllDigits(fraction)) return std::nullopt;
  }
  if (!AllDigits(whole)) return std::nullopt;
  while (whole.size() > 1 && whole[0] == '0') whole = whole.substr(1);
  if (whole == "0") whole = "";
  if (static_cast<int>(whole.size()) > precision - scale) return std::nullopt;
  if (static_cast<int>(fraction.size()) > scale) return std::nullopt;
  while (static_cast<int>(fraction.size()) < scale) fraction += '0';
  __int128 v = 0;
  for (char c : whole + fraction) v = v * 10 + (c - '0');
  return negative ? -v : v;
}

inline std::optional<__int128> Int64(const std::string& text) {
  if (text.find('.') != std::string::npos) return std::nullopt;
  std::optional<__int128> v = Decimal(text, 19, 0);
  if (!v || *v > INT64_MAX || *v < INT64_MIN) return std::nullopt;
  return v;
}

inline std::optional<int> Number(const std::string& s, size_t* pos, size_t width) {
  if (*pos + width > s.size()) return std::nullopt;
  std::string digits = s.substr(*pos, width);
  if (!AllDigits(digits)) return std::nullopt;
  *pos += width;
  return std::stoi(digits);
}

// One strptime-style format (%Y %m %d %H %M %S %f %z %%) against the whole text: UTC
// microseconds. Parts the format leaves out are 1970-01-01 00:00:00.
inline std::optional<__int128> TimeWith(const std::string& text, const std::string& format) {
  int year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0;
  int64_t micros = 0, offset_seconds = 0;
  size_t pos = 0;
  for (size_t f = 0; f < format.size(); ++f) {
    if (format[f] != '%' || f + 1 == format.size() || format[f + 1] == '%') {
      if (format[f] == '%') ++f;
      if (pos >= text.size() || text[pos] != format[f]) return std::nullopt;
      ++pos;
      continue;
    }
    const char d = format[++f];
    std::optional<int> v;
    if (d == 'Y') {
      v = Number(text, &pos, 4);
      if (v) year = *v;
    } else if (d == 'm' || d == 'd' || d == 'H' || d == 'M' || d == 'S') {
      v = Number(text, &pos, 2);
      if (v)
        (d == 'm' ? month : d == 'd' ? day : d == 'H' ? hour : d == 'M' ? minute : second) = *v;
    } else if (d == 'f') {
      std::string digits;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') digits += text[pos++];
      if (digits.empty() || digits.size() > 9) return std::nullopt;
      digits = (digits + "000000").substr(0, 6);
      micros = std::stoi(digits);
      v = 0;
    } else if (d == 'z') {
      if (pos < text.size() && text[pos] == 'Z') {
        ++pos;
        v = 0;
      } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
        const int sign = text[pos++] == '-' ? -1 : 1;
        std::optional<int> hh = Number(text, &pos, 2);
        if (pos < text.size() && text[pos] == ':') ++pos;
        std::optional<int> mm = Number(text, &pos, 2);
        if (!hh || !mm || *hh > 23 || *mm > 59) return std::nullopt;
        offset_seconds = sign * (*hh * 3600 + *mm * 60);
        v = 0;
      }
    } else {
      return std::nullopt;
    }
    if (!v) return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  using namespace std::chrono;
  const year_month_day date{std::chrono::year(year), std::chrono::month(month),
                            std::chrono::day(day)};
  if (!date.ok() || hour > 23 || minute > 59 || second > 59) return std::nullopt;
  const int64_t days = sys_days(date).time_since_epoch().count();
  const int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset_seconds;
  return __int128{seconds} * 1000000 + micros;
}

inline std::optional<__int128> Time(const std::string& text,
                                    const std::vector<std::string>& formats) {
  for (const std::string& f : formats) {
    if (auto v = TimeWith(text, f)) return v;
  }
  return std::nullopt;
}

inline __int128 DayOf(__int128 micros) {
  const __int128 day = __int128{86400} * 1000000;
  __int128 q = micros / day;
  if (micros % day != 0 && micros < 0) --q;
  return q;
}

// A min/max as the contract writes it: numbers as the column's type, dates YYYY-MM-DD,
// timestamps YYYY-MM-DD with an optional [T ]HH:MM:SS[.fraction][Z].
inline std::optional<__int128> BoundOf(const std::string& text, const ColumnType& type) {
  switch (type.kind) {
    case ColumnKind::kInt64:
      return Int64(text);
    case ColumnKind::kDecimal:
      return Decimal(text, type.precision, type.scale);
    case ColumnKind::kDate: {
      auto micros = TimeWith(text, "%Y-%m-%d");
      if (!micros) return std::nullopt;
      return DayOf(*micros);
    }
    case ColumnKind::kTimestamp:
      return Time(text, {"%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d %H:%M:%S",
                         "%Y-%m-%d %H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S.%fZ",
                         "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S.%fZ"});
    default:
      return std::nullopt;
  }
}

inline std::string ReasonOf(const Column& c, const char* fallback) {
  return c.reason ? *c.reason : fallback;
}

inline void Add(Outcome* out, const std::string& reason) {
  for (const std::string& r : out->reasons) {
    if (r == reason) return;
  }
  out->reasons.push_back(reason);
}

inline std::optional<__int128> Parse(const Column& c, const std::string& text) {
  switch (c.type.kind) {
    case ColumnKind::kString:
      return __int128{0};
    case ColumnKind::kInt64:
      return Int64(text);
    case ColumnKind::kDecimal:
      return Decimal(text, c.type.precision, c.type.scale);
    case ColumnKind::kBoolean:
      for (const std::string& t : c.true_values)
        if (t == text) return __int128{1};
      for (const std::string& f : c.false_values)
        if (f == text) return __int128{0};
      return std::nullopt;
    case ColumnKind::kDate: {
      auto micros = Time(text, c.formats);
      if (!micros) return std::nullopt;
      return DayOf(*micros);
    }
    case ColumnKind::kTimestamp:
      return Time(text, c.formats);
  }
  return std::nullopt;
}

inline void CheckColumn(const Column& c, const std::string& text, std::optional<int64_t> ingest_day,
                        Value* value, Outcome* out) {
  const char* time_reason = "TIMESTAMP_ERROR";
  const bool is_time = c.type.kind == ColumnKind::kDate || c.type.kind == ColumnKind::kTimestamp;
  std::optional<__int128> parsed = Parse(c, text);
  if (!parsed) Add(out, ReasonOf(c, is_time ? time_reason : "TYPE_ERROR"));
  if (parsed && c.type.kind != ColumnKind::kString) value->number = parsed;
  value->null = !parsed.has_value();

  bool domain = true;
  if (c.enum_iso4217) {
    bool found = false;
    for (const std::string& code : Iso4217Codes()) found = found || code == text;
    domain = found;
  } else if (!c.enum_values.empty()) {
    bool found = false;
    for (const std::string& v : c.enum_values) found = found || v == text;
    domain = found;
  }
  if (c.pattern && !RE2::FullMatch(text, RE2(*c.pattern))) domain = false;
  int64_t characters = 0;
  for (char ch : text) characters += (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
  if (c.min_length && characters < *c.min_length) domain = false;
  if (c.max_length && characters > *c.max_length) domain = false;
  if (!domain) Add(out, ReasonOf(c, "DOMAIN_ERROR"));
  if (!parsed) return;

  if ((c.min && *parsed < *BoundOf(*c.min, c.type)) ||
      (c.max && *parsed > *BoundOf(*c.max, c.type))) {
    Add(out, ReasonOf(c, "RANGE_ERROR"));
  }
  if (c.window) {
    const __int128 day = c.type.kind == ColumnKind::kDate ? *parsed : DayOf(*parsed);
    bool inside = true;
    if (c.window->not_before) {
      inside = inside && day >= DayOf(*TimeWith(*c.window->not_before, "%Y-%m-%d"));
    }
    if (c.window->max_days_after_ingest && ingest_day) {
      inside = inside && day - *ingest_day <= *c.window->max_days_after_ingest;
    }
    if (!inside) Add(out, ReasonOf(c, time_reason));
  }
}

// nullopt when the header lacks a column's `from` or names one twice (the run fails).
inline std::optional<Outcome> Check(const Contract& contract, const std::string& version,
                                    const std::vector<std::string>& header,
                                    const std::vector<std::string>& fields,
                                    std::optional<int64_t> ingest_day) {
  const SchemaVersion* schema = contract.FindSchema(version);
  if (schema == nullptr) return std::nullopt;
  std::vector<size_t> index;
  for (const Column& c : schema->columns) {
    std::vector<size_t> found;
    for (size_t i = 0; i < header.size(); ++i) {
      if (Trimmed(header[i]) == c.from) found.push_back(i);
    }
    if (found.size() != 1) return std::nullopt;
    index.push_back(found[0]);
  }
  Outcome out;
  out.values.resize(schema->columns.size());
  bool clean = true;
  for (const std::string& f : fields) clean = clean && CleanText(f);
  if (fields.size() != header.size()) {
    Add(&out, "SCHEMA_ERROR");
    if (!clean) Add(&out, "ENCODING_ERROR");
    return out;
  }
  if (!clean) Add(&out, "ENCODING_ERROR");
  for (size_t i = 0; i < schema->columns.size(); ++i) {
    const Column& c = schema->columns[i];
    const std::string& raw = fields[index[i]];
    out.values[i].text = AllSpaces(raw) ? "" : c.trim ? Trimmed(raw) : raw;
    if (out.values[i].text.empty() && c.required) Add(&out, "NULL_VALUE_ERROR");
  }
  for (const std::string& name : schema->check_order) {
    size_t i = 0;
    while (schema->columns[i].name != name) ++i;
    if (out.values[i].text.empty()) continue;
    CheckColumn(schema->columns[i], out.values[i].text, ingest_day, &out.values[i], &out);
  }
  return out;
}

}  // namespace runlake::reference
