#include "catalog/partition_filter.h"

#include <algorithm>
#include <cctype>

namespace runlake {
namespace {

enum class Kind { kWord, kString, kNumber, kPunct };
struct Token {
  Kind kind;
  std::string text;  // words lower-cased; strings unquoted
};

// Splits `sql` into tokens; nullopt for anything pruning should not reason about
// (comments, unterminated quotes).
std::optional<std::vector<Token>> Tokenize(const std::string& sql) {
  std::vector<Token> out;
  size_t i = 0, n = sql.size();
  while (i < n) {
    unsigned char c = sql[i];
    if (std::isspace(c)) { ++i; continue; }
    if ((c == '-' && i + 1 < n && sql[i + 1] == '-') || (c == '/' && i + 1 < n && sql[i + 1] == '*')) {
      return std::nullopt;
    }
    if (c == '\'' || c == '"') {
      std::string text;
      size_t j = i + 1;
      for (;; ++j) {
        if (j >= n) return std::nullopt;
        if (sql[j] == static_cast<char>(c)) {
          if (j + 1 < n && sql[j + 1] == static_cast<char>(c)) { text += sql[++j]; continue; }
          break;
        }
        text += sql[j];
      }
      if (c == '"') std::transform(text.begin(), text.end(), text.begin(), ::tolower);
      out.push_back({c == '\'' ? Kind::kString : Kind::kWord, text});
      i = j + 1;
    } else if (std::isalpha(c) || c == '_') {
      size_t j = i;
      while (j < n && (std::isalnum(static_cast<unsigned char>(sql[j])) || sql[j] == '_')) ++j;
      std::string w = sql.substr(i, j - i);
      std::transform(w.begin(), w.end(), w.begin(), ::tolower);
      out.push_back({Kind::kWord, w});
      i = j;
    } else if (std::isdigit(c)) {
      size_t j = i;
      while (j < n && (std::isdigit(static_cast<unsigned char>(sql[j])) || sql[j] == '.')) ++j;
      out.push_back({Kind::kNumber, sql.substr(i, j - i)});
      i = j;
    } else {
      std::string p(1, static_cast<char>(c));
      if (i + 1 < n && std::string("<>!:").find(static_cast<char>(c)) != std::string::npos &&
          std::string("=>:").find(sql[i + 1]) != std::string::npos) {
        p += sql[i + 1];
      }
      out.push_back({Kind::kPunct, p});
      i += p.size();
    }
  }
  return out;
}

bool IsWord(const Token& t, const char* w) { return t.kind == Kind::kWord && t.text == w; }
bool IsPunct(const Token& t, const char* p) { return t.kind == Kind::kPunct && t.text == p; }

// A literal at tokens[*i] (`'x'`, `42`, `DATE 'x'`, optionally `::type`); advances *i.
std::optional<Token> Literal(const std::vector<Token>& t, size_t* i, size_t end) {
  size_t j = *i;
  if (j < end && IsWord(t[j], "date") && j + 1 < end && t[j + 1].kind == Kind::kString) ++j;
  if (j >= end || (t[j].kind != Kind::kString && t[j].kind != Kind::kNumber)) return std::nullopt;
  Token lit = t[j++];
  if (j + 1 < end && IsPunct(t[j], "::") && t[j + 1].kind == Kind::kWord) j += 2;
  *i = j;
  return lit;
}

// A column at tokens[*i] (`col` or `alias.col`); advances *i.
std::optional<std::string> Column(const std::vector<Token>& t, size_t* i, size_t end) {
  size_t j = *i;
  if (j >= end || t[j].kind != Kind::kWord) return std::nullopt;
  std::string col = t[j++].text;
  if (j + 1 < end && IsPunct(t[j], ".") && t[j + 1].kind == Kind::kWord) {
    col = t[j + 1].text;
    j += 2;
  }
  *i = j;
  return col;
}

// One AND-ed term: the column and its literals, when the term is exactly a constraint.
bool Constraint(const std::vector<Token>& t, size_t begin, size_t end, std::string* col,
                std::vector<Token>* values) {
  size_t i = begin;
  if (auto lit = Literal(t, &i, end)) {  // literal = col
    if (i >= end || !IsPunct(t[i++], "=")) return false;
    auto c = Column(t, &i, end);
    if (!c || i != end) return false;
    *col = *c;
    values->push_back(*lit);
    return true;
  }
  auto c = Column(t, &i, end);
  if (!c || i >= end) return false;
  *col = *c;
  if (IsPunct(t[i], "=")) {
    ++i;
    auto lit = Literal(t, &i, end);
    if (!lit || i != end) return false;
    values->push_back(*lit);
    return true;
  }
  if (!IsWord(t[i], "in") || i + 1 >= end || !IsPunct(t[i + 1], "(")) return false;
  i += 2;
  for (;;) {
    auto lit = Literal(t, &i, end);
    if (!lit || i >= end) return false;
    values->push_back(*lit);
    if (IsPunct(t[i], ")")) return i + 1 == end;
    if (!IsPunct(t[i++], ",")) return false;
  }
}

std::optional<int> Integer(const std::string& s) {
  if (s.empty() || s.size() > 9 || !std::all_of(s.begin(), s.end(), ::isdigit)) return std::nullopt;
  return std::stoi(s);
}

bool IsDate(const std::string& s) {
  return s.size() == 10 && s[4] == '-' && s[7] == '-' &&
         std::all_of(s.begin(), s.end(), [](char c) { return c == '-' || std::isdigit(static_cast<unsigned char>(c)); });
}

// Narrows `*set` to `values` (the intersection when constrained twice).
template <typename T>
void Narrow(std::optional<std::set<T>>* set, const std::set<T>& values) {
  if (!*set) { *set = values; return; }
  std::set<T> both;
  for (const T& v : values) if ((*set)->count(v)) both.insert(v);
  **set = both;
}

void Apply(PartitionFilter* f, const std::string& col, const std::vector<Token>& values) {
  if (col == "year" || col == "month") {
    std::set<int> ints;
    for (const auto& v : values) {
      auto x = Integer(v.text);
      if (!x) return;  // not a plain integer: leave it to DuckDB
      ints.insert(*x);
    }
    Narrow(col == "year" ? &f->years : &f->months, ints);
  } else if (col == "run_id" || col == "ingest_date") {
    std::set<std::string> strs;
    for (const auto& v : values) {
      if (v.kind != Kind::kString || (col == "ingest_date" && !IsDate(v.text))) return;
      strs.insert(v.text);
    }
    Narrow(col == "run_id" ? &f->run_ids : &f->ingest_dates, strs);
  }
}

}  // namespace

bool PartitionFilter::Admits(const std::string& v, int year, int month, const std::string& run_id,
                             const std::vector<std::string>& dates) const {
  if (v != view) return true;
  if (years && year != 0 && !years->count(year)) return false;
  if (months && month != 0 && !months->count(month)) return false;
  if (run_ids && !run_ids->count(run_id)) return false;
  if (ingest_dates && !dates.empty() &&
      std::none_of(dates.begin(), dates.end(), [&](const std::string& d) { return ingest_dates->count(d); })) {
    return false;
  }
  return true;
}

PartitionFilter PartitionFilterOf(const std::string& sql, const std::vector<std::string>& views) {
  PartitionFilter f;
  auto tokens = Tokenize(sql);
  if (!tokens) return f;
  const std::vector<Token>& t = *tokens;
  int selects = 0, view_mentions = 0;
  std::string view;
  for (const auto& tok : t) {
    if (tok.kind != Kind::kWord) continue;
    for (const char* w : {"or", "not", "between", "case", "union", "intersect", "except", "with",
                          "join", "values", "lateral", "unnest", "using"}) {
      if (tok.text == w) return f;
    }
    selects += tok.text == "select";
    if (std::find(views.begin(), views.end(), tok.text) != views.end()) {
      ++view_mentions;
      view = tok.text;
    }
  }
  if (selects != 1 || view_mentions != 1) return f;
  auto where = std::find_if(t.begin(), t.end(), [](const Token& x) { return IsWord(x, "where"); });
  if (where == t.end()) return f;
  size_t begin = where - t.begin() + 1, end = begin;
  int depth = 0;
  // One FROM item only: with `a, b` a constraint could be on the other item's column.
  auto from = std::find_if(t.begin(), t.end(), [](const Token& x) { return IsWord(x, "from"); });
  if (from == t.end() || from > where) return f;
  for (auto it = from; it != where; ++it) {
    if (IsPunct(*it, "(")) ++depth;
    if (IsPunct(*it, ")")) --depth;
    if (depth == 0 && IsPunct(*it, ",")) return f;
  }
  if (depth != 0) return f;
  for (; end < t.size(); ++end) {
    if (IsPunct(t[end], "(")) ++depth;
    if (IsPunct(t[end], ")") && --depth < 0) return f;
    if (depth == 0 && (IsPunct(t[end], ";") || IsWord(t[end], "group") || IsWord(t[end], "order") ||
                       IsWord(t[end], "limit") || IsWord(t[end], "having") ||
                       IsWord(t[end], "qualify") || IsWord(t[end], "window") || IsWord(t[end], "offset"))) {
      break;
    }
  }
  size_t term = begin;
  depth = 0;
  for (size_t i = begin; i <= end; ++i) {
    if (i < end && IsPunct(t[i], "(")) ++depth;
    if (i < end && IsPunct(t[i], ")")) --depth;
    if (i == end || (depth == 0 && IsWord(t[i], "and"))) {
      std::string col;
      std::vector<Token> values;
      if (Constraint(t, term, i, &col, &values)) Apply(&f, col, values);
      term = i + 1;
    }
  }
  if (!f.Empty()) f.view = view;
  return f;
}

void PartitionYearMonth(const std::string& partition, int* year, int* month) {
  *year = *month = 0;
  auto value = [&](const std::string& key) -> int {
    auto at = partition.find(key + "=");
    if (at == std::string::npos || (at > 0 && partition[at - 1] != '/')) return 0;
    auto digits = partition.substr(at + key.size() + 1, partition.find('/', at) - at - key.size() - 1);
    return Integer(digits).value_or(0);
  };
  *year = value("year");
  *month = value("month");
}

}  // namespace runlake
