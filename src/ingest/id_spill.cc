#include "ingest/id_spill.h"

#include <algorithm>
#include <memory>

#include "common/temp_file.h"
#include "ingest/id_set.h"

namespace runlake {
namespace {

struct Entry {
  uint64_t hash;
  int64_t ordinal;
};

constexpr size_t kBufferedPerPartition = 2048;  // 32 KiB per partition while writing
constexpr size_t kReadChunk = 1 << 16;          // entries read at once (1 MiB)

// Entries of one partition, in arrival order, in a TempFile.
class EntryFile {
 public:
  static Result<std::unique_ptr<EntryFile>> Create(const std::string& dir) {
    RUNLAKE_ASSIGN_OR_RAISE(auto file, TempFile::Create(dir));
    return std::make_unique<EntryFile>(std::move(file));
  }
  explicit EntryFile(std::unique_ptr<TempFile> file) : file_(std::move(file)) {}
  Status Append(const Entry* entries, size_t n) { return file_->Append(entries, n * sizeof(Entry)); }
  // Reads up to `max` entries starting at entry `from`; returns how many.
  Result<size_t> Read(uint64_t from, Entry* out, size_t max) const {
    RUNLAKE_ASSIGN_OR_RAISE(size_t bytes, file_->ReadAt(from * sizeof(Entry), out, max * sizeof(Entry)));
    if (bytes % sizeof(Entry) != 0) return Status::IOError("duplicate-ID temp file is torn");
    return bytes / sizeof(Entry);
  }
  uint64_t entries() const { return file_->size() / sizeof(Entry); }

 private:
  std::unique_ptr<TempFile> file_;
};

using Files = std::vector<std::unique_ptr<EntryFile>>;

// Buffers entries per partition (hash bits [shift, shift + bits)) and appends them to one
// temp file per partition, so each file keeps the order entries arrived in. Files and
// buffers are made on a partition's first entry: deep splits of a few entries stay cheap.
class Partitioner {
 public:
  Partitioner(std::string dir, int shift, int bits)
      : dir_(std::move(dir)), shift_(shift), mask_((uint64_t{1} << bits) - 1) {
    buffers_.resize(mask_ + 1);
    files_.resize(mask_ + 1);
  }
  Status Add(const Entry& e) {
    size_t p = static_cast<size_t>((e.hash >> shift_) & mask_);
    std::vector<Entry>& buf = buffers_[p];
    if (buf.capacity() == 0) buf.reserve(kBufferedPerPartition);
    buf.push_back(e);
    if (buf.size() == kBufferedPerPartition) return FlushOne(p);
    return Status::OK();
  }
  // Flushes every buffer and hands the non-empty files over (the buffers are freed).
  Result<Files> Finish() {
    Files out;
    for (size_t p = 0; p <= mask_; ++p) {
      RUNLAKE_RETURN_NOT_OK(FlushOne(p));
      std::vector<Entry>().swap(buffers_[p]);
      if (files_[p] != nullptr) out.push_back(std::move(files_[p]));
    }
    return out;
  }

 private:
  Status FlushOne(size_t p) {
    std::vector<Entry>& buf = buffers_[p];
    if (buf.empty()) return Status::OK();
    if (files_[p] == nullptr) {
      RUNLAKE_ASSIGN_OR_RAISE(files_[p], EntryFile::Create(dir_));
    }
    Status st = files_[p]->Append(buf.data(), buf.size());
    buf.clear();
    return st;
  }
  std::string dir_;
  int shift_;
  uint64_t mask_;
  std::vector<std::vector<Entry>> buffers_;
  Files files_;
};

class Resolver {
 public:
  Resolver(const SpillOptions& options, RecordBitmap* repeated)
      : options_(options), repeated_(repeated), chunk_(kReadChunk) {}

