#pragma once
// IdSet: which keys a source has shown so far, in bounded memory per ID.
//
// We keep 64-bit hashes of the IDs in an open-addressing table (linear probing, load
// factor <= 1/2), not the strings: 16 bytes per ID at worst, whatever the ID length, and
// no allocation per row. The cost is a false "duplicate" when two distinct IDs share a
// 64-bit hash: for n IDs the chance of any collision is about n^2 / 2^65, i.e. ~1e-6 for
// a 5-million-row file. Such a row would be quarantined as DUPLICATE_TRANSACTION_ID, where
// an operator sees it, never silently dropped from silver.

#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <string_view>

namespace runlake {

// MurmurHash64A (Austin Appleby, public domain): fast, well mixed for short keys.
inline uint64_t HashId(std::string_view s) {
  constexpr uint64_t m = 0xc6a4a7935bd1e995ULL;
  constexpr int r = 47;
  uint64_t h = 0x9E3779B97F4A7C15ULL ^ (s.size() * m);
  const char* p = s.data();
  size_t n = s.size();
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t k;
    std::memcpy(&k, p, 8);
    k *= m;
    k ^= k >> r;
    k *= m;
    h ^= k;
    h *= m;
  }
  if (n > 0) {
    uint64_t k = 0;
    std::memcpy(&k, p, n);
    h ^= k;
    h *= m;
  }
  h ^= h >> r;
  h *= m;
  h ^= h >> r;
  return h;
}

class IdSet {
 public:
  IdSet() = default;
  // Sized up front for `expected` IDs, so that inserting that many never grows the table.
  explicit IdSet(size_t expected) {
    size_t capacity = 16;
    while (capacity < expected * 2) capacity *= 2;
    capacity_ = capacity;
    slots_ = Allocate(capacity_);
    if (slots_ == nullptr) throw std::bad_alloc();
  }

  // True when `id` was not in the set (it is now).
  bool Insert(std::string_view id) { return InsertHash(HashId(id)); }

  // For a table far larger than the cache every insert is a memory miss; hashing and
  // prefetching early, then doing other work before InsertHash, hides most of it.
  void Prefetch(uint64_t h) const {
    if (capacity_ != 0) __builtin_prefetch(&slots_[Slot(h)]);
  }
  // Insert() with a HashId() computed by the caller.
  bool InsertHash(uint64_t h) {
    if ((size_ + 1) * 2 > capacity_) Grow();
    return Place(h == 0 ? 1 : h);  // 0 marks an empty slot
  }
  size_t size() const { return size_; }

 private:
  struct Free {
    void operator()(uint64_t* p) const { std::free(p); }
  };
  using Slots = std::unique_ptr<uint64_t[], Free>;

  // Zeroed slots. Big tables are 2 MiB aligned and asked to live on huge pages: every
  // probe is a random access, and on 4 KiB pages most of them also miss the TLB.
  static Slots Allocate(size_t n) {
    constexpr size_t kHuge = 2 << 20;
    size_t bytes = n * sizeof(uint64_t);
    if (bytes < kHuge) return Slots(static_cast<uint64_t*>(std::calloc(n, sizeof(uint64_t))));
    void* p = std::aligned_alloc(kHuge, bytes);  // bytes is a power of two >= kHuge
    if (p != nullptr) {
      madvise(p, bytes, MADV_HUGEPAGE);  // advice only: fine if it is refused
      std::memset(p, 0, bytes);
    }
    return Slots(static_cast<uint64_t*>(p));
  }

  size_t Slot(uint64_t h) const { return (h >> 7) & (capacity_ - 1); }
  bool Place(uint64_t h) {
    size_t mask = capacity_ - 1;
    for (size_t i = Slot(h);; i = (i + 1) & mask) {
      if (slots_[i] == h) return false;
      if (slots_[i] == 0) {
        slots_[i] = h;
        ++size_;
        return true;
      }
    }
  }
  void Grow() {
    Slots old = std::move(slots_);
    size_t old_capacity = capacity_;
    capacity_ = old_capacity == 0 ? 1 << 14 : old_capacity * 2;
    slots_ = Allocate(capacity_);
    if (slots_ == nullptr) throw std::bad_alloc();
    size_ = 0;
    for (size_t i = 0; i < old_capacity; ++i) {
      if (old[i] != 0) Place(old[i]);
    }
  }

  Slots slots_;
  size_t capacity_ = 0;
  size_t size_ = 0;
};

}  // namespace runlake
