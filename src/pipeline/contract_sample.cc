// `runlake sample --dataset D`: a CSV for any contract (DESIGN.md "Sample data for any
// contract"). Valid rows pass every check of the schema version; each invalid row breaks
// exactly one check, drawn from every check the version has, so a test knows each row's
// reason. Deterministic: the same contract, options and seed give the same bytes.

#include <re2/re2.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "common/civil_date.h"
#include "common/file_writer.h"
#include "contract/literal_values.h"
#include "ingest/row_plan.h"
#include "pipeline/sample_rng.h"
#include "runlake/contract.h"
#include "runlake/rules.h"
#include "runlake/sample.h"

namespace runlake {
namespace {

constexpr int64_t kDayMicros = int64_t{86400} * 1000000;

using Rng = SampleRng;  // Chance(p) as sample.cc draws it

// UTC micros written with a format of the contract's directives (%Y %m %d %H %M %S %f %z %%).
std::string FormatTime(const std::string& format, int64_t micros) {
  const int64_t days = micros / kDayMicros - (micros % kDayMicros < 0);
  const int64_t in_day = micros - days * kDayMicros;
  const CivilDate date = CivilFromDays(days);
  const int y = static_cast<int>(date.year), m = static_cast<int>(date.month), d = static_cast<int>(date.day);
  const int64_t secs = in_day / 1000000;
  std::string out;
  char buf[16];
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%' || i + 1 == format.size()) {
      out += format[i];
      continue;
    }
    switch (format[++i]) {
      case 'Y': std::snprintf(buf, sizeof buf, "%04d", y); break;
      case 'm': std::snprintf(buf, sizeof buf, "%02d", m); break;
      case 'd': std::snprintf(buf, sizeof buf, "%02d", d); break;
      case 'H': std::snprintf(buf, sizeof buf, "%02d", static_cast<int>(secs / 3600)); break;
      case 'M': std::snprintf(buf, sizeof buf, "%02d", static_cast<int>(secs / 60 % 60)); break;
      case 'S': std::snprintf(buf, sizeof buf, "%02d", static_cast<int>(secs % 60)); break;
      case 'f': std::snprintf(buf, sizeof buf, "%06d", static_cast<int>(in_day % 1000000)); break;
      case 'z': std::snprintf(buf, sizeof buf, "+0000"); break;
      default: std::snprintf(buf, sizeof buf, "%%"); break;
    }
    out += buf;
  }
  return out;
}

// A scaled decimal (value * 10^scale) as text.
std::string DecimalText(__int128 v, int scale) {
  const bool negative = v < 0;
  unsigned __int128 u = negative ? -static_cast<unsigned __int128>(v) : static_cast<unsigned __int128>(v);
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  } while (u != 0);
  while (static_cast<int>(digits.size()) <= scale) digits.insert(digits.begin(), '0');
  if (scale > 0) digits.insert(digits.end() - scale, '.');
  return (negative ? "-" : "") + digits;
}

__int128 Pow10(int n) {
  __int128 v = 1;
  while (n-- > 0) v *= 10;
  return v;
}

// Where a column's values may lie: [lo, hi] on its type's order (scaled decimals, days,
// micros), from its min/max, its window and the sample's dates.
struct Range {
  __int128 lo = 0, hi = 0;
};

class Generator {
 public:
  Generator(const SampleOptions& o, int64_t ingest_day, Rng* rng)
      : o_(o), ingest_day_(ingest_day), rng_(*rng) {}

