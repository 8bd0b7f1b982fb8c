#pragma once
// Renders a QueryResult for people (table) and programs (csv, json): `runlake query
// --format`. Pure functions over the strings DuckDB printed; no DuckDB here.

#include <string>

#include "runlake/query_result.h"
#include "runlake/status.h"

namespace runlake {

enum class OutputFormat { kTable, kCsv, kJson };

// "table", "csv" or "json"; anything else is InvalidArgument naming the choices.
Result<OutputFormat> ParseOutputFormat(const std::string& name);

// Aligned columns: header, a dashed separator, the rows (numbers right-aligned, NULL shown
// as NULL, newlines and tabs in values shown as \n and \t), then "(N rows)".
std::string FormatTable(const QueryResult& result);
// RFC 4180 quoting, header row first, LF line ends (as DuckDB's own COPY writes them). NULL
// is an empty field; an empty string is "" so the two stay distinguishable.
std::string FormatCsv(const QueryResult& result);
// A JSON array of objects, one per row, keys in column order. Integer, decimal and float
// columns are unquoted numbers exactly as DuckDB printed them (12.50 stays 12.50), except
// non-finite floats, which are strings ("inf", "nan"); BOOLEAN is true/false; NULL is null;
// everything else is a string.
std::string FormatJson(const QueryResult& result);

std::string FormatResult(const QueryResult& result, OutputFormat format);

}  // namespace runlake
