#pragma once
// CsvScanner: splits the bytes of a ByteSource into RFC 4180 records, streaming.
//
// Records are yielded as string_views into the scanner's buffer (valid until the next
// call), so the common case costs no allocation and no copy: one memchr finds the line
// end, a cached memchr tells whether the line holds any quote, and unquoted lines are
// split on the delimiter (',' unless the contract says otherwise) with memchr. Only records containing quotes take the slower path, which
// unescapes their fields into a reused scratch string.
//
// Semantics (shared with the reference parser in tests/ingest/csv_reference.h):
// - Records end at LF or CRLF outside quotes; a lone CR is data. A UTF-8 BOM at the
//   very start is dropped. The last record may lack a terminator.
// - Blank lines (nothing, or only CR, between terminators) are skipped, not records; they
//   still count as physical lines.
// - Broken quoting marks the record (broken_quoting) instead of failing the file:
//   a '"' inside an unquoted field (kept as data), text after a closing quote (appended
//   to the field), and a quote never closed. An unclosed quote would swallow the rest of
//   the file, so that record ends at the end of its first physical line instead and
//   scanning resumes on the next line; the same recovery applies when a quoted record
//   grows beyond max_record_bytes, which keeps memory bounded.
// - A physical line longer than max_record_bytes (without its terminator) is an over-long
//   record: it is read to its line end without being buffered (hashed on the way) and
//   yielded with `overlong` set, only its first bytes in `raw` and no fields. A line still
//   longer than the limit when the data ends, with no line end at all, fails the scan
//   (InvalidArgument): that is not a CSV file.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ingest/byte_source.h"
#include "runlake/status.h"

namespace runlake {

struct CsvScannerOptions {
  size_t chunk_size = 1 << 20;        // bytes asked of the source per refill
  size_t max_record_bytes = 8 << 20;  // longest record (see the rules above)
  char delimiter = ',';               // the contract's source.delimiter (not '"', CR or LF)
};

// Bytes of an over-long record kept in CsvRecord::raw (max_record_bytes when that is
// smaller; fewer when the cut would split a UTF-8 character).
inline constexpr size_t kOverlongPrefixBytes = 4096;

struct CsvRecord {
  std::string_view raw;  // the record's bytes as in the file, without its terminator
  int64_t line = 0;      // 1-based physical line where the record starts
  bool broken_quoting = false;
  std::span<const std::string_view> fields;  // unquoted, unescaped field values
  // Set for a line longer than max_record_bytes: raw is then its first bytes only, fields
  // is empty, and these describe the whole record (without its terminator).
  bool overlong = false;
  uint64_t overlong_size = 0;
  std::string_view overlong_sha256;  // lowercase hex
};

class CsvScanner {
 public:
  explicit CsvScanner(ByteSource* source, CsvScannerOptions options = {});

  // Fills *record with the next record and returns true; false at the end of the data.
  // Errors: the source's (Corruption for gzip), InvalidArgument for an over-long line that
  // has no line end before the end of the data.
  Result<bool> Next(CsvRecord* record);

  // The physical line the next record starts on (or the line reached, after an error).
  int64_t line() const { return line_; }

 private:
  enum class Parse { kDone, kNeedMore };

  Status Fill();
  Status SkipBom();
  size_t NextQuote(size_t from);
  void EmitPlain(size_t line_end, size_t next, CsvRecord* record);
  Parse ParseQuoted(size_t* record_end, size_t* next, bool* broken);
  void EmitRecovered(CsvRecord* record);
  void EmitOverlong(size_t line_end, size_t next, CsvRecord* record);
  Result<bool> SkipOverlong(CsvRecord* record);
  void FinishOverlong(uint64_t size, CsvRecord* record);
  size_t PrefixLength(size_t from, size_t to) const;

  ByteSource* source_;
  CsvScannerOptions options_;
  std::unique_ptr<char[]> buf_;
  size_t cap_ = 0, pos_ = 0, end_ = 0;  // unread bytes are buf_[pos_, end_)
  bool eof_ = false;
  bool bom_checked_ = false;
  int64_t line_ = 1;
  // Cached memchr for '"': buf_[quote_pos_] is a quote, or quote_pos_ == quote_end_ when
  // there is none before quote_end_. Valid for any `from` not past quote_pos_.
  size_t quote_pos_ = 0, quote_end_ = 0;
  std::vector<std::string_view> fields_;
  std::string scratch_;                               // unescaped fields of quoted records
  std::vector<std::pair<uint32_t, uint32_t>> spans_;  // (offset, size) in scratch_
  std::string overlong_prefix_, overlong_sha256_;     // of the last over-long record
};

}  // namespace runlake