  Range RangeOf(const Column& c) const {
    Range r;
    const ColumnType& t = c.type;
    switch (t.kind) {
      case ColumnKind::kInt64:
        r = {0, 1000000};
        break;
      case ColumnKind::kDecimal: {
        const __int128 limit = std::min<__int128>(Pow10(t.precision - t.scale) - 1, 100000) * Pow10(t.scale);
        r = {0, limit};
        break;
      }
      case ColumnKind::kDate:
      case ColumnKind::kTimestamp: {
        const __int128 unit = t.kind == ColumnKind::kDate ? 1 : kDayMicros;
        r = {(ingest_day_ - std::max(o_.span_days, 1) + 1) * unit, (ingest_day_ + 1) * unit - 1};
        if (c.window && c.window->max_days_after_ingest) {
          r.hi = std::min<__int128>(r.hi, (ingest_day_ + *c.window->max_days_after_ingest + 1) * unit - 1);
        }
        if (c.window && c.window->not_before) {
          if (auto nb = contract_internal::IsoDateDays(*c.window->not_before)) r.lo = std::max<__int128>(r.lo, *nb * unit);
        }
        break;
      }
      default:
        break;
    }
    if (c.min) {
      if (auto v = contract_internal::BoundValue(*c.min, t)) r.lo = std::max(r.lo, *v);
    }
    if (c.max) {
      if (auto v = contract_internal::BoundValue(*c.max, t)) r.hi = std::min(r.hi, *v);
    }
    if (c.min && r.hi < r.lo) r.hi = r.lo + (t.kind == ColumnKind::kDecimal ? Pow10(t.scale) * 100 : 100);
    return r;
  }

  std::string Text(const Column& c, __int128 v) const {
    switch (c.type.kind) {
      case ColumnKind::kDecimal:
        return DecimalText(v, c.type.scale);
      case ColumnKind::kDate:
        return FormatTime(c.formats.front(), static_cast<int64_t>(v) * kDayMicros);
      case ColumnKind::kTimestamp:
        return FormatTime(c.formats.front(), static_cast<int64_t>(v));
      default:
        return DecimalText(v, 0);
    }
  }

  // A valid value of `c` for row `row` (strings unique per row unless enum or pattern bind).
  Result<std::string> Valid(const Column& c, int64_t row) {
    if (!c.required && rng_.Chance(0.1)) return std::string();
    if (c.type.kind != ColumnKind::kString && !c.enum_values.empty()) {
      return c.enum_values[rng_.Next() % c.enum_values.size()];
    }
    switch (c.type.kind) {
      case ColumnKind::kBoolean:
        return rng_.Chance(0.5) ? c.true_values.front() : c.false_values.front();
      case ColumnKind::kString:
        return ValidString(c, row);
      default: {
        const Range r = RangeOf(c);
        const int64_t span = static_cast<int64_t>(std::min<__int128>(r.hi - r.lo, int64_t{1} << 60));
        return Text(c, r.lo + rng_.Between(0, std::max<int64_t>(span, 0)));
      }
    }
  }

