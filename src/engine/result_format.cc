// Table, CSV and JSON renderings of a QueryResult.

#include "runlake/result_format.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <string_view>

namespace runlake {
namespace {

bool IsNumericType(std::string_view type) {
  static constexpr std::string_view kNumeric[] = {
      "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
      "UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "BIGNUM"};
  return type.starts_with("DECIMAL") ||
         std::find(std::begin(kNumeric), std::end(kNumeric), type) != std::end(kNumeric);
}

// JSON's number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
bool IsJsonNumber(std::string_view s) {
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < s.size() && isdigit(static_cast<unsigned char>(s[i]))) i++;
    return i > start;
  };
  if (i < s.size() && s[i] == '-') i++;
  if (i < s.size() && s[i] == '0') {
    i++;
  } else if (!digits()) {
    return false;
  }
  if (i < s.size() && s[i] == '.' && (++i, !digits())) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) i++;
    if (!digits()) return false;
  }
  return i == s.size();
}

void AppendJsonString(std::string* out, std::string_view s) {
  *out += '"';
  for (char c : s) {
    switch (c) {
      case '"': *out += "\\\""; break;
      case '\\': *out += "\\\\"; break;
      case '\n': *out += "\\n"; break;
      case '\r': *out += "\\r"; break;
      case '\t': *out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          *out += buf;
        } else {
          *out += c;
        }
    }
  }
  *out += '"';
}

void AppendCsvField(std::string* out, std::string_view s) {
  bool quote = s.empty() || s.find_first_of(",\"\r\n") != std::string_view::npos;
  if (!quote) {
    *out += s;
    return;
  }
  *out += '"';
  for (char c : s) {
    if (c == '"') *out += '"';
    *out += c;
  }
  *out += '"';
}

std::string Printable(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else out += c;
  }
  return out;
}

// Terminal columns taken by UTF-8 text: one per code point (wide glyphs are rare here).
size_t DisplayWidth(std::string_view s) {
  return std::count_if(s.begin(), s.end(),
                       [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
}

void AppendPadded(std::string* out, const std::string& s, size_t width, bool right) {
  std::string pad(width - std::min(width, DisplayWidth(s)), ' ');
  *out += right ? pad + s : s + pad;
}

}  // namespace

Result<OutputFormat> ParseOutputFormat(const std::string& name) {
  if (name == "table") return OutputFormat::kTable;
  if (name == "csv") return OutputFormat::kCsv;
  if (name == "json") return OutputFormat::kJson;
  return Status::InvalidArgument("unknown format '" + name + "' (table, csv or json)");
}

std::string FormatTable(const QueryResult& result) {
  size_t ncols = result.column_names.size();
  std::vector<std::vector<std::string>> cells;  // header first
  cells.emplace_back();
  for (const auto& name : result.column_names) cells[0].push_back(Printable(name));
  for (const auto& row : result.rows) {
    cells.emplace_back();
    for (const auto& v : row) cells.back().push_back(v ? Printable(*v) : "NULL");
  }
  std::vector<size_t> width(ncols, 0);
  for (const auto& row : cells) {
    for (size_t c = 0; c < ncols; c++) width[c] = std::max(width[c], DisplayWidth(row[c]));
  }
  std::string out;
  for (size_t r = 0; r < cells.size(); r++) {
    std::string line;
    for (size_t c = 0; c < ncols; c++) {
      bool right = r > 0 && IsNumericType(result.column_types[c]);
      line += c ? " | " : "";
      AppendPadded(&line, cells[r][c], width[c], right);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + '\n';
    if (r == 0) {
      for (size_t c = 0; c < ncols; c++) out += (c ? "-+-" : "") + std::string(width[c], '-');
      out += '\n';
    }
  }
  size_t n = result.rows.size();
  return out + "(" + std::to_string(n) + (n == 1 ? " row)\n" : " rows)\n");
}

std::string FormatCsv(const QueryResult& result) {
  std::string out;
  for (size_t c = 0; c < result.column_names.size(); c++) {
    if (c) out += ',';
    AppendCsvField(&out, result.column_names[c]);
  }
  out += '\n';
  for (const auto& row : result.rows) {
    for (size_t c = 0; c < row.size(); c++) {
      if (c) out += ',';
      if (row[c]) AppendCsvField(&out, *row[c]);
    }
    out += '\n';
  }
  return out;
}

std::string FormatJson(const QueryResult& result) {
  if (result.rows.empty()) return "[]\n";
  std::string out = "[\n";
  for (size_t r = 0; r < result.rows.size(); r++) {
    out += "  {";
    for (size_t c = 0; c < result.column_names.size(); c++) {
      if (c) out += ", ";
      AppendJsonString(&out, result.column_names[c]);
      out += ": ";
      const auto& v = result.rows[r][c];
      const std::string& type = result.column_types[c];
      if (!v) {
        out += "null";
      } else if (IsNumericType(type) && IsJsonNumber(*v)) {
        out += *v;
      } else if (type == "BOOLEAN" && (*v == "true" || *v == "false")) {
        out += *v;
      } else {
        AppendJsonString(&out, *v);
      }
    }
    out += r + 1 < result.rows.size() ? "},\n" : "}\n";
  }
  return out + "]\n";
}

std::string FormatResult(const QueryResult& result, OutputFormat format) {
  switch (format) {
    case OutputFormat::kCsv: return FormatCsv(result);
    case OutputFormat::kJson: return FormatJson(result);
    case OutputFormat::kTable: break;
  }
  return FormatTable(result);
}

}  // namespace runlake
