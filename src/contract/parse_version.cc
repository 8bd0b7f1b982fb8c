// One schema version under `schemas` (see parse_internal.h): its own columns, derived
// columns, check_order and parent, as written.

#include "contract/names.h"
#include "contract/parse_internal.h"

namespace runlake::contract_internal {

Result<VersionDraft> ParseVersion(const std::string& name, const Field& field) {
  RUNLAKE_ASSIGN_OR_RAISE(
      Fields fields,
      Fields::Read(field.value, field.at, {"extends", "columns", "check_order", "derived"}));
  VersionDraft v;
  v.name = name;
  v.at = field.key_at;
  if (const Field* f = fields.Get("extends")) {
    RUNLAKE_ASSIGN_OR_RAISE(v.extends, ReadString(*f));
    std::string problem = VersionNameProblem(*v.extends);
    if (!problem.empty()) return f->at.Invalid(problem);
    v.extends_at = f->at;
  }
  // A version that extends another may add nothing but derived columns or a check_order.
  const Field* columns = fields.Get("columns");
  if (columns == nullptr && !v.extends) return fields.Require("columns").status();
  if (columns != nullptr) {
    if (!columns->value.IsSequence() || columns->value.size() == 0) {
      return columns->at.Invalid("expected a non-empty list of columns");
    }
    size_t i = 0;
    for (const YAML::Node& c : columns->value) {
      RUNLAKE_ASSIGN_OR_RAISE(ColumnDraft d, ParseColumn(c, columns->at.Index(i++, c.Mark())));
      v.columns.push_back(std::move(d));
    }
  }
  if (const Field* f = fields.Get("check_order")) {
    RUNLAKE_ASSIGN_OR_RAISE(v.check_order, ReadStringList(*f));
  }
  if (const Field* f = fields.Get("derived")) {
    if (!f->value.IsSequence() || f->value.size() == 0) {
      return f->at.Invalid("expected a non-empty list of derived columns");
    }
    size_t i = 0;
    for (const YAML::Node& d : f->value) {
      RUNLAKE_ASSIGN_OR_RAISE(DerivedDraft dd, ParseDerived(d, f->at.Index(i++, d.Mark())));
      v.derived.push_back(std::move(dd));
    }
  }
  return v;
}

}  // namespace runlake::contract_internal
