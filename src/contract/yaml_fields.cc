// Strict YAML readers (see yaml_fields_internal.h).

#include <charconv>
#include <cmath>
#include <sstream>

#include "contract/yaml_fields_internal.h"

namespace runlake::contract_internal {
namespace {

// A plain scalar is untagged in the text ("?"); quoting gives "!", an explicit tag its name.
bool IsPlain(const YAML::Node& n) { return n.IsScalar() && n.Tag() == "?"; }

std::string Kind(const YAML::Node& n) {
  if (!n.IsDefined() || n.IsNull()) return "null";
  if (n.IsSequence()) return "a list";
  if (n.IsMap()) return "a mapping";
  return IsPlain(n) ? "'" + n.Scalar() + "'" : "the string \"" + n.Scalar() + "\"";
}

Status Expected(const Field& f, const std::string& what) {
  return f.at.Invalid("expected " + what + ", got " + Kind(f.value));
}

}  // namespace

At At::Key(std::string_view key, const YAML::Mark& key_mark) const {
  std::string p = path == "<document>" ? std::string(key) : path + "." + std::string(key);
  return At{origin, std::move(p), key_mark};
}

At At::Index(size_t i, const YAML::Mark& item_mark) const {
  return At{origin, path + "[" + std::to_string(i) + "]", item_mark};
}

std::string At::Where() const {
  // yaml-cpp counts from 0 and has no mark (-1) for nodes it made up; editors count from 1.
  int line = mark.line < 0 ? 1 : mark.line + 1;
  int column = mark.column < 0 ? 1 : mark.column + 1;
  return *origin + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + path;
}

Status At::Invalid(const std::string& problem) const {
  return Status::InvalidArgument(Where() + ": " + problem);
}

Result<Fields> Fields::Read(const YAML::Node& node, const At& at,
                            std::initializer_list<std::string_view> known) {
  return ReadKeys(node, at, &known);
}

Result<Fields> Fields::ReadAnyKeys(const YAML::Node& node, const At& at) {
  return ReadKeys(node, at, nullptr);
}

Result<Fields> Fields::ReadKeys(const YAML::Node& node, const At& at,
                                const std::initializer_list<std::string_view>* known) {
  if (!node.IsMap()) return at.Invalid("expected a mapping, got " + Kind(node));
  Fields out;
  out.at_ = at;
  for (const auto& entry : node) {
    // Copies: yaml-cpp's map iterator hands out a temporary pair, and nodes are handles.
    const YAML::Node key = entry.first, value = entry.second;
    if (!key.IsScalar()) return at.Invalid("a key must be a plain name, got " + Kind(key));
    const std::string name = key.Scalar();
    At key_at = at.Key(name, key.Mark());
    if (known != nullptr) {
      bool is_known = false;
      std::string list;
      for (std::string_view k : *known) {
        is_known = is_known || k == name;
        list += (list.empty() ? "" : ", ") + std::string(k);
      }
      if (!is_known) return key_at.Invalid("unknown key (known: " + list + ")");
    }
    // yaml-cpp keeps both entries of a repeated key; a silent "last one wins" would hide
    // which of two values a contract means.
    if (out.Get(name) != nullptr) return key_at.Invalid("duplicate key");
    At value_at = at.Key(name, value.Mark());
    // `key:` with nothing after it: yaml-cpp marks the null where the next token starts.
    if (value.Mark().line < 0 || (value.IsNull() && value.Mark().line != key.Mark().line)) {
      value_at.mark = key.Mark();
    }
    out.fields_.emplace_back(name, Field{value, std::move(value_at), std::move(key_at)});
  }
  return out;
}

const Field* Fields::Get(std::string_view key) const {
  for (const auto& [name, field] : fields_) {
    if (name == key) return &field;
  }
  return nullptr;
}

Result<const Field*> Fields::Require(std::string_view key) const {
  const Field* f = Get(key);
  if (f == nullptr) return at_.Key(key, at_.mark).Invalid("required key missing");
  return f;
}

bool IsNull(const Field& f) { return !f.value.IsDefined() || f.value.IsNull(); }

Result<std::string> ReadString(const Field& f) {
  if (!f.value.IsScalar()) return Expected(f, "a string");
  return f.value.Scalar();
}

Result<bool> ReadBool(const Field& f) {
  if (IsPlain(f.value)) {
    const std::string& s = f.value.Scalar();
    if (s == "true" || s == "True" || s == "TRUE") return true;
    if (s == "false" || s == "False" || s == "FALSE") return false;
  }
  return Expected(f, "true or false");
}

Result<int64_t> ReadInt(const Field& f, int64_t min, int64_t max) {
  const std::string what = "an integer from " + std::to_string(min) + " to " + std::to_string(max);
  if (!IsPlain(f.value)) return Expected(f, what);
  const std::string& s = f.value.Scalar();
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < min || v > max) {
    return Expected(f, what);
  }
  return v;
}

Result<double> ReadNumber(const Field& f, double min) {
  std::ostringstream what_text;
  what_text << "a number >= " << min;
  const std::string what = what_text.str();
  if (!IsPlain(f.value)) return Expected(f, what);
  const std::string& s = f.value.Scalar();
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v) || v < min) {
    return Expected(f, what);
  }
  return v;
}

Result<std::vector<Item>> ReadStringList(const Field& f) {
  if (!f.value.IsSequence()) return Expected(f, "a list of strings");
  std::vector<Item> out;
  size_t i = 0;
  for (const YAML::Node& item : f.value) {
    At at = f.at.Index(i++, item.Mark());
    if (!item.IsScalar()) return at.Invalid("expected a string, got " + Kind(item));
    out.push_back({item.Scalar(), std::move(at)});
  }
  if (out.empty()) return f.at.Invalid("must not be empty");
  return out;
}

std::vector<std::string> Texts(const std::vector<Item>& items) {
  std::vector<std::string> out;
  out.reserve(items.size());
  for (const Item& i : items) out.push_back(i.text);
  return out;
}

}  // namespace runlake::contract_internal
