// One column or derived column of a schema version (see parse_internal.h). A column's keys
// may come in any order, so the type is read first and every type-dependent key after it.

#include <re2/re2.h>

#include <algorithm>

#include "contract/literal_values.h"
#include "contract/names.h"
#include "contract/parse_internal.h"

namespace runlake::contract_internal {
namespace {

bool IsTime(const ColumnType& t) {
  return t.kind == ColumnKind::kDate || t.kind == ColumnKind::kTimestamp;
}

bool IsOrdered(const ColumnType& t) {
  return t.kind != ColumnKind::kString && t.kind != ColumnKind::kBoolean;
}

// A key that only some types have, on a column of another type: reported at the key.
Status WrongTypeFor(const Field& f, const char* who, const ColumnType& t) {
  return f.key_at.Invalid(std::string("only ") + who + " columns have this key (this column is " +
                          t.ToString() + ")");
}

const std::vector<std::string>& DefaultFormats(ColumnKind kind) {
  static const std::vector<std::string> kDate = {"%Y-%m-%d"};
  // ISO 8601 in UTC: the rules file's default timestamp_formats.
  static const std::vector<std::string> kTimestamp = {"%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%fZ",
                                                      "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S",
                                                      "%Y-%m-%dT%H:%M:%S"};
  return kind == ColumnKind::kDate ? kDate : kTimestamp;
}

Status ReadFormats(const Fields& fields, Column* c) {
  const Field* f = fields.Get("formats");
  if (f == nullptr) {
    if (IsTime(c->type)) c->formats = DefaultFormats(c->type.kind);
    return Status::OK();
  }
  if (!IsTime(c->type)) return WrongTypeFor(*f, "date and timestamp", c->type);
  RUNLAKE_ASSIGN_OR_RAISE(std::vector<Item> items, ReadStringList(*f));
  for (const Item& i : items) {
    std::string problem = TimeFormatProblem(i.text, c->type.kind);
    if (!problem.empty()) return i.at.Invalid(problem);
  }
  c->formats = Texts(items);
  return Status::OK();
}

Status ReadEnum(const Field& f, Column* c) {
  if (f.value.IsScalar() && f.value.Scalar() == "iso4217") {
    c->enum_iso4217 = true;
    return Status::OK();
  }
  if (!f.value.IsSequence()) return f.at.Invalid("expected a list of values or iso4217");
  RUNLAKE_ASSIGN_OR_RAISE(std::vector<Item> items, ReadStringList(f));
  for (size_t i = 0; i < items.size(); ++i) {
    // An empty field is NULL and never reaches a value check: "" could never match.
    if (items[i].text.empty()) return items[i].at.Invalid("an enum value must not be empty");
    for (size_t j = 0; j < i; ++j) {
      if (items[j].text == items[i].text) return items[i].at.Invalid("duplicate enum value");
    }
  }
  c->enum_values = Texts(items);
  return Status::OK();
}

Status ReadPattern(const Field& f, Column* c) {
  RUNLAKE_ASSIGN_OR_RAISE(std::string text, ReadString(f));
  if (text.empty()) return f.at.Invalid("a pattern must not be empty");
  RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_shared<const RE2>(text, options);
  if (!re->ok()) return f.at.Invalid("pattern does not compile (RE2): " + re->error());
  c->pattern = std::move(text);
  c->pattern_re = std::move(re);
  return Status::OK();
}

Status ReadLengths(const Fields& fields, Column* c) {
  constexpr int64_t kMaxLength = int64_t{1} << 30;  // a record is at most 1 GiB
  if (const Field* f = fields.Get("min_length")) {
    RUNLAKE_ASSIGN_OR_RAISE(c->min_length, ReadInt(*f, 0, kMaxLength));
  }
  if (const Field* f = fields.Get("max_length")) {
    RUNLAKE_ASSIGN_OR_RAISE(c->max_length, ReadInt(*f, 1, kMaxLength));
    if (c->min_length && *c->min_length > *c->max_length) {
      return f->at.Invalid("max_length is below min_length " + std::to_string(*c->min_length));
    }
  }
  return Status::OK();
}

Status ReadBounds(const Fields& fields, Column* c) {
  std::optional<__int128> low;
  for (const char* key : {"min", "max"}) {
    const Field* f = fields.Get(key);
    if (f == nullptr) continue;
    if (!IsOrdered(c->type)) return WrongTypeFor(*f, "int64, decimal, date and timestamp", c->type);
    RUNLAKE_ASSIGN_OR_RAISE(std::string text, ReadString(*f));
    std::optional<__int128> v = BoundValue(text, c->type);
    if (!v) return f->at.Invalid("'" + text + "' is not a " + c->type.ToString() + " value");
    if (key == std::string_view("min")) {
      low = v;
      c->min = std::move(text);
    } else {
      if (low && *low > *v) return f->at.Invalid("max is below min " + *c->min);
      c->max = std::move(text);
    }
  }
  return Status::OK();
}

Status ReadWindow(const Field& f, Column* c) {
  if (!IsTime(c->type)) return WrongTypeFor(f, "date and timestamp", c->type);
  if (IsNull(f)) return Status::OK();  // no window, as the rules file's null
  RUNLAKE_ASSIGN_OR_RAISE(Fields w,
                          Fields::Read(f.value, f.at, {"not_before", "max_days_after_ingest"}));
  DateWindow window;
  if (const Field* nb = w.Get("not_before"); nb != nullptr && !IsNull(*nb)) {
    RUNLAKE_ASSIGN_OR_RAISE(std::string text, ReadString(*nb));
    if (!IsoDateDays(text)) return nb->at.Invalid("'" + text + "' is not a date YYYY-MM-DD");
    window.not_before = std::move(text);
  }
  if (const Field* m = w.Get("max_days_after_ingest"); m != nullptr && !IsNull(*m)) {
    RUNLAKE_ASSIGN_OR_RAISE(int64_t days, ReadInt(*m, 0, 3660000));  // as the rules file
    window.max_days_after_ingest = static_cast<int>(days);
  }
  c->window = std::move(window);
  return Status::OK();
}

Status ReadBooleanTexts(const Fields& fields, Column* c) {
  const Field* t = fields.Get("true_values");
  const Field* f = fields.Get("false_values");
  if (c->type.kind != ColumnKind::kBoolean) {
    if (t != nullptr) return WrongTypeFor(*t, "boolean", c->type);
    if (f != nullptr) return WrongTypeFor(*f, "boolean", c->type);
    return Status::OK();
  }
  c->true_values = {"true", "1"};
  c->false_values = {"false", "0"};
  if (t != nullptr) {
    RUNLAKE_ASSIGN_OR_RAISE(std::vector<Item> items, ReadStringList(*t));
    c->true_values = Texts(items);
  }
  std::vector<Item> false_items;
  if (f != nullptr) {
    RUNLAKE_ASSIGN_OR_RAISE(false_items, ReadStringList(*f));
    c->false_values = Texts(false_items);
  }
  for (size_t i = 0; i < c->false_values.size(); ++i) {
    const std::string& v = c->false_values[i];
    if (std::find(c->true_values.begin(), c->true_values.end(), v) == c->true_values.end()) {
      continue;
    }
    const At& at = f != nullptr ? false_items[i].at : t->at;
    return at.Invalid("'" + v + "' is both a true and a false value");
  }
  return Status::OK();
}

Result<std::string> ReadName(const Fields& fields, At* name_at) {
  RUNLAKE_ASSIGN_OR_RAISE(const Field* f, fields.Require("name"));
  RUNLAKE_ASSIGN_OR_RAISE(std::string name, ReadString(*f));
  std::string problem = ColumnNameProblem(name);
  if (!problem.empty()) return f->at.Invalid(problem);
  *name_at = f->at;
  return name;
}

Result<ColumnType> ReadType(const Fields& fields) {
  RUNLAKE_ASSIGN_OR_RAISE(const Field* f, fields.Require("type"));
  RUNLAKE_ASSIGN_OR_RAISE(std::string text, ReadString(*f));
  Result<ColumnType> type = ParseColumnType(text);
  if (!type.ok()) return f->at.Invalid(type.status().message());
  return type;
}

}  // namespace

Result<ColumnDraft> ParseColumn(const YAML::Node& node, const At& at) {
  RUNLAKE_ASSIGN_OR_RAISE(
      Fields fields, Fields::Read(node, at,
                                  {"name", "from", "type", "formats", "required", "trim", "enum",
                                   "pattern", "min_length", "max_length", "min", "max", "window",
                                   "true_values", "false_values", "reason"}));
  ColumnDraft d;
  Column& c = d.column;
  RUNLAKE_ASSIGN_OR_RAISE(c.name, ReadName(fields, &d.name_at));
  c.from = c.name;
  d.from_at = d.name_at;
  if (const Field* f = fields.Get("from")) {
    RUNLAKE_ASSIGN_OR_RAISE(c.from, ReadString(*f));
    if (c.from.empty()) return f->at.Invalid("a header name must not be empty");
    d.from_at = f->at;
  }
  RUNLAKE_ASSIGN_OR_RAISE(c.type, ReadType(fields));
  RUNLAKE_RETURN_NOT_OK(ReadFormats(fields, &c));
  if (const Field* f = fields.Get("required")) {
    RUNLAKE_ASSIGN_OR_RAISE(c.required, ReadBool(*f));
  }
  if (const Field* f = fields.Get("trim")) {
    RUNLAKE_ASSIGN_OR_RAISE(c.trim, ReadBool(*f));
  }
  if (const Field* f = fields.Get("enum")) RUNLAKE_RETURN_NOT_OK(ReadEnum(*f, &c));
  if (const Field* f = fields.Get("pattern")) RUNLAKE_RETURN_NOT_OK(ReadPattern(*f, &c));
  RUNLAKE_RETURN_NOT_OK(ReadLengths(fields, &c));
  RUNLAKE_RETURN_NOT_OK(ReadBounds(fields, &c));
  if (const Field* f = fields.Get("window")) RUNLAKE_RETURN_NOT_OK(ReadWindow(*f, &c));
  RUNLAKE_RETURN_NOT_OK(ReadBooleanTexts(fields, &c));
  if (const Field* f = fields.Get("reason")) {
    RUNLAKE_ASSIGN_OR_RAISE(std::string reason, ReadString(*f));
    std::string problem = ReasonCodeProblem(reason);
    if (!problem.empty()) return f->at.Invalid(problem);
    c.reason = std::move(reason);
  }
  return d;
}

Result<DerivedDraft> ParseDerived(const YAML::Node& node, const At& at) {
  RUNLAKE_ASSIGN_OR_RAISE(Fields fields, Fields::Read(node, at, {"name", "type", "expr"}));
  DerivedDraft d;
  RUNLAKE_ASSIGN_OR_RAISE(d.derived.name, ReadName(fields, &d.name_at));
  RUNLAKE_ASSIGN_OR_RAISE(d.derived.type, ReadType(fields));
  RUNLAKE_ASSIGN_OR_RAISE(const Field* expr, fields.Require("expr"));
  RUNLAKE_ASSIGN_OR_RAISE(d.derived.expr, ReadString(*expr));
  if (d.derived.expr.empty()) return expr->at.Invalid("an expression must not be empty");
  d.derived.expr_at = expr->at.Where();
  return d;
}

}  // namespace runlake::contract_internal
