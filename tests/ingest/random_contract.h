#pragma once
// Random contracts and records for RowPlan's differential tests (row_plan_differential_test.cc
// and tests/fuzz/row_plan_fuzz.cc): every type, every check, reasons of their own, a shuffled
// check_order and header; fields drawn from valid values, near misses and broken bytes.
// `Pick` is any callable size_t(size_t n) giving a number below n: a seeded generator in
// the tests (SeededPick), the fuzzer's bytes in the fuzz targets (BytePick).

#include <re2/re2.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "runlake/contract.h"

namespace runlake::random_contract {

// splitmix64: the same sequence on every machine.
class SeededPick {
 public:
  explicit SeededPick(uint64_t seed) : s_(seed) {}
  size_t operator()(size_t n) {
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return static_cast<size_t>((z ^ (z >> 31)) % n);
  }

 private:
  uint64_t s_;
};

// The fuzzer's bytes as choices; once they run out every choice is 0.
class BytePick {
 public:
  BytePick(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  size_t operator()(size_t n) {
    if (n <= 1) return 0;
    uint32_t v = 0;
    for (int i = 0; i < (n > 256 ? 2 : 1); ++i) v = (v << 8) | (pos_ < size_ ? data_[pos_++] : 0);
    return v % n;
  }
  bool exhausted() const { return pos_ >= size_; }

 private:
  const uint8_t* data_;
  size_t size_, pos_ = 0;
};

template <class Pick>
const std::string& OneOf(Pick& pick, const std::vector<std::string>& values) {
  return values[pick(values.size())];
}

inline const std::vector<std::string>& DateFormats() {
  static const std::vector<std::string> v = {"%Y-%m-%d", "%d/%m/%Y", "%Y%m%d", "%Y-%m"};
  return v;
}

inline const std::vector<std::string>& TimestampFormats() {
  static const std::vector<std::string> v = {"%Y-%m-%dT%H:%M:%SZ",  "%Y-%m-%dT%H:%M:%S.%fZ",
                                             "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M",
                                             "%d/%m/%Y %H:%M:%S",   "%Y-%m-%d"};
  return v;
}

// Values of each kind, valid and not, for fields and (the valid ones) for bounds.
inline const std::vector<std::string>& Samples(ColumnKind kind) {
  static const std::vector<std::string> kNumbers = {"0",
                                                    "1",
                                                    "-1",
                                                    "42",
                                                    "007",
                                                    "-0",
                                                    "1.5",
                                                    "-12.34",
                                                    "0.00000001",
                                                    "12.345",
                                                    "1.",
                                                    ".5",
                                                    "+1",
                                                    "1e3",
                                                    "1,000",
                                                    "abc",
                                                    "-",
                                                    "999999999999999999",
                                                    "9223372036854775807",
                                                    "-9223372036854775808",
                                                    "9223372036854775808",
                                                    "12345678901234567890.0123456789",
                                                    "99999999999999999999999999999999999999"};
  static const std::vector<std::string> kBooleans = {"true", "false", "1",   "0", "Y",
                                                     "no",   "TRUE",  "yes", "2"};
  static const std::vector<std::string> kDates = {
      "2024-03-01", "2000-01-01", "1999-12-31", "01/03/2024", "20240301",   "2024-02-29",
      "2023-02-29", "2024-13-01", "2024-03",    "0001-01-01", "9999-12-31", "2024-3-1"};
  static const std::vector<std::string> kTimestamps = {"2024-03-01T10:00:00Z",
                                                       "2024-03-01T10:00:00.5Z",
                                                       "2024-03-01T10:00:00.1234567891Z",
                                                       "2024-03-01T23:30:00-05:00",
                                                       "2024-03-01T00:30:00+0130",
                                                       "2024-03-01 10:00",
                                                       "01/03/2024 10:00:00",
                                                       "2024-03-01",
                                                       "1999-12-31T23:59:59Z",
                                                       "2024-03-02T00:00:00Z",
                                                       "2024-03-01T24:00:00Z",
                                                       "2024-03-01T10:00:00+24:00",
                                                       "2024-03-01T10:00:60Z"};
  static const std::vector<std::string> kStrings = {"EUR",
                                                    "USD",
                                                    "XXX",
                                                    "eur",
                                                    "abc",
                                                    "ABCD",
                                                    "x1x",
                                                    "12",
                                                    "2024-01-01",
                                                    "\xc3\xa9t\xc3\xa9",
                                                    "\xe6\x97\xa5\xe6\x9c\xac",
                                                    "a b",
                                                    "MID",
                                                    "toolongvalue"};
  switch (kind) {
    case ColumnKind::kInt64:
    case ColumnKind::kDecimal:
      return kNumbers;
    case ColumnKind::kBoolean:
      return kBooleans;
    case ColumnKind::kDate:
      return kDates;
    case ColumnKind::kTimestamp:
      return kTimestamps;
    case ColumnKind::kString:
      break;
  }
  return kStrings;
}

template <class Pick>
ColumnType RandomType(Pick& pick) {
  ColumnType t;
  t.kind = static_cast<ColumnKind>(pick(6));
  if (t.kind == ColumnKind::kDecimal) {
    t.precision = 1 + static_cast<int>(pick(38));
    t.scale = static_cast<int>(pick(static_cast<size_t>(t.precision) + 1));
  }
  return t;
}

// Bounds as the contract writes them: numbers, dates and timestamps in the loader's forms.
template <class Pick>
std::string RandomBound(Pick& pick, const ColumnType& t) {
  switch (t.kind) {
    case ColumnKind::kDate:
      return OneOf(pick, {"2000-01-01", "2024-03-01", "2024-02-15"});
    case ColumnKind::kTimestamp:
      return OneOf(pick, {"2000-01-01", "2024-03-01T10:00:00", "2024-03-01 12:00:00.5Z",
                          "2024-03-01T00:00:00Z"});
    default:
      break;
  }
  // Numbers that fit the precision and scale: decimal(P,P) has no integer digit.
  if (t.kind == ColumnKind::kDecimal && t.precision == t.scale) {
    return OneOf(pick, {"0", "0.1", "-0.5"});
  }
  return t.scale > 0 ? OneOf(pick, {"0", "1.5", "-1", "0.1"}) : OneOf(pick, {"0", "1", "-1", "7"});
}

template <class Pick>
Column RandomColumn(Pick& pick, size_t i) {
  Column c;
  c.name = "c" + std::to_string(i);
  c.from = "H" + std::to_string(i);
  c.type = RandomType(pick);
  const ColumnKind k = c.type.kind;
  if (k == ColumnKind::kDate || k == ColumnKind::kTimestamp) {
    const auto& all = k == ColumnKind::kDate ? DateFormats() : TimestampFormats();
    for (size_t n = 1 + pick(3); n > 0; --n) c.formats.push_back(OneOf(pick, all));
    if (pick(2)) c.window = DateWindow{};
    if (c.window && pick(2)) c.window->not_before = OneOf(pick, {"2000-01-01", "2024-03-01"});
    if (c.window && pick(2)) c.window->max_days_after_ingest = static_cast<int>(pick(3));
  }
  if (k == ColumnKind::kBoolean) {
    c.true_values = {"true", "1"};
    c.false_values = {"false", "0"};
    if (pick(2)) c.true_values = {"Y", "yes"}, c.false_values = {"N", "no"};
  }
  c.required = pick(2);
  c.trim = pick(4) != 0;
  if (pick(4) == 0) {
    if (k == ColumnKind::kString && pick(2)) {
      c.enum_iso4217 = true;
    } else {
      for (size_t n = 1 + pick(3); n > 0; --n) {
        const std::string& v = OneOf(pick, Samples(k));
        if (std::find(c.enum_values.begin(), c.enum_values.end(), v) == c.enum_values.end()) {
          c.enum_values.push_back(v);
        }
      }
    }
  }
  if (pick(4) == 0) {
    c.pattern = OneOf(pick, {"[A-Z]{2,4}", "[a-z0-9]+", "-?[0-9]+(\\.[0-9]+)?", ".*x.*",
                             "[0-9]{4}-[0-9]{2}-[0-9]{2}.*", "\\p{L}+"});
    c.pattern_re = std::make_shared<const RE2>(*c.pattern);
  }
  if (pick(5) == 0) c.min_length = static_cast<int64_t>(pick(4));
  if (pick(5) == 0) c.max_length = static_cast<int64_t>(1 + pick(8));
  if (k != ColumnKind::kString && k != ColumnKind::kBoolean) {
    if (pick(3) == 0) c.min = RandomBound(pick, c.type);
    if (pick(3) == 0) c.max = RandomBound(pick, c.type);
  }
  if (pick(5) == 0) c.reason = OneOf(pick, {"R_ONE", "R_TWO", "TYPE_ERROR", "NULL_VALUE_ERROR"});
  return c;
}

template <class Pick>
Contract RandomContract(Pick& pick) {
  Contract contract;
  contract.dataset = "test/random";
  SchemaVersion v;
  v.name = "v1";
  const size_t columns = 1 + pick(6);
  for (size_t i = 0; i < columns; ++i) v.columns.push_back(RandomColumn(pick, i));
  for (const Column& c : v.columns) v.check_order.push_back(c.name);
  for (size_t i = v.check_order.size(); i > 1; --i)
    std::swap(v.check_order[i - 1], v.check_order[pick(i)]);
  contract.schemas.push_back(std::move(v));
  return contract;
}

// The bronze header: every column's `from` shuffled, sometimes an extra column, rarely a
// column missing or twice (the run must fail then).
template <class Pick>
std::vector<std::string> RandomHeader(Pick& pick, const SchemaVersion& v) {
  std::vector<std::string> header;
  for (const Column& c : v.columns) header.push_back(pick(3) == 0 ? " " + c.from + " " : c.from);
  if (pick(2)) header.push_back("Extra");
  if (pick(20) == 0) header.erase(header.begin() + static_cast<long>(pick(header.size())));
  if (pick(20) == 0) header.push_back(v.columns[pick(v.columns.size())].from);
  for (size_t i = header.size(); i > 1; --i) std::swap(header[i - 1], header[pick(i)]);
  return header;
}

template <class Pick>
std::string RandomField(Pick& pick, ColumnKind kind) {
  std::string s;
  switch (pick(12)) {
    case 0:
      return "";
    case 1:
      return std::string(1 + pick(3), ' ');
    case 2:
      s = OneOf(pick, Samples(static_cast<ColumnKind>(pick(6))));
      break;
    default:
      s = OneOf(pick, Samples(kind));
  }
  switch (pick(10)) {
    case 0:
      return " " + s;
    case 1:
      return s + "  ";
    case 2:
      return s + OneOf(pick, {std::string("\xff"), std::string(1, '\0'), "\xEF\xBB\xBF", "\xc3",
                              "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc0\xaf"});
    case 3:
      if (!s.empty()) s[pick(s.size())] = static_cast<char>('0' + pick(10));
      return s;
    default:
      return s;
  }
}

// One record for `header`: usually one field per header column, sometimes one too few or
// too many.
template <class Pick>
std::vector<std::string> RandomRecord(Pick& pick, const SchemaVersion& v,
                                      const std::vector<std::string>& header) {
  std::vector<std::string> fields;
  for (const std::string& h : header) {
    ColumnKind kind = ColumnKind::kString;
    for (const Column& c : v.columns) {
      if (c.from == h || " " + c.from + " " == h) kind = c.type.kind;
    }
    fields.push_back(RandomField(pick, kind));
  }
  if (pick(25) == 0) fields.pop_back();
  if (pick(25) == 0) fields.push_back("more");
  return fields;
}

}  // namespace runlake::random_contract