  Result<std::string> ValidString(const Column& c, int64_t row) {
    if (c.enum_iso4217 || !c.enum_values.empty()) {
      const std::vector<std::string>& values = c.enum_iso4217 ? Iso4217() : c.enum_values;
      return values[rng_.Next() % values.size()];
    }
    if (c.pattern_re) {
      // Random texts from a few alphabets until one matches (RE2 decides, as a run does).
      static const char* kAlphabets[] = {"ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz",
                                         "0123456789", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
                                         "abcdefghijklmnopqrstuvwxyz0123456789_-"};
      for (int attempt = 0; attempt < 4000; ++attempt) {
        const std::string alphabet = kAlphabets[rng_.Next() % std::size(kAlphabets)];
        std::string s(static_cast<size_t>(1 + rng_.Next() % 16), ' ');
        for (char& ch : s) ch = alphabet[rng_.Next() % alphabet.size()];
        if (RE2::FullMatch(s, *c.pattern_re) && LengthOk(c, s)) return s;
      }
      return Status::InvalidArgument("sample: no value found for column " + c.name + "'s pattern " +
                                     *c.pattern + " (write the sample by hand for this contract)");
    }
    char id[32];
    std::snprintf(id, sizeof id, "%s%08lld", c.name.substr(0, 3).c_str(), static_cast<long long>(row));
    std::string s = id;
    for (char& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (c.min_length && static_cast<int64_t>(s.size()) < *c.min_length) s.append(*c.min_length - s.size(), 'X');
    if (c.max_length && static_cast<int64_t>(s.size()) > *c.max_length) s = s.substr(s.size() - *c.max_length);
    return s;
  }

  static bool LengthOk(const Column& c, const std::string& s) {
    const auto n = static_cast<int64_t>(s.size());
    return !(c.min_length && n < *c.min_length) && !(c.max_length && n > *c.max_length);
  }

  static const std::vector<std::string>& Iso4217() { return Iso4217Codes(); }  // runlake/rules.h

 private:

  const SampleOptions& o_;
  int64_t ingest_day_;
  Rng& rng_;
};

// One way to break exactly one check: the column, and the bad text (the field dropped for
// a SCHEMA_ERROR).
struct Breakage {
  int column = -1;  // -1: the record loses a field
  std::string text;
};

// Every single-check break this version allows, given a valid row to start from.
std::vector<Breakage> Breakages(const SchemaVersion& v, Generator& g) {
  std::vector<Breakage> out;
  if (v.columns.size() > 1) out.push_back({-1, ""});  // one column: a missing field is a blank line
  for (size_t i = 0; i < v.columns.size(); ++i) {
    const Column& c = v.columns[i];
    const int col = static_cast<int>(i);
    const bool text_checks = c.enum_iso4217 || !c.enum_values.empty() || c.pattern || c.min_length || c.max_length;
    if (c.required) out.push_back({col, ""});
    if (c.type.kind != ColumnKind::kString && !text_checks) out.push_back({col, "not-a-value"});
    if (c.type.kind == ColumnKind::kString && (c.enum_iso4217 || !c.enum_values.empty()) && !c.pattern &&
        !c.min_length && !c.max_length) {
      out.push_back({col, "ZZQ"});
    }
    if (c.type.kind != ColumnKind::kString && c.type.kind != ColumnKind::kBoolean && !text_checks) {
      // Just below min, just above max, a day past the window (each keeps the type's syntax).
      const __int128 unit = c.type.kind == ColumnKind::kTimestamp ? 1000000 : 1;
      auto bound = [&](const std::optional<std::string>& b) { return contract_internal::BoundValue(*b, c.type); };
      if (c.min && bound(c.min)) out.push_back({col, g.Text(c, *bound(c.min) - unit)});
      if (c.max && bound(c.max)) out.push_back({col, g.Text(c, *bound(c.max) + unit)});
      if (!c.max && c.window && c.window->max_days_after_ingest) {
        out.push_back({col, g.Text(c, g.RangeOf(c).hi + (c.type.kind == ColumnKind::kDate ? 1 : kDayMicros))});
      }
    }
  }
  return out;
}

std::string CsvField(const std::string& f, char delimiter) {
  if (f.find_first_of(std::string(1, delimiter) + "\"\r\n") == std::string::npos) return f;
  std::string out = "\"";
  for (char ch : f) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return out + "\"";
}

}  // namespace