  // Marks the repeats among `file`'s entries, whose hashes agree on every bit above
  // `shift` (the partition bits chosen so far).
  Status Resolve(std::unique_ptr<EntryFile> file, int shift) {
    if (file->entries() == 0) return Status::OK();
    const int next_shift = shift - options_.fanout_bits;
    const bool can_split = next_shift >= 0;
    bool split = false;
    {
      IdSet table(static_cast<size_t>(std::min<uint64_t>(file->entries(), options_.max_distinct)));
      for (uint64_t at = 0; at < file->entries() && !split;) {
        RUNLAKE_ASSIGN_OR_RAISE(size_t n, file->Read(at, chunk_.data(), chunk_.size()));
        for (size_t i = 0; i < n; ++i) {
          if (can_split && table.size() >= options_.max_distinct) {
            split = true;  // marks set so far are right; the split sets them again
            break;
          }
          if (!table.InsertHash(chunk_[i].hash)) repeated_->Set(chunk_[i].ordinal);
        }
        at += n;
      }
    }
    if (!split) return Status::OK();
    Partitioner parts(options_.dir, next_shift, options_.fanout_bits);
    for (uint64_t at = 0; at < file->entries();) {
      RUNLAKE_ASSIGN_OR_RAISE(size_t n, file->Read(at, chunk_.data(), chunk_.size()));
      for (size_t i = 0; i < n; ++i) RUNLAKE_RETURN_NOT_OK(parts.Add(chunk_[i]));
      at += n;
    }
    file.reset();  // its disk space goes before the children are read
    RUNLAKE_ASSIGN_OR_RAISE(Files children, parts.Finish());
    for (auto& child : children) RUNLAKE_RETURN_NOT_OK(Resolve(std::move(child), next_shift));
    return Status::OK();
  }

 private:
  const SpillOptions& options_;
  RecordBitmap* repeated_;
  std::vector<Entry> chunk_;
};

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

std::string_view AppearingKey(const CsvRecord& record, const KeyColumns& columns,
                              std::string* scratch) {
  if (record.broken_quoting || record.fields.size() != columns.header_fields) return {};
  auto part = [&](size_t i) {
    std::string_view f = record.fields[columns.fields[i]];
    if (columns.trim[i]) return TrimSpaces(f);
    return f.find_first_not_of(' ') == std::string_view::npos ? std::string_view() : f;
  };
  if (columns.fields.size() == 1) return part(0);
  scratch->clear();
  for (size_t i = 0; i < columns.fields.size(); ++i) {
    std::string_view f = part(i);
    if (f.empty()) return {};
    const auto n = static_cast<uint32_t>(f.size());
    scratch->append(reinterpret_cast<const char*>(&n), sizeof n);
    scratch->append(f);
  }
  return *scratch;
}

Result<RecordBitmap> FindRepeatedIds(CsvScanner* scanner, const KeyColumns& columns,
                                     const SpillOptions& options) {
  SpillOptions opts = options;
  opts.fanout_bits = std::clamp(opts.fanout_bits, 1, 16);
  opts.max_distinct = std::max<size_t>(opts.max_distinct, 1);
  RecordBitmap repeated;
  CsvRecord record;
  RUNLAKE_ASSIGN_OR_RAISE(bool more, scanner->Next(&record));  // the header
  if (!more) return repeated;

  const int top_shift = 64 - opts.fanout_bits;
  Partitioner parts(opts.dir, top_shift, opts.fanout_bits);
  int64_t ordinal = 0;
  std::string scratch;
  while (true) {
    RUNLAKE_ASSIGN_OR_RAISE(more, scanner->Next(&record));
    if (!more) break;
    if (opts.cancel != nullptr && (ordinal & 4095) == 0 && opts.cancel->load()) {
      return Status::Aborted("duplicate-ID scan cancelled");
    }
    std::string_view id = AppearingKey(record, columns, &scratch);
    if (!id.empty()) RUNLAKE_RETURN_NOT_OK(parts.Add({HashId(id), ordinal}));
    ++ordinal;
  }
  RUNLAKE_ASSIGN_OR_RAISE(Files files, parts.Finish());
  repeated.Resize(ordinal);
  Resolver resolver(opts, &repeated);
  for (auto& file : files) RUNLAKE_RETURN_NOT_OK(resolver.Resolve(std::move(file), top_shift));
  return repeated;
}

}  // namespace runlake
