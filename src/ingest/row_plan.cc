// Compiling a contract's schema version into a RowPlan (row_plan.h); evaluating one is in
// row_plan_eval.cc.

#include "ingest/row_plan.h"

#include <re2/re2.h>

#include <algorithm>

#include "contract/literal_values.h"
#include "ingest/row_plan_internal.h"
#include "ingest/utf8.h"
#include "runlake/builtin_contracts.h"
#include "runlake/rules.h"

namespace runlake {
namespace {

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// Reason codes become small ids so a row's failures are a few integers, not strings.
uint16_t Intern(std::vector<std::string>* reasons, const std::string& reason) {
  auto it = std::find(reasons->begin(), reasons->end(), reason);
  if (it != reasons->end()) return static_cast<uint16_t>(it - reasons->begin());
  reasons->push_back(reason);
  return static_cast<uint16_t>(reasons->size() - 1);
}

SlotKind SlotKindOf(const ColumnType& t) {
  switch (t.kind) {
    case ColumnKind::kString:
      return SlotKind::kString;
    case ColumnKind::kInt64:
      return SlotKind::kInt64;
    case ColumnKind::kDecimal:
      return t.precision > 18 ? SlotKind::kInt128 : SlotKind::kInt64;
    case ColumnKind::kBoolean:
      return SlotKind::kBoolean;
    case ColumnKind::kDate:
      return SlotKind::kDate;
    case ColumnKind::kTimestamp:
      return SlotKind::kTimestamp;
  }
  return SlotKind::kString;
}

// The rules file's say over the transactions contract's currency and tx_date columns.
Column WithOverrides(const Contract& contract, Column c, const RowPlanOverrides& o) {
  if (contract.dataset != kTransactionsDataset) return c;
  if (c.name == "currency" && o.currencies) {
    c.enum_values = *o.currencies;
    c.enum_iso4217 = false;
  }
  if (c.name == "tx_date") {
    if (o.timestamp_formats) c.formats = *o.timestamp_formats;
    if (o.tx_date_window) c.window = *o.tx_date_window;
  }
  return c;
}

Result<std::optional<__int128>> Bound(const std::optional<std::string>& text, const Column& c) {
  if (!text) return std::optional<__int128>();
  std::optional<__int128> v = contract_internal::BoundValue(*text, c.type);
  if (!v) {
    return Status::InvalidArgument("column " + c.name + ": bound '" + *text + "' is not a " +
                                   c.type.ToString() + " value");
  }
  return v;
}

Status CompileChecks(const Column& c, std::vector<std::string>* reasons, RowPlan::ColumnPlan* p) {
  p->kind = c.type.kind;
  p->precision = c.type.precision;
  p->scale = c.type.scale;
  p->required = c.required;
  p->trim = c.trim;
  if (p->kind == ColumnKind::kDate || p->kind == ColumnKind::kTimestamp) {
    auto times = TimestampParser::Compile(c.formats);
    if (!times.ok()) return times.status().WithContext("column " + c.name);
    p->times = std::move(*times);
  }
  p->true_values = c.true_values;
  p->false_values = c.false_values;
  p->has_enum = c.enum_iso4217 || !c.enum_values.empty();
  const std::vector<std::string>& values = c.enum_iso4217 ? Iso4217Codes() : c.enum_values;
  p->enum_values.insert(values.begin(), values.end());
  p->pattern = c.pattern_re;
  if (c.pattern && p->pattern == nullptr) {
    return Status::InvalidArgument("column " + c.name + ": pattern is not compiled");
  }
  p->min_length = c.min_length;
  p->max_length = c.max_length;
  RUNLAKE_ASSIGN_OR_RAISE(p->min, Bound(c.min, c));
  RUNLAKE_ASSIGN_OR_RAISE(p->max, Bound(c.max, c));
  if (c.window) {
    p->has_window = true;
    if (c.window->not_before) {
      p->not_before_day = contract_internal::IsoDateDays(*c.window->not_before);
      if (!p->not_before_day) {
        return Status::InvalidArgument("column " + c.name + ": window.not_before '" +
                                       *c.window->not_before + "' is not a date YYYY-MM-DD");
      }
    }
    if (c.window->max_days_after_ingest)
      p->max_days_after_ingest = *c.window->max_days_after_ingest;
  }
  p->parse_reason = Intern(reasons, ReasonFor(c, CheckKind::kParse));
  // enum, pattern and length share one reason (ReasonFor gives them the same default).
  p->domain_reason = Intern(reasons, ReasonFor(c, CheckKind::kEnum));
  p->range_reason = Intern(reasons, ReasonFor(c, CheckKind::kRange));
  p->window_reason = Intern(reasons, ReasonFor(c, CheckKind::kWindow));
  return Status::OK();
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

RowPlanOverrides TransactionsOverrides(const Rules& rules) {
  RowPlanOverrides o;
  if (rules.Gives("currencies")) o.currencies = rules.currencies;
  if (rules.Gives("timestamp_formats")) o.timestamp_formats = rules.timestamp_formats;
  if (rules.Gives("tx_date_window")) {
    DateWindow w;
    w.not_before = rules.tx_date_window.not_before;
    w.max_days_after_ingest = rules.tx_date_window.max_days_after_ingest;
    o.tx_date_window = std::optional<DateWindow>(std::move(w));
  }
  return o;
}

RowPlan::RowPlan() = default;
RowPlan::RowPlan(RowPlan&&) noexcept = default;
RowPlan& RowPlan::operator=(RowPlan&&) noexcept = default;
RowPlan::~RowPlan() = default;

Result<RowPlan> RowPlan::Compile(const Contract& contract, std::string_view version,
                                 std::span<const std::string_view> header,
                                 const RowPlanOverrides& overrides) {
  const SchemaVersion* schema = contract.FindSchema(version);
  if (schema == nullptr) {
    return Status::InvalidArgument("contract " + contract.dataset + " has no schema version '" +
                                   std::string(version) + "'");
  }
  RowPlan plan;
  plan.header_fields_ = header.size();
  plan.reasons_ = {"SCHEMA_ERROR", "ENCODING_ERROR", "NULL_VALUE_ERROR"};
  std::vector<bool> used(header.size(), false);
  std::vector<std::string> missing;
  for (const Column& written : schema->columns) {
    const Column c = WithOverrides(contract, written, overrides);
    ColumnPlan p;
    size_t count = 0;
    for (size_t i = 0; i < header.size(); ++i) {
      if (TrimSpaces(header[i]) != c.from) continue;
      p.field = static_cast<uint32_t>(i);
      used[i] = true;
      ++count;
    }
    if (count == 0) missing.push_back(c.from);
    if (count > 1) {
      return Status::InvalidArgument("header has column " + c.from + " " + std::to_string(count) +
                                     " times");
    }
    RUNLAKE_RETURN_NOT_OK(CompileChecks(c, &plan.reasons_, &p));
    p.slot = static_cast<uint32_t>(plan.columns_.size());
    const SlotKind kind = SlotKindOf(c.type);
    p.word = static_cast<uint32_t>(plan.words_);
    if (kind != SlotKind::kString) plan.words_ += kind == SlotKind::kInt128 ? 2 : 1;
    plan.slots_.push_back(RowSlot{c.name, c.type, kind, p.word});
    plan.columns_.push_back(std::move(p));
  }
  if (!missing.empty()) {
    // Today's words (transform.cc): every column of a version is required in the header.
    return Status::InvalidArgument("header is missing required column(s) " + JoinNames(missing));
  }
  // A parsed contract lists every column in check_order; a hand-built one may leave it empty.
  std::vector<std::string> order = schema->check_order;
  if (order.empty()) {
    for (const Column& c : schema->columns) order.push_back(c.name);
  }
  for (const std::string& name : order) {
    const Column* c = schema->FindColumn(name);
    if (c == nullptr) return Status::InvalidArgument("check_order names no column: " + name);
    plan.check_order_.push_back(static_cast<uint32_t>(c - schema->columns.data()));
  }
  for (size_t i = 0; i < header.size(); ++i) {
    if (!used[i]) plan.extra_columns_.push_back(CleanUtf8(TrimSpaces(header[i])));
  }
  return plan;
}

uint32_t RowPlan::FieldOf(size_t slot) const { return columns_[slot].field; }
bool RowPlan::Trims(size_t slot) const { return columns_[slot].trim; }
uint16_t RowPlan::ReasonId(const std::string& reason) { return Intern(&reasons_, reason); }

std::string RowPlan::JoinReasons(const std::vector<uint16_t>& failures) const {
  std::string out;
  for (uint16_t id : failures) {
    if (!out.empty()) out.push_back(',');
    out += reasons_[id];
  }
  return out;
}

std::optional<int64_t> IngestDay(std::string_view date) {
  return contract_internal::IsoDateDays(date);
}

}  // namespace runlake
