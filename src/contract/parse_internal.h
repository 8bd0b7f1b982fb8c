#pragma once
// The contract loader's stages (ParseContract in runlake/contract.h): each piece of the
// YAML is read into a draft that keeps where its names were written, and the drafts are
// then resolved (extends, check_order, key, partition_by) with errors that still point at
// the text.

#include <optional>
#include <string>
#include <vector>

#include "contract/yaml_fields_internal.h"
#include "runlake/contract.h"

namespace runlake::contract_internal {

struct ColumnDraft {
  Column column;
  At name_at, from_at;
};

struct DerivedDraft {
  DerivedColumn derived;
  At name_at;
};

struct VersionDraft {
  std::string name;
  At at;  // the version's key under `schemas`
  std::optional<std::string> extends;
  At extends_at;
  std::vector<ColumnDraft> columns;  // its own, as written
  std::optional<std::vector<Item>> check_order;
  std::vector<DerivedDraft> derived;  // its own, as written
};

// One entry of `columns` / `derived`, checked on its own (names, type, every check's value
// against the column's type); names across a version are checked when resolving.
Result<ColumnDraft> ParseColumn(const YAML::Node& node, const At& at);
Result<DerivedDraft> ParseDerived(const YAML::Node& node, const At& at);

// One version under `schemas` (its name already checked).
Result<VersionDraft> ParseVersion(const std::string& name, const Field& field);

// Versions sorted by number, each with its full column list, check_order and derived list;
// refuses an unknown or cyclic `extends`, a repeated column name or `from`, a derived name
// that is a column's, and a check_order naming an unknown column or one twice.
Result<std::vector<SchemaVersion>> ResolveVersions(const std::vector<VersionDraft>& drafts);

// partition_by (ingest_date, or a required date/timestamp column of every version) and the
// key (distinct columns of every version).
Status CheckPartitionAndKey(const Contract& contract, const Field* partition_by,
                            const std::vector<Item>& key);

}  // namespace runlake::contract_internal
