// Evaluating one record against a RowPlan (row_plan.h): the hot loop. Every vector it
// touches is the caller's RowEvaluation, reused from row to row, so a warm evaluation
// allocates nothing; the only regular expressions are RE2's (linear time).

#include <re2/re2.h>

#include <algorithm>
#include <cstring>

#include "ingest/number_text.h"
#include "ingest/row_plan.h"
#include "ingest/row_plan_internal.h"
#include "ingest/utf8.h"

namespace runlake {
namespace {

constexpr int64_t kDayMicros = int64_t{86400} * 1000000;

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// DESIGN.md: trimmed of spaces unless `trim: false` (then the text must parse as it stands);
// a field of only spaces is empty either way.
std::string_view FieldText(std::string_view s, bool trim) {
  if (trim) return TrimSpaces(s);
  return s.find_first_not_of(' ') == std::string_view::npos ? std::string_view() : s;
}

// As today's transform: invalid UTF-8, a NUL, or a byte order mark past the file's start
// (never data: it comes from files glued together and would hide inside a key).
bool CleanBytes(std::string_view s) {
  if (!IsCleanUtf8(s)) return false;
  return std::memchr(s.data(), 0xEF, s.size()) == nullptr ||
         s.find("\xEF\xBB\xBF") == std::string_view::npos;
}

// Characters of UTF-8 text: the bytes that do not continue a sequence.
int64_t CountCharacters(std::string_view s) {
  int64_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

bool Contains(const std::vector<std::string>& values, std::string_view s) {
  return std::find(values.begin(), values.end(), s) != values.end();
}

// Each reason once, where it first failed.
void AddFailure(std::vector<uint16_t>* failures, uint16_t id) {
  if (std::find(failures->begin(), failures->end(), id) == failures->end()) {
    failures->push_back(id);
  }
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

void RowPlan::Evaluate(const PlanRecord& record, RowEvaluation* out) const {
  out->failures.clear();
  PlanRow& row = out->row;
  row.slots_ = &slots_;
  // Sized once; every slot's null flag and text are written below, and a value word only
  // where it parsed (readers look at a value only when its slot is not null).
  if (row.null_.size() != columns_.size()) {
    row.null_.assign(columns_.size(), 1);
    row.text_.assign(columns_.size(), std::string_view());
    row.words_.assign(words_, 0);
  }

  bool clean = true;
  if (record.raw) {
    clean = CleanBytes(*record.raw);
  } else {
    for (std::string_view f : record.fields) clean = clean && CleanBytes(f);
  }
  // Without the header's field count no field can be matched to its column.
  if (record.malformed || record.fields.size() != header_fields_) {
    std::fill(row.null_.begin(), row.null_.end(), 1);
    std::fill(row.text_.begin(), row.text_.end(), std::string_view());
    out->failures.push_back(kSchemaError);
    if (!clean) out->failures.push_back(kEncodingError);
    return;
  }
  if (!clean) out->failures.push_back(kEncodingError);

  bool null_failure = false;
  for (const ColumnPlan& c : columns_) {
    const std::string_view text = FieldText(record.fields[c.field], c.trim);
    row.text_[c.slot] = text;
    row.null_[c.slot] = text.empty() ? 1 : 0;
    null_failure = null_failure || (c.required && text.empty());
  }
  if (null_failure) out->failures.push_back(kNullValueError);
  // Checks run on non-empty fields only: an empty optional field is simply NULL.
  for (uint32_t i : check_order_) {
    const ColumnPlan& c = columns_[i];
    if (!row.null_[c.slot]) CheckColumn(c, row.text_[c.slot], record, out);
  }
}

// Parse, then the value checks on the text, then range and window on the parsed value.
void RowPlan::CheckColumn(const ColumnPlan& c, std::string_view text, const PlanRecord& record,
                          RowEvaluation* out) const {
  __int128 value = 0;
  bool parsed = true;
  int64_t v64 = 0;
  switch (c.kind) {
    case ColumnKind::kString:
      break;
    case ColumnKind::kInt64:
      parsed = ParseInt64Text(text, &v64);
      value = v64;
      break;
    case ColumnKind::kDecimal:
      if (c.precision <= 18) {
        parsed = ParseScaledDecimal(text, c.precision, c.scale, &v64);
        value = v64;
      } else {
        parsed = ParseScaledDecimal(text, c.precision, c.scale, &value);
      }
      break;
    case ColumnKind::kBoolean:
      value = Contains(c.true_values, text);
      parsed = value == 1 || Contains(c.false_values, text);
      break;
    case ColumnKind::kDate:
      parsed = c.times.Parse(text, &v64);
      value = FloorDiv(v64, kDayMicros);  // date formats have no time of day: exact
      break;
    case ColumnKind::kTimestamp:
      parsed = c.times.Parse(text, &v64);
      value = v64;
      break;
  }
  PlanRow& row = out->row;
  if (!parsed) {
    AddFailure(&out->failures, c.parse_reason);
    row.null_[c.slot] = 1;  // no value; Text() still holds what was written
  } else if (c.kind != ColumnKind::kString) {
    const auto bits = static_cast<unsigned __int128>(value);
    row.words_[c.word] = static_cast<uint64_t>(bits);
    if (slots_[c.slot].kind == SlotKind::kInt128) {
      row.words_[c.word + 1] = static_cast<uint64_t>(bits >> 64);
    }
  }

  bool domain_ok = !c.has_enum || c.enum_values.find(text) != c.enum_values.end();
  if (domain_ok && c.pattern) domain_ok = RE2::FullMatch(text, *c.pattern);
  if (domain_ok && (c.min_length || c.max_length)) {
    const int64_t n = CountCharacters(text);
    domain_ok = !(c.min_length && n < *c.min_length) && !(c.max_length && n > *c.max_length);
  }
  if (!domain_ok) AddFailure(&out->failures, c.domain_reason);
  if (!parsed) return;

  if ((c.min && value < *c.min) || (c.max && value > *c.max)) {
    AddFailure(&out->failures, c.range_reason);
  }
  if (c.has_window) {
    const int64_t day =
        c.kind == ColumnKind::kDate ? static_cast<int64_t>(value) : FloorDiv(v64, kDayMicros);
    const bool early = c.not_before_day && day < *c.not_before_day;
    const bool late = c.max_days_after_ingest && record.ingest_day &&
                      day - *record.ingest_day > *c.max_days_after_ingest;
    if (early || late) AddFailure(&out->failures, c.window_reason);
  }
}

}  // namespace runlake
