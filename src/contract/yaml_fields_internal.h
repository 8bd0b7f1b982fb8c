#pragma once
// Reading a YAML document strictly, with errors that point at the text: every value is read
// together with where it is (its key path and yaml-cpp's mark), and every mapping is read
// whole against the keys it may have, so an unknown, duplicate or misspelled key is an
// error rather than a silently ignored line. YAML is untyped text underneath; these readers
// decide types as YAML 1.2's core schema does (a quoted "3" is a string, not a number), so
// a JSON contract means what it says.

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runlake/status.h"

namespace runlake::contract_internal {

// Where a node is: "<origin>:<line>:<column>: <path>" (1-based) names it in errors.
struct At {
  const std::string* origin = nullptr;
  std::string path;  // "schemas.v1.columns[2].type"; "<document>" for the root
  YAML::Mark mark;

  At Key(std::string_view key, const YAML::Mark& key_mark) const;
  At Index(size_t i, const YAML::Mark& item_mark) const;
  std::string Where() const;                         // "<origin>:<line>:<column>: <path>"
  Status Invalid(const std::string& problem) const;  // InvalidArgument "<Where()>: <problem>"
};

// One key of a mapping: its value, where the value is, and where the key itself is (an
// unusable key is reported at the key; a bad value at the value).
struct Field {
  YAML::Node value;
  At at;      // the value
  At key_at;  // the key
};

// A mapping read against its allowed keys (no duplicates, none unknown), looked up by key.
class Fields {
 public:
  // InvalidArgument when `node` is not a mapping, a key is not a plain string, a key comes
  // twice or a key is not one of `known`.
  static Result<Fields> Read(const YAML::Node& node, const At& at,
                             std::initializer_list<std::string_view> known);
  // The same for a mapping whose keys are names the contract chooses (`schemas`).
  static Result<Fields> ReadAnyKeys(const YAML::Node& node, const At& at);

  const Field* Get(std::string_view key) const;  // nullptr when absent
  // The field, or InvalidArgument "<map's where>.<key>: required key missing".
  Result<const Field*> Require(std::string_view key) const;
  const At& at() const { return at_; }
  // In document order.
  const std::vector<std::pair<std::string, Field>>& entries() const { return fields_; }

 private:
  static Result<Fields> ReadKeys(const YAML::Node& node, const At& at,
                                 const std::initializer_list<std::string_view>* known);
  At at_;
  std::vector<std::pair<std::string, Field>> fields_;  // a few keys: found by a scan
};

// Scalars. Each reports "expected <what>" at the value when the node is not one.
Result<std::string> ReadString(const Field& f);  // any scalar's text (not null, not a list)
Result<bool> ReadBool(const Field& f);           // plain true/false (also True, TRUE, …)
// A plain integer (-?[0-9]+) from `min` to `max`.
Result<int64_t> ReadInt(const Field& f, int64_t min, int64_t max);
Result<double> ReadNumber(const Field& f, double min);  // a plain finite number >= min
bool IsNull(const Field& f);                            // `~`, `null` or nothing

// A sequence of scalars, each with where it is. Empty lists are refused ("must not be
// empty"): in a contract an empty list is always a mistake, not a policy.
struct Item {
  std::string text;
  At at;
};
Result<std::vector<Item>> ReadStringList(const Field& f);
std::vector<std::string> Texts(const std::vector<Item>& items);

}  // namespace runlake::contract_internal
