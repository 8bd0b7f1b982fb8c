// Resolving schema versions (see parse_internal.h): each version's full column list is its
// ancestors' columns, root first, then its own, so a child's silver rows are a superset of
// its parent's. Every name conflict is reported where the later name was written.

#include <algorithm>
#include <map>

#include "contract/names.h"
#include "contract/parse_internal.h"

namespace runlake::contract_internal {
namespace {

using DraftMap = std::map<std::string, const VersionDraft*, std::less<>>;

std::string VersionList(const DraftMap& by_name) {
  std::string out;
  for (const auto& [name, d] : by_name) out += (out.empty() ? "" : ", ") + name;
  return out;
}

// The version's ancestors and itself, root first; refuses an unknown parent or a cycle.
Result<std::vector<const VersionDraft*>> Chain(const VersionDraft& v, const DraftMap& by_name) {
  std::vector<const VersionDraft*> chain = {&v};
  while (chain.back()->extends) {
    const VersionDraft& child = *chain.back();
    auto parent = by_name.find(*child.extends);
    if (parent == by_name.end()) {
      return child.extends_at.Invalid("unknown schema version '" + *child.extends +
                                      "' (versions: " + VersionList(by_name) + ")");
    }
    auto seen = std::find(chain.begin(), chain.end(), parent->second);
    if (seen != chain.end()) {
      std::string cycle;
      for (auto it = seen; it != chain.end(); ++it) cycle += (*it)->name + " -> ";
      return child.extends_at.Invalid("extends cycle: " + cycle + parent->first);
    }
    chain.push_back(parent->second);
  }
  std::reverse(chain.begin(), chain.end());
  return chain;
}

Status AddColumns(const VersionDraft& v, std::vector<const ColumnDraft*>* all) {
  for (const ColumnDraft& c : v.columns) {
    for (const ColumnDraft* earlier : *all) {
      if (earlier->column.name == c.column.name) {
        return c.name_at.Invalid("duplicate column name '" + c.column.name + "' (also " +
                                 earlier->name_at.path + ")");
      }
      if (earlier->column.from == c.column.from) {
        return c.from_at.Invalid("duplicate header name '" + c.column.from + "' (also " +
                                 earlier->from_at.path + ")");
      }
    }
    all->push_back(&c);
  }
  return Status::OK();
}

Status AddDerived(const VersionDraft& v, const std::vector<const ColumnDraft*>& columns,
                  std::vector<const DerivedDraft*>* all) {
  for (const DerivedDraft& d : v.derived) {
    for (const ColumnDraft* c : columns) {
      if (c->column.name == d.derived.name) {
        return d.name_at.Invalid("derived column '" + d.derived.name + "' has the name of " +
                                 c->name_at.path);
      }
    }
    for (const DerivedDraft* earlier : *all) {
      if (earlier->derived.name == d.derived.name) {
        return d.name_at.Invalid("duplicate derived column '" + d.derived.name + "' (also " +
                                 earlier->name_at.path + ")");
      }
    }
    all->push_back(&d);
  }
  return Status::OK();
}

// The listed names first, in order, then every other column in column order.
Result<std::vector<std::string>> CheckOrder(const std::vector<Item>* listed,
                                            const SchemaVersion& v) {
  std::vector<std::string> order;
  if (listed != nullptr) {
    for (const Item& i : *listed) {
      if (v.FindColumn(i.text) == nullptr) {
        return i.at.Invalid("'" + i.text + "' is not a column of " + v.name);
      }
      if (std::find(order.begin(), order.end(), i.text) != order.end()) {
        return i.at.Invalid("'" + i.text + "' is listed twice");
      }
      order.push_back(i.text);
    }
  }
  for (const Column& c : v.columns) {
    if (std::find(order.begin(), order.end(), c.name) == order.end()) order.push_back(c.name);
  }
  return order;
}

Result<SchemaVersion> Resolve(const VersionDraft& draft, const DraftMap& by_name) {
  RUNLAKE_ASSIGN_OR_RAISE(std::vector<const VersionDraft*> chain, Chain(draft, by_name));
  std::vector<const ColumnDraft*> columns;
  std::vector<const DerivedDraft*> derived;
  const std::vector<Item>* check_order = nullptr;  // the nearest explicit one wins
  for (const VersionDraft* v : chain) {
    RUNLAKE_RETURN_NOT_OK(AddColumns(*v, &columns));
    if (v->check_order) check_order = &*v->check_order;
  }
  for (const VersionDraft* v : chain) RUNLAKE_RETURN_NOT_OK(AddDerived(*v, columns, &derived));
  SchemaVersion out;
  out.name = draft.name;
  out.extends = draft.extends;
  for (const ColumnDraft* c : columns) out.columns.push_back(c->column);
  for (const DerivedDraft* d : derived) out.derived.push_back(d->derived);
  RUNLAKE_ASSIGN_OR_RAISE(out.check_order, CheckOrder(check_order, out));
  return out;
}

}  // namespace

Result<std::vector<SchemaVersion>> ResolveVersions(const std::vector<VersionDraft>& drafts) {
  DraftMap by_name;
  for (const VersionDraft& d : drafts) by_name.emplace(d.name, &d);
  std::vector<const VersionDraft*> sorted;
  for (const VersionDraft& d : drafts) sorted.push_back(&d);
  std::sort(sorted.begin(), sorted.end(), [](const VersionDraft* a, const VersionDraft* b) {
    return VersionNumber(a->name) < VersionNumber(b->name);
  });
  std::vector<SchemaVersion> out;
  for (const VersionDraft* d : sorted) {
    RUNLAKE_ASSIGN_OR_RAISE(SchemaVersion v, Resolve(*d, by_name));
    out.push_back(std::move(v));
  }
  return out;
}

Status CheckPartitionAndKey(const Contract& contract, const Field* partition_by,
                            const std::vector<Item>& key) {
  if (partition_by != nullptr && contract.partition_by != kIngestDatePartition) {
    for (const SchemaVersion& v : contract.schemas) {
      const Column* c = v.FindColumn(contract.partition_by);
      const std::string name = "'" + contract.partition_by + "'";
      if (c == nullptr) return partition_by->at.Invalid(name + " is not a column of " + v.name);
      if (c->type.kind != ColumnKind::kDate && c->type.kind != ColumnKind::kTimestamp) {
        return partition_by->at.Invalid(name + " is a " + c->type.ToString() + " column in " +
                                        v.name +
                                        "; partition_by needs a date or timestamp "
                                        "column, or ingest_date");
      }
      // A row without a value would have no year=/month= to go to.
      if (!c->required) {
        return partition_by->at.Invalid(name + " is not required in " + v.name +
                                        "; a partition column must be required");
      }
    }
  }
  for (size_t i = 0; i < key.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (key[j].text == key[i].text)
        return key[i].at.Invalid("'" + key[i].text + "' is listed twice");
    }
    for (const SchemaVersion& v : contract.schemas) {
      if (v.FindColumn(key[i].text) == nullptr) {
        return key[i].at.Invalid("'" + key[i].text + "' is not a column of " + v.name);
      }
    }
  }
  return Status::OK();
}

}  // namespace runlake::contract_internal