Result<SampleSummary> WriteContractSample(const std::string& path, const Contract& contract,
                                          const SampleOptions& o) {
  const SchemaVersion* v = contract.FindSchema(o.schema_version);
  if (v == nullptr) {
    std::string known;
    for (const auto& s : contract.schemas) known += (known.empty() ? "" : ", ") + s.name;
    return Status::InvalidArgument("unknown schema_version '" + o.schema_version + "' (known: " + known + ")");
  }
  if (o.rows < 0) return Status::InvalidArgument("sample: --rows must be >= 0");
  if (o.span_days < 1) return Status::InvalidArgument("sample: --days must be >= 1");
  if (o.invalid_fraction < 0 || o.invalid_fraction > 1) {
    return Status::InvalidArgument("sample: --invalid-fraction must be between 0 and 1");
  }
  const auto ingest_day = contract_internal::IsoDateDays(o.end_date);
  if (!ingest_day) return Status::InvalidArgument("sample: --date must be YYYY-MM-DD, not '" + o.end_date + "'");
  Rng rng(o.seed);
  Generator g(o, *ingest_day, &rng);
  const std::vector<Breakage> breakages = Breakages(*v, g);
  std::vector<size_t> key_columns;
  for (const std::string& k : contract.key) {
    for (size_t i = 0; i < v->columns.size(); ++i) {
      if (v->columns[i].name == k) key_columns.push_back(i);
    }
  }

  const bool gz = path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
  RUNLAKE_ASSIGN_OR_RAISE(auto out, FileWriter::Create(path, gz));
  const char delim = contract.source.delimiter;
  std::string line;
  for (const Column& c : v->columns) line += (line.empty() ? "" : std::string(1, delim)) + CsvField(c.from, delim);
  RUNLAKE_RETURN_NOT_OK(out->Write(line + "\n"));

  // Every row is checked by the contract compiled as a run compiles it, so a valid row is
  // valid and an invalid one fails exactly one check, whatever the contract's checks combine
  // to (a draw that misses is drawn again).
  std::vector<std::string_view> header;
  for (const Column& c : v->columns) header.push_back(c.from);
  RUNLAKE_ASSIGN_OR_RAISE(RowPlan plan, RowPlan::Compile(contract, v->name, header));
  RowEvaluation eval;
  auto failures = [&](const std::vector<std::string>& fields) {
    std::vector<std::string_view> views(fields.begin(), fields.end());
    plan.Evaluate(PlanRecord{views, false, std::nullopt, *ingest_day}, &eval);
    return eval.failures;
  };

  SampleSummary summary;
  std::set<std::vector<std::string>> keys;
  std::vector<std::string> last_valid;
  std::map<std::string, int64_t> misses;  // why draws failed, to say so if none succeeds
  for (int64_t row = 0; row < o.rows; ++row) {
    std::vector<std::string> fields;
    std::vector<std::string> key;
    bool found = false;
    for (int attempt = 0; attempt < 200 && !found; ++attempt) {
      fields.clear();
      for (const Column& c : v->columns) {
        RUNLAKE_ASSIGN_OR_RAISE(std::string f, g.Valid(c, row));
        fields.push_back(std::move(f));
      }
      const std::vector<uint16_t> failed = failures(fields);
      if (!failed.empty()) {
        ++misses[std::string(plan.Reason(failed.front()))];
        continue;
      }
      key.clear();
      for (size_t k : key_columns) key.push_back(fields[k]);
      const bool empty_part = std::any_of(key.begin(), key.end(), [](const std::string& s) { return s.empty(); });
      found = key_columns.empty() || empty_part || !keys.count(key);
      if (!found) ++misses["a key already used"];
    }
    if (!found) {
      std::string why;
      for (const auto& [reason, n] : misses) why += (why.empty() ? "" : ", ") + reason + " " + std::to_string(n);
      return Status::InvalidArgument("sample: cannot draw a valid row of " + contract.dataset + " " + v->name +
                                     " after 200 tries (draws failed: " + why + "; for keys, widen --days "
                                     "or lower --rows)");
    }
    // The key a record shows (every part non-empty), which the transform then counts as seen.
    auto key_of = [&](const std::vector<std::string>& f) {
      std::vector<std::string> k;
      for (size_t i : key_columns) {
        if (f[i].find_first_not_of(' ') == std::string::npos) return std::vector<std::string>{};
        k.push_back(f[i]);
      }
      return k;
    };
    bool drop_field = false;
    if (rng.Chance(o.invalid_fraction)) {
      const size_t choices = breakages.size() + (last_valid.empty() ? 0 : 1);
      for (int attempt = 0; attempt < 20 && choices > 0; ++attempt) {
        const size_t pick = static_cast<size_t>(rng.Next() % choices);
        if (pick == breakages.size()) {
          fields = last_valid;  // the key again: the first occurrence is kept
        } else if (breakages[pick].column < 0) {
          drop_field = true;  // a SCHEMA_ERROR shows no key
        } else {
          std::vector<std::string> broken = fields;
          broken[breakages[pick].column] = breakages[pick].text;
          if (failures(broken).size() != 1) continue;  // that break trips another check too
          const std::vector<std::string> k = key_of(broken);
          if (!k.empty() && !keys.insert(k).second) continue;  // it would repeat a key too
          fields = std::move(broken);
        }
        ++summary.invalid_rows;
        break;
      }
    }
    if (!drop_field) {
      const std::vector<std::string> k = key_of(fields);
      const bool fresh = !k.empty() && keys.insert(k).second;
      if (fresh && failures(fields).empty()) last_valid = fields;  // a key a repeat can show again
    }
    line.clear();
    for (size_t i = 0; i + (drop_field ? 1 : 0) < fields.size(); ++i) {
      line += (i == 0 ? "" : std::string(1, delim)) + CsvField(fields[i], delim);
    }
    if (line.empty()) line = "\"\"";  // one empty field, not a blank line
    RUNLAKE_RETURN_NOT_OK(out->Write(line + "\n"));
    ++summary.rows;
  }
  RUNLAKE_RETURN_NOT_OK(out->Close());
  return summary;
}

}  // namespace runlake
