// The evolution rules between two revisions of a contract (see runlake/contract_evolution.h).
// Every refusal is collected, so one `dataset apply` names all that must change.

#include <algorithm>

#include "contract/names.h"
#include "runlake/contract_evolution.h"

namespace runlake {
namespace {

using contract_internal::VersionNumber;

constexpr const char* kExistingRule =
    "an existing version's columns (names, from, types, order) may not change; add a new "
    "schema version instead";
constexpr const char* kNewRule =
    "a new version keeps every column of the version before it (same from, the same type or a "
    "widening: int64 -> decimal(P,0) with P >= 19, decimal(P,S) -> decimal(P',S) with P' > P) "
    "and may only add columns";

bool Widens(const ColumnType& from, const ColumnType& to) {
  if (from == to) return true;
  if (to.kind != ColumnKind::kDecimal) return false;
  // Every int64 fits 19 digits; a longer integer part keeps every value of the narrower one.
  if (from.kind == ColumnKind::kInt64) return to.scale == 0 && to.precision >= 19;
  return from.kind == ColumnKind::kDecimal && to.scale == from.scale &&
         to.precision > from.precision;
}

// The names `a` and `b` share, in a's order, then in b's: equal when nothing moved.
std::pair<std::string, std::string> SharedOrder(const SchemaVersion& a, const SchemaVersion& b) {
  std::string in_a, in_b;
  for (const Column& c : a.columns) {
    if (b.FindColumn(c.name)) in_a += (in_a.empty() ? "" : ", ") + c.name;
  }
  for (const Column& c : b.columns) {
    if (a.FindColumn(c.name)) in_b += (in_b.empty() ? "" : ", ") + c.name;
  }
  return {in_a, in_b};
}

const DerivedColumn* FindDerived(const SchemaVersion& v, const std::string& name) {
  for (const DerivedColumn& d : v.derived) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

class Refusals {
 public:
  void Add(const std::string& path, const std::string& change, const char* rule) {
    text_ += (text_.empty() ? "" : "; ") + path + ": " + change + ": " + rule;
  }
  Status ToStatus() const {
    return text_.empty() ? Status::OK() : Status::FailedPrecondition(text_);
  }

 private:
  std::string text_;
};

// `later` follows `earlier`: the same version in the next revision (`existing`), or the next
// version of the new revision. Columns are matched by name.
void CompareColumns(const SchemaVersion& earlier, const SchemaVersion& later, bool existing,
                    Refusals* out) {
  const char* rule = existing ? kExistingRule : kNewRule;
  const std::string base = "schemas." + later.name;
  for (const Column& c : earlier.columns) {
    const std::string path = base + ".columns." + c.name;
    const Column* n = later.FindColumn(c.name);
    if (n == nullptr) {
      out->Add(path, existing ? "removed" : "missing (it is in " + earlier.name + ")", rule);
      continue;
    }
    if (n->from != c.from) out->Add(path, "from " + c.from + " -> " + n->from, rule);
    if (existing ? n->type != c.type : !Widens(c.type, n->type)) {
      out->Add(path, "type " + c.type.ToString() + " -> " + n->type.ToString(), rule);
    }
  }
  if (existing) {
    for (const Column& n : later.columns) {
      if (!earlier.FindColumn(n.name)) out->Add(base + ".columns." + n.name, "added", rule);
    }
  }
  auto [before, after] = SharedOrder(earlier, later);
  if (before != after) out->Add(base + ".columns", "order " + before + " -> " + after, rule);
}

void CompareDerived(const SchemaVersion& earlier, const SchemaVersion& later, bool existing,
                    Refusals* out) {
  const char* rule = existing ? "an existing version's derived columns keep their names and "
                                "types (their expr may change)"
                              : kNewRule;
  const std::string base = "schemas." + later.name + ".derived.";
  for (const DerivedColumn& d : earlier.derived) {
    const DerivedColumn* n = FindDerived(later, d.name);
    if (n == nullptr) {
      out->Add(base + d.name, existing ? "removed" : "missing (it is in " + earlier.name + ")",
               rule);
    } else if (existing ? n->type != d.type : !Widens(d.type, n->type)) {
      out->Add(base + d.name, "type " + d.type.ToString() + " -> " + n->type.ToString(), rule);
    }
  }
  if (!existing) return;
  for (const DerivedColumn& n : later.derived) {
    if (!FindDerived(earlier, n.name)) out->Add(base + n.name, "added", rule);
  }
}

void Unchanged(const std::string& path, const std::string& a, const std::string& b,
               const char* rule, Refusals* out) {
  if (a != b) out->Add(path, a + " -> " + b, rule);
}

}  // namespace

Status CheckEvolution(const Contract& older, const Contract& newer) {
  Refusals out;
  Unchanged("dataset", older.dataset, newer.dataset, "a revision belongs to its dataset", &out);
  Unchanged("partition_by", older.partition_by, newer.partition_by,
            "the silver layout of runs already written may not change", &out);
  Unchanged("source.format", older.source.format, newer.source.format,
            "bronze already ingested must stay readable", &out);
  Unchanged("source.delimiter", std::string(1, older.source.delimiter),
            std::string(1, newer.source.delimiter), "bronze already ingested must stay readable",
            &out);
  int newest_old = 0;
  for (const SchemaVersion& v : older.schemas) {
    newest_old = std::max(newest_old, VersionNumber(v.name));
    const SchemaVersion* n = newer.FindSchema(v.name);
    if (n == nullptr) {
      out.Add("schemas." + v.name, "removed", "runs written with a version must stay readable");
      continue;
    }
    CompareColumns(v, *n, /*existing=*/true, &out);
    CompareDerived(v, *n, /*existing=*/true, &out);
  }
  for (size_t i = 0; i < newer.schemas.size(); ++i) {
    const SchemaVersion& v = newer.schemas[i];
    if (older.FindSchema(v.name)) continue;
    if (VersionNumber(v.name) < newest_old) {
      out.Add("schemas." + v.name, "added", "a new version is numbered after every existing one");
      continue;
    }
    if (i == 0) continue;  // every old version was removed (refused above): nothing before it
    // Sorted by number: the version before v is an existing one or a new one checked in turn.
    CompareColumns(newer.schemas[i - 1], v, /*existing=*/false, &out);
    CompareDerived(newer.schemas[i - 1], v, /*existing=*/false, &out);
  }
  return out.ToStatus();
}

}  // namespace runlake
