// The contract model's lookups, reason codes and hash (see runlake/contract.h).

#include "runlake/contract.h"

#include "common/sha256.h"

namespace runlake {

const Column* SchemaVersion::FindColumn(std::string_view column_name) const {
  for (const Column& c : columns) {
    if (c.name == column_name) return &c;
  }
  return nullptr;
}

const SchemaVersion* Contract::FindSchema(std::string_view version) const {
  for (const SchemaVersion& v : schemas) {
    if (v.name == version) return &v;
  }
  return nullptr;
}

std::string ContractSha256(std::string_view yaml_text) { return Sha256::Of(yaml_text); }

std::string ReasonFor(const Column& column, CheckKind check) {
  if (column.reason) return *column.reason;
  const bool time =
      column.type.kind == ColumnKind::kDate || column.type.kind == ColumnKind::kTimestamp;
  switch (check) {
    case CheckKind::kParse:
      return time ? "TIMESTAMP_ERROR" : "TYPE_ERROR";
    case CheckKind::kEnum:
    case CheckKind::kPattern:
    case CheckKind::kLength:
      return "DOMAIN_ERROR";
    case CheckKind::kRange:
      return "RANGE_ERROR";
    case CheckKind::kWindow:
      return "TIMESTAMP_ERROR";
  }
  return "TYPE_ERROR";
}

std::vector<DerivedToBind> DerivedColumnsToBind(const Contract& contract) {
  std::vector<DerivedToBind> out;
  for (const SchemaVersion& v : contract.schemas) {
    for (const DerivedColumn& d : v.derived) out.push_back({v.name, &d, &v.columns});
  }
  return out;
}

std::vector<SilverDataColumn> SilverDataColumns(const Contract& contract) {
  std::vector<SilverDataColumn> out;
  auto add = [&out](const std::string& name, const ColumnType& type) {
    for (SilverDataColumn& c : out) {
      if (c.name == name) {
        c.type = type;  // a later version's type: the same or wider
        return;
      }
    }
    out.push_back({name, type});
  };
  for (const SchemaVersion& v : contract.schemas) {
    for (const Column& c : v.columns) add(c.name, c.type);
    for (const DerivedColumn& d : v.derived) add(d.name, d.type);
  }
  return out;
}

}  // namespace runlake
