#include "ingest/csv_scanner.h"

#include <algorithm>
#include <cstring>

#include "common/sha256.h"

namespace runlake {

CsvScanner::CsvScanner(ByteSource* source, CsvScannerOptions options)
    : source_(source), options_(options) {
  options_.chunk_size = std::max<size_t>(options_.chunk_size, 16);
  options_.max_record_bytes = std::max<size_t>(options_.max_record_bytes, 16);
  cap_ = options_.chunk_size;
  buf_.reset(new char[cap_]);  // not value-initialised: no memset of a buffer we overwrite
}

// Moves the unread tail to the front (it is the start of an incomplete record), grows
// the buffer when that tail fills it, and reads more. Sets eof_ on a 0-byte read.
Status CsvScanner::Fill() {
  if (pos_ > 0) {
    std::memmove(buf_.get(), buf_.get() + pos_, end_ - pos_);
    end_ -= pos_;
    pos_ = 0;
  }
  quote_pos_ = quote_end_ = 0;  // offsets moved: forget the cached quote
  if (end_ == cap_) {
    size_t new_cap = cap_ * 2;
    std::unique_ptr<char[]> bigger(new char[new_cap]);
    std::memcpy(bigger.get(), buf_.get(), end_);
    buf_ = std::move(bigger);
    cap_ = new_cap;
  }
  RUNLAKE_ASSIGN_OR_RAISE(size_t got, source_->Read(buf_.get() + end_, cap_ - end_));
  if (got == 0) eof_ = true;
  end_ += got;
  return Status::OK();
}

Status CsvScanner::SkipBom() {
  while (!eof_ && end_ - pos_ < 3) RUNLAKE_RETURN_NOT_OK(Fill());
  if (end_ - pos_ >= 3 && std::memcmp(buf_.get() + pos_, "\xEF\xBB\xBF", 3) == 0) pos_ += 3;
  bom_checked_ = true;
  return Status::OK();
}

size_t CsvScanner::NextQuote(size_t from) {
  if (from > quote_pos_ || (quote_pos_ == quote_end_ && quote_end_ < end_)) {
    const void* q = std::memchr(buf_.get() + from, '"', end_ - from);
    quote_pos_ = q ? static_cast<const char*>(q) - buf_.get() : end_;
    quote_end_ = end_;
  }
  return quote_pos_;
}

// How much of buf_[from, to) an over-long record keeps: kOverlongPrefixBytes (at most
// max_record_bytes, which the buffer always holds by then), backed off to the start of a
// UTF-8 character so that the cut itself makes no invalid bytes.
size_t CsvScanner::PrefixLength(size_t from, size_t to) const {
  size_t n = std::min({kOverlongPrefixBytes, options_.max_record_bytes, to - from});
  if (n == to - from) return n;
  for (int i = 0; i < 3 && n > 0 && (static_cast<unsigned char>(buf_[from + n]) & 0xC0) == 0x80;
       ++i) {
    --n;
  }
  return n;
}

void CsvScanner::FinishOverlong(uint64_t size, CsvRecord* record) {
  fields_.clear();
  record->raw = overlong_prefix_;
  record->line = line_++;
  record->broken_quoting = false;
  record->fields = fields_;
  record->overlong = true;
  record->overlong_size = size;
  record->overlong_sha256 = overlong_sha256_;
}

// An over-long line that is all in the buffer: buf_[pos_, line_end).
void CsvScanner::EmitOverlong(size_t line_end, size_t next, CsvRecord* record) {
  overlong_prefix_.assign(buf_.get() + pos_, PrefixLength(pos_, line_end));
  overlong_sha256_ = Sha256::Of(std::string_view(buf_.get() + pos_, line_end - pos_));
  const uint64_t size = line_end - pos_;
  pos_ = next;
  FinishOverlong(size, record);
}

// An over-long line that goes on past the buffer: read on to its line end, hashing instead
// of buffering, so memory stays at max_record_bytes whatever the line's length.
Result<bool> CsvScanner::SkipOverlong(CsvRecord* record) {
  overlong_prefix_.assign(buf_.get() + pos_, PrefixLength(pos_, end_));
  Sha256 hash;
  uint64_t size = 0;
  bool held_cr = false;  // a '\r' ending one read: data, or the first half of a CRLF
  while (true) {
    const char* start = buf_.get() + pos_;
    const char* nl = static_cast<const char*>(std::memchr(start, '\n', end_ - pos_));
    size_t n = (nl ? nl : buf_.get() + end_) - start;
    if (held_cr && !(nl != nullptr && n == 0)) {
      hash.Update("\r");
      ++size;
    }
    held_cr = n > 0 && start[n - 1] == '\r';
    hash.Update(std::string_view(start, n - held_cr));
    size += n - held_cr;
    if (nl != nullptr) {
      pos_ = nl - buf_.get() + 1;
      break;
    }
    pos_ = end_;
    if (eof_) {
      return Status::InvalidArgument(
          "line " + std::to_string(line_) + ": record longer than " +
          std::to_string(options_.max_record_bytes) +
          " bytes and the data ends before its line end (not a CSV file?)");
    }
    RUNLAKE_RETURN_NOT_OK(Fill());
  }
  overlong_sha256_ = hash.HexDigest();
  FinishOverlong(size, record);
  return true;
}

// A record without quotes: buf_[pos_, line_end) split on the delimiter.
void CsvScanner::EmitPlain(size_t line_end, size_t next, CsvRecord* record) {
  const char* p = buf_.get() + pos_;
  const char* end = buf_.get() + line_end;
  fields_.clear();
  while (true) {
    const char* comma = static_cast<const char*>(std::memchr(p, options_.delimiter, end - p));
    if (comma == nullptr) {
      fields_.emplace_back(p, end - p);
      break;
    }
    fields_.emplace_back(p, comma - p);
    p = comma + 1;
  }
  record->raw = std::string_view(buf_.get() + pos_, line_end - pos_);
  record->line = line_++;
  record->broken_quoting = false;
  record->fields = fields_;
  record->overlong = false;
  pos_ = next;
}

// A record with a quote somewhere, parsed from pos_ into scratch_/spans_. kNeedMore when
// the buffer ends before the record does (and the data does not).
CsvScanner::Parse CsvScanner::ParseQuoted(size_t* record_end, size_t* next, bool* broken) {
  const char* b = buf_.get();
  size_t p = pos_;
  scratch_.clear();
  spans_.clear();
  *broken = false;
  while (true) {
    size_t field_start = scratch_.size();
    size_t content_end;  // where the record's text ends if this field is its last
    if (p < end_ && b[p] == '"') {
      ++p;
      while (true) {
        const void* q = std::memchr(b + p, '"', end_ - p);
        if (q == nullptr) return Parse::kNeedMore;  // at EOF too: the caller recovers
        size_t qi = static_cast<const char*>(q) - b;
        scratch_.append(b + p, qi - p);
        p = qi + 1;
        if (p == end_ && !eof_) return Parse::kNeedMore;  // "" or closing? cannot tell yet
        if (p < end_ && b[p] == '"') {
          scratch_.push_back('"');
          ++p;
          continue;
        }
        break;
      }
      // After the closing quote only a separator or the record's end may follow.
      while (p < end_ && b[p] != options_.delimiter && b[p] != '\n') {
        if (b[p] == '\r' && (p + 1 == end_ || b[p + 1] == '\n')) {
          if (p + 1 == end_ && !eof_) return Parse::kNeedMore;
          break;
        }
        *broken = true;
        scratch_.push_back(b[p++]);
      }
      if (p == end_ && !eof_) return Parse::kNeedMore;
      content_end = p;
    } else {
      size_t s = p;
      while (p < end_ && b[p] != options_.delimiter && b[p] != '\n') {
        if (b[p] == '"') *broken = true;
        ++p;
      }
      if (p == end_ && !eof_) return Parse::kNeedMore;
      bool at_comma = p < end_ && b[p] == options_.delimiter;
      size_t e = p;
      if (!at_comma && e > s && b[e - 1] == '\r') --e;  // CRLF (or a CR at EOF) ends it
      scratch_.append(b + s, e - s);
      content_end = e;
    }
    spans_.emplace_back(static_cast<uint32_t>(field_start),
                        static_cast<uint32_t>(scratch_.size() - field_start));
    if (p < end_ && b[p] == options_.delimiter) {
      ++p;
      continue;
    }
    if (p < end_ && b[p] == '\r') ++p;
    if (p < end_ && b[p] == '\n') ++p;
    *record_end = content_end;
    *next = p;
    return Parse::kDone;
  }
}

// Broken quoting that never closes: the record is its first physical line.
void CsvScanner::EmitRecovered(CsvRecord* record) {
  const void* nl = std::memchr(buf_.get() + pos_, '\n', end_ - pos_);
  size_t line_end = nl ? static_cast<const char*>(nl) - buf_.get() : end_;
  size_t next = nl ? line_end + 1 : end_;
  if (line_end > pos_ && buf_[line_end - 1] == '\r') --line_end;
  if (line_end - pos_ > options_.max_record_bytes) return EmitOverlong(line_end, next, record);
  EmitPlain(line_end, next, record);
  record->broken_quoting = true;
}

Result<bool> CsvScanner::Next(CsvRecord* record) {
  if (!bom_checked_) RUNLAKE_RETURN_NOT_OK(SkipBom());
  while (true) {
    if (pos_ == end_) {
      if (eof_) return false;
      RUNLAKE_RETURN_NOT_OK(Fill());
      continue;
    }
    const char* start = buf_.get() + pos_;
    const char* nl = static_cast<const char*>(std::memchr(start, '\n', end_ - pos_));
    size_t nl_at = nl ? nl - buf_.get() : end_;
    if (NextQuote(pos_) >= nl_at) {  // no quote in this line: the fast path
      if (nl == nullptr && !eof_) {
        // +1: a '\r' at the buffer's end may be half of the CRLF, not record data.
        if (end_ - pos_ > options_.max_record_bytes + 1) return SkipOverlong(record);
        RUNLAKE_RETURN_NOT_OK(Fill());
        continue;
      }
      size_t line_end = nl_at;
      if (line_end > pos_ && buf_[line_end - 1] == '\r') --line_end;
      size_t next = nl ? nl_at + 1 : end_;
      if (line_end == pos_) {  // blank line
        pos_ = next;
        ++line_;
        continue;
      }
      if (line_end - pos_ > options_.max_record_bytes) {
        EmitOverlong(line_end, next, record);
        return true;
      }
      EmitPlain(line_end, next, record);
      return true;
    }
    size_t record_end = 0, next = 0;
    bool broken = false;
    Parse parsed = ParseQuoted(&record_end, &next, &broken);
    bool too_long = parsed == Parse::kDone && record_end - pos_ > options_.max_record_bytes;
    if (parsed == Parse::kNeedMore || too_long) {
      bool unclosed = too_long || eof_ || end_ - pos_ >= options_.max_record_bytes;
      if (!unclosed) {
        RUNLAKE_RETURN_NOT_OK(Fill());
        continue;
      }
      if (nl == nullptr && !eof_) {  // not even its first physical line is in the buffer
        if (end_ - pos_ > options_.max_record_bytes + 1) return SkipOverlong(record);
        RUNLAKE_RETURN_NOT_OK(Fill());
        continue;
      }
      EmitRecovered(record);
      return true;
    }
    fields_.clear();
    for (const auto& [offset, size] : spans_) fields_.emplace_back(scratch_.data() + offset, size);
    record->raw = std::string_view(start, record_end - pos_);
    record->line = line_;
    record->broken_quoting = broken;
    record->overlong = false;
    record->fields = fields_;
    line_ += 1 + std::count(record->raw.begin(), record->raw.end(), '\n');
    pos_ = next;
    return true;
  }
}

}  // namespace runlake
