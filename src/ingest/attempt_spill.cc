#include "ingest/attempt_spill.h"

#include <algorithm>

#include "common/temp_file.h"

namespace runlake {
namespace {

// One side's entry: a key and a value (an attempt_count, or a rejected row's ordinal).
struct Entry {
  uint64_t hi, lo;
  int64_t value;
};

constexpr size_t kBufferedPerPartition = 1024;  // 24 KiB a partition while writing
constexpr size_t kReadChunk = 1 << 15;          // entries read at once (768 KiB)

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Entries in arrival order, in a TempFile.
class EntryFile {
 public:
  explicit EntryFile(std::unique_ptr<TempFile> file) : file_(std::move(file)) {}
  Status Append(const Entry* e, size_t n) { return file_->Append(e, n * sizeof(Entry)); }
  Result<size_t> Read(uint64_t from, Entry* out, size_t max) const {
    RUNLAKE_ASSIGN_OR_RAISE(size_t bytes, file_->ReadAt(from * sizeof(Entry), out, max * sizeof(Entry)));
    if (bytes % sizeof(Entry) != 0) return Status::IOError("loop-prevention temp file is torn");
    return bytes / sizeof(Entry);
  }
  uint64_t entries() const { return file_->size() / sizeof(Entry); }

 private:
  std::unique_ptr<TempFile> file_;
};

using Files = std::vector<std::unique_ptr<EntryFile>>;  // by partition; nullptr: empty

// Calls fn(entry) for every entry of `file`, in order, a chunk at a time.
template <typename Fn>
Status ForEach(const EntryFile& file, std::vector<Entry>* chunk, Fn&& fn) {
  for (uint64_t at = 0; at < file.entries();) {
    RUNLAKE_ASSIGN_OR_RAISE(size_t n, file.Read(at, chunk->data(), chunk->size()));
    if (n == 0) return Status::IOError("loop-prevention temp file ended early");
    for (size_t i = 0; i < n; ++i) RUNLAKE_RETURN_NOT_OK(fn((*chunk)[i]));
    at += n;
  }
  return Status::OK();
}

// Buffers entries per partition (key bits [shift, shift + bits) of `hi`) and appends them
// to one temp file per partition, made on the partition's first entry.
class Partitioner {
 public:
  Partitioner(std::string dir, int shift, int bits)
      : dir_(std::move(dir)), shift_(shift), mask_((uint64_t{1} << bits) - 1),
        buffers_(mask_ + 1), files_(mask_ + 1) {}
  Status Add(const Entry& e) {
    ++entries_;
    size_t p = static_cast<size_t>((e.hi >> shift_) & mask_);
    std::vector<Entry>& buf = buffers_[p];
    if (buf.capacity() == 0) buf.reserve(kBufferedPerPartition);
    buf.push_back(e);
    return buf.size() == kBufferedPerPartition ? FlushOne(p) : Status::OK();
  }
  // Flushes and hands the files over, by partition (the buffers are freed).
  Result<Files> Finish() {
    for (size_t p = 0; p <= mask_; ++p) {
      RUNLAKE_RETURN_NOT_OK(FlushOne(p));
      std::vector<Entry>().swap(buffers_[p]);
    }
    return std::move(files_);
  }
  int64_t entries() const { return entries_; }

 private:
  Status FlushOne(size_t p) {
    std::vector<Entry>& buf = buffers_[p];
    if (buf.empty()) return Status::OK();
    if (files_[p] == nullptr) {
      RUNLAKE_ASSIGN_OR_RAISE(auto file, TempFile::Create(dir_));
      files_[p] = std::make_unique<EntryFile>(std::move(file));
    }
    Status st = files_[p]->Append(buf.data(), buf.size());
    buf.clear();
    return st.WithContext("loop prevention");
  }
  std::string dir_;
  int shift_;
  uint64_t mask_;
  std::vector<std::vector<Entry>> buffers_;
  Files files_;
  int64_t entries_ = 0;
};

// Open addressing, key -> highest count; grows when half full.
class CountTable {
 public:
  explicit CountTable(size_t expected) {
    size_t cap = 16;
    while (cap < expected * 2) cap <<= 1;
    slots_.assign(cap, Slot{});
  }
  void Max(uint64_t hi, uint64_t lo, int64_t count) {
    if ((size_ + 1) * 2 > slots_.size()) Grow();
    Slot& s = slots_[Find(slots_, hi, lo)];
    if (s.count == 0) {
      s.hi = hi, s.lo = lo;
      ++size_;
    }
    uint32_t c = static_cast<uint32_t>(std::clamp<int64_t>(count, 1, 65535)) + 1;
    s.count = std::max(s.count, c);
  }
  uint16_t Get(uint64_t hi, uint64_t lo) const {
    const Slot& s = slots_[Find(slots_, hi, lo)];
    return s.count == 0 ? 0 : static_cast<uint16_t>(s.count - 1);
  }
  size_t size() const { return size_; }

 private:
  struct Slot {
    uint64_t hi = 0, lo = 0;
    uint32_t count = 0;  // highest count + 1; 0: empty
  };
  // The slot holding the key, or the empty slot where it would go.
  static size_t Find(const std::vector<Slot>& slots, uint64_t hi, uint64_t lo) {
    const size_t mask = slots.size() - 1;
    for (size_t i = static_cast<size_t>(lo) & mask;; i = (i + 1) & mask) {
      const Slot& s = slots[i];
      if (s.count == 0 || (s.hi == hi && s.lo == lo)) return i;
    }
  }
  void Grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    for (const Slot& s : old) {
      if (s.count != 0) slots_[Find(slots_, s.hi, s.lo)] = s;
    }
  }
  std::vector<Slot> slots_;
  size_t size_ = 0;
};

}  // namespace

