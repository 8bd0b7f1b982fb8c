#pragma once
// A deliberately naive CSV parser: one character at a time, the whole input in memory,
// no buffers, no memchr. It states the scanner's semantics (see csv_scanner.h) in the
// most obvious form, so the differential test can hold the fast scanner to it.

#include <string>
#include <vector>

#include "csv_scan_util.h"

namespace runlake::ingest_test {

inline std::vector<Rec> ReferenceParse(std::string data) {
  std::vector<Rec> out;
  if (data.rfind("\xEF\xBB\xBF", 0) == 0) data.erase(0, 3);
  const size_t n = data.size();
  size_t pos = 0;
  int64_t line = 1;
  while (pos < n) {
    // Blank line: LF, CRLF, or a lone CR at the very end.
    if (data[pos] == '\n') {
      ++pos;
      ++line;
      continue;
    }
    if (data[pos] == '\r' && (pos + 1 == n || data[pos + 1] == '\n')) {
      pos += pos + 1 == n ? 1 : 2;
      ++line;
      continue;
    }
    enum { kStart, kUnquoted, kQuoted, kAfterQuote } state = kStart;
    Rec rec{"", line, false, {}};
    std::string field;
    size_t i = pos, record_end = 0, next = 0;
    bool unclosed = false;
    while (true) {
      if (state == kStart) {
        if (i < n && data[i] == '"') {
          state = kQuoted;
          ++i;
        } else
          state = kUnquoted;
        continue;
      }
      if (state == kQuoted) {
        if (i == n) {
          unclosed = true;
          break;
        }
        if (data[i] == '"') {
          if (i + 1 < n && data[i + 1] == '"') {
            field += '"';
            i += 2;
          } else {
            state = kAfterQuote;
            ++i;
          }
        } else {
          field += data[i++];
        }
        continue;
      }
      // kUnquoted or kAfterQuote: a separator, the record's end, or more field text.
      bool at_end = i == n;
      char c = at_end ? '\0' : data[i];
      bool crlf = c == '\r' && (i + 1 == n || data[i + 1] == '\n');
      if (c == ',') {
        rec.fields.push_back(field);
        field.clear();
        state = kStart;
        ++i;
        continue;
      }
      if (at_end || c == '\n' || (state == kAfterQuote && crlf)) {
        record_end = i;
        if (state == kUnquoted && !field.empty() && field.back() == '\r' && !crlf) {
          field.pop_back();
          --record_end;
        }
        rec.fields.push_back(field);
        next = i;
        if (next < n && data[next] == '\r') ++next;
        if (next < n && data[next] == '\n') ++next;
        break;
      }
      if (c == '"' || state == kAfterQuote) rec.broken = true;
      field += c;
      ++i;
    }
    if (unclosed) {
      size_t nl = data.find('\n', pos);
      record_end = nl == std::string::npos ? n : nl;
      next = nl == std::string::npos ? n : nl + 1;
      if (record_end > pos && data[record_end - 1] == '\r') --record_end;
      rec.broken = true;
      rec.fields.clear();
      std::string f;
      for (size_t k = pos; k < record_end; ++k) {
        if (data[k] == ',') {
          rec.fields.push_back(f);
          f.clear();
        } else
          f += data[k];
      }
      rec.fields.push_back(f);
    }
    rec.raw = data.substr(pos, record_end - pos);
    for (char c : rec.raw) line += c == '\n';
    ++line;
    out.push_back(std::move(rec));
    pos = next;
  }
  return out;
}

}  // namespace runlake::ingest_test
