// DiffContracts (see runlake/contract_diff.h): each part of a contract is flattened into
// named fields in a fixed order, and fields are compared one by one, so every setting a
// contract has shows up in a diff without a comparison written for it.

#include <algorithm>
#include <utility>

#include "runlake/contract_diff.h"

namespace runlake {
namespace {

using nlohmann::json;
using FieldList = std::vector<std::pair<std::string, json>>;

json Optional(const std::optional<std::string>& v) { return v ? json(*v) : json(); }
json Optional(const std::optional<int64_t>& v) { return v ? json(*v) : json(); }

FieldList TopFields(const Contract& c) {
  return {{"dataset", c.dataset},
          {"description", c.description},
          {"source.format", c.source.format},
          {"source.delimiter", std::string(1, c.source.delimiter)},
          {"source.max_record_bytes", c.source.max_record_bytes},
          {"partition_by", c.partition_by},
          {"key", c.key},
          {"key_reason", c.key_reason},
          {"max_attempts", c.max_attempts},
          {"gate.max_quarantine_rate", c.gate.max_quarantine_rate},
          {"gate.max_condemned_rows", c.gate.max_condemned_rows}};
}

FieldList ColumnFields(const Column& c) {
  json window;  // null: no window
  if (c.window) {
    window = {{"not_before", Optional(c.window->not_before)},
              {"max_days_after_ingest",
               c.window->max_days_after_ingest ? json(*c.window->max_days_after_ingest) : json()}};
  }
  json enum_values = c.enum_iso4217          ? json("iso4217")
                     : c.enum_values.empty() ? json()
                                             : json(c.enum_values);
  return {{"from", c.from},
          {"type", c.type.ToString()},
          {"formats", c.formats},
          {"required", c.required},
          {"trim", c.trim},
          {"enum", enum_values},
          {"pattern", Optional(c.pattern)},
          {"min_length", Optional(c.min_length)},
          {"max_length", Optional(c.max_length)},
          {"min", Optional(c.min)},
          {"max", Optional(c.max)},
          {"window", window},
          {"true_values", c.true_values},
          {"false_values", c.false_values},
          {"reason", Optional(c.reason)}};
}

FieldList DerivedFields(const DerivedColumn& d) {
  return {{"type", d.type.ToString()}, {"expr", d.expr}};
}

template <typename T>
json ObjectOf(const T& item, FieldList (*fields)(const T&)) {
  json out = {{"name", item.name}};
  for (auto& [key, value] : fields(item)) out[key] = std::move(value);
  return out;
}

json VersionJson(const SchemaVersion& v) {
  json columns = json::array(), derived = json::array();
  for (const Column& c : v.columns) columns.push_back(ObjectOf(c, ColumnFields));
  for (const DerivedColumn& d : v.derived) derived.push_back(ObjectOf(d, DerivedFields));
  return {{"extends", Optional(v.extends)},
          {"columns", columns},
          {"check_order", v.check_order},
          {"derived", derived}};
}

class Differ {
 public:
  void Fields(const std::string& base, const FieldList& a, const FieldList& b) {
    for (size_t i = 0; i < a.size(); ++i) Value(base + a[i].first, a[i].second, b[i].second);
  }
  void Value(const std::string& path, const json& a, const json& b) {
    if (a != b) out_.push_back({ContractChange::Kind::kChanged, path, a, b});
  }
  void Added(const std::string& path, json after) {
    out_.push_back({ContractChange::Kind::kAdded, path, json(), std::move(after)});
  }
  void Removed(const std::string& path, json before) {
    out_.push_back({ContractChange::Kind::kRemoved, path, std::move(before), json()});
  }

  // Named items (columns, derived columns) matched by name: b's in b's order, then a's gone.
  template <typename T>
  void Items(const std::string& base, const std::vector<T>& a, const std::vector<T>& b,
             FieldList (*fields)(const T&)) {
    auto index_in = [](const std::vector<T>& items, const std::string& name) -> size_t {
      for (size_t i = 0; i < items.size(); ++i) {
        if (items[i].name == name) return i;
      }
      return items.size();
    };
    for (size_t j = 0; j < b.size(); ++j) {
      size_t i = index_in(a, b[j].name);
      const std::string path = base + b[j].name;
      if (i == a.size()) {
        Added(path, ObjectOf(b[j], fields));
        continue;
      }
      Value(path + ".position", i + 1, j + 1);
      Fields(path + ".", fields(a[i]), fields(b[j]));
    }
    for (const T& item : a) {
      if (index_in(b, item.name) == b.size()) Removed(base + item.name, ObjectOf(item, fields));
    }
  }

  std::vector<ContractChange> Take() { return std::move(out_); }

 private:
  std::vector<ContractChange> out_;
};

std::string Shown(const json& v) {
  if (v.is_null()) return "(none)";
  if (v.is_string() && !v.get_ref<const std::string&>().empty()) return v.get<std::string>();
  return v.dump();
}

}  // namespace

std::string ContractChange::ToString() const {
  switch (kind) {
    case Kind::kAdded:
      return "added " + path + ": " + Shown(after);
    case Kind::kRemoved:
      return "removed " + path + ": " + Shown(before);
    case Kind::kChanged:
      return "changed " + path + ": " + Shown(before) + " -> " + Shown(after);
  }
  return path;
}

json ContractChange::ToJson() const {
  const char* names[] = {"added", "removed", "changed"};
  return {{"change", names[static_cast<int>(kind)]},
          {"path", path},
          {"before", before},
          {"after", after}};
}

std::vector<ContractChange> DiffContracts(const Contract& a, const Contract& b) {
  Differ d;
  d.Fields("", TopFields(a), TopFields(b));
  // Every version of either, by number ("v" and digits without leading zeros: shorter first).
  std::vector<const SchemaVersion*> all;
  for (const SchemaVersion& v : a.schemas) all.push_back(&v);
  for (const SchemaVersion& v : b.schemas) {
    if (a.FindSchema(v.name) == nullptr) all.push_back(&v);
  }
  std::stable_sort(all.begin(), all.end(), [](const SchemaVersion* x, const SchemaVersion* y) {
    return x->name.size() != y->name.size() ? x->name.size() < y->name.size() : x->name < y->name;
  });
  for (const SchemaVersion* v : all) {
    const SchemaVersion* va = a.FindSchema(v->name);
    const SchemaVersion* vb = b.FindSchema(v->name);
    const std::string base = "schemas." + v->name;
    if (va == nullptr) {
      d.Added(base, VersionJson(*vb));
    } else if (vb == nullptr) {
      d.Removed(base, VersionJson(*va));
    } else {
      d.Value(base + ".extends", Optional(va->extends), Optional(vb->extends));
      d.Items(base + ".columns.", va->columns, vb->columns, ColumnFields);
      d.Value(base + ".check_order", va->check_order, vb->check_order);
      d.Items(base + ".derived.", va->derived, vb->derived, DerivedFields);
    }
  }
  return d.Take();
}

}  // namespace runlake