struct AttemptSpill::Impl {
  explicit Impl(AttemptSpillOptions o)
      : options(std::move(o)),
        earlier(options.dir, 64 - options.fanout_bits, options.fanout_bits),
        rejected(options.dir, 64 - options.fanout_bits, options.fanout_bits),
        chunk(kReadChunk) {}

  // Sets (*out)[ordinal] for the rejected entries of one partition, whose keys agree on
  // every bit of `hi` above `shift` with those of the earlier entries.
  Status ResolvePair(std::unique_ptr<EntryFile> before, std::unique_ptr<EntryFile> now, int shift,
                     std::vector<uint16_t>* out) {
    const int next_shift = shift - options.fanout_bits;
    bool split = false;
    {
      CountTable table(static_cast<size_t>(std::min<uint64_t>(before->entries(), options.max_distinct)));
      for (uint64_t at = 0; at < before->entries() && !split;) {
        RUNLAKE_ASSIGN_OR_RAISE(size_t n, before->Read(at, chunk.data(), chunk.size()));
        if (n == 0) return Status::IOError("loop-prevention temp file ended early");
        for (size_t i = 0; i < n; ++i) {
          if (next_shift >= 0 && table.size() >= options.max_distinct) {
            split = true;  // too many distinct hashes for memory: split on the next bits
            break;
          }
          table.Max(chunk[i].hi, chunk[i].lo, chunk[i].value);
        }
        at += n;
      }
      if (!split) {
        return ForEach(*now, &chunk, [&](const Entry& e) {
          if (e.value >= 0 && static_cast<size_t>(e.value) < out->size()) (*out)[e.value] = table.Get(e.hi, e.lo);
          return Status::OK();
        });
      }
    }
    Partitioner before_parts(options.dir, next_shift, options.fanout_bits);
    Partitioner now_parts(options.dir, next_shift, options.fanout_bits);
    RUNLAKE_RETURN_NOT_OK(ForEach(*before, &chunk, [&](const Entry& e) { return before_parts.Add(e); }));
    before.reset();  // its disk space goes before the children are written
    RUNLAKE_RETURN_NOT_OK(ForEach(*now, &chunk, [&](const Entry& e) { return now_parts.Add(e); }));
    now.reset();
    RUNLAKE_ASSIGN_OR_RAISE(Files b, before_parts.Finish());
    RUNLAKE_ASSIGN_OR_RAISE(Files n, now_parts.Finish());
    for (size_t p = 0; p < b.size(); ++p) {
      if (b[p] != nullptr && n[p] != nullptr) {
        RUNLAKE_RETURN_NOT_OK(ResolvePair(std::move(b[p]), std::move(n[p]), next_shift, out));
      }
    }
    return Status::OK();
  }

  AttemptSpillOptions options;
  Partitioner earlier, rejected;
  std::vector<Entry> chunk;
};

Result<RowKey> RowKeyOfHex(std::string_view hex) {
  if (hex.size() != 64) return Status::InvalidArgument("a row_hash is 64 hex digits, not " + std::to_string(hex.size()));
  RowKey k;
  for (size_t i = 0; i < 64; ++i) {
    int d = HexDigit(hex[i]);
    if (d < 0) return Status::InvalidArgument("a row_hash is 64 hex digits");
    if (i < 16) k.hi = k.hi << 4 | static_cast<uint64_t>(d);
    else if (i < 32) k.lo = k.lo << 4 | static_cast<uint64_t>(d);
  }
  return k;
}

AttemptSpill::AttemptSpill(AttemptSpillOptions options) {
  options.fanout_bits = std::clamp(options.fanout_bits, 1, 16);
  options.max_distinct = std::max<size_t>(options.max_distinct, 1);
  impl_ = std::make_unique<Impl>(std::move(options));
}

AttemptSpill::~AttemptSpill() = default;

Status AttemptSpill::AddEarlier(RowKey key, int attempt_count) {
  return impl_->earlier.Add({key.hi, key.lo, attempt_count});
}

Status AttemptSpill::AddRejected(RowKey key, int64_t ordinal) {
  return impl_->rejected.Add({key.hi, key.lo, ordinal});
}

int64_t AttemptSpill::earlier_entries() const { return impl_->earlier.entries(); }

Result<std::vector<uint16_t>> AttemptSpill::Resolve(int64_t rejected_rows) {
  std::vector<uint16_t> out(static_cast<size_t>(std::max<int64_t>(rejected_rows, 0)), 0);
  RUNLAKE_ASSIGN_OR_RAISE(Files before, impl_->earlier.Finish());
  RUNLAKE_ASSIGN_OR_RAISE(Files now, impl_->rejected.Finish());
  const int top_shift = 64 - impl_->options.fanout_bits;
  for (size_t p = 0; p < before.size(); ++p) {
    if (before[p] != nullptr && now[p] != nullptr) {
      RUNLAKE_RETURN_NOT_OK(impl_->ResolvePair(std::move(before[p]), std::move(now[p]), top_shift, &out));
    }
  }
  return out;
}

}  // namespace runlake
