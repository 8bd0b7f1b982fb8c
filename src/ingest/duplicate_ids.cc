#include "ingest/duplicate_ids.h"

#include "ingest/byte_source.h"
#include "ingest/csv_scanner.h"

namespace runlake {

namespace {

// The second reading starts when the set holds memory_ids / kSecondReadingStart IDs, so
// that it has mostly finished when the set is full and the first reading must wait for it.
// Earlier is faster for a source that fills the set (W1, 5M rows: at an eighth 3.36 s
// instead of 3.50, medians of 7) but wastes a reading, cancelled at the end, on every source
// that stops short of it: at an eighth a 100,000-row daily file reads itself 1.35 times
// (tests/backfill/bench_backfill.sh --one-run of 31 such files: 3.49 s / 6.57 s CPU against
// 2.66 s / 4.63 s at a half). Daily files are the common case, so a half it stays.
constexpr size_t kSecondReadingStart = 2;

// The second reading, on its own thread: everything it touches is its own.
Result<RecordBitmap> ReadAgain(const DuplicateIdsOptions& options,
                               const std::atomic<bool>* cancel) {
  RUNLAKE_ASSIGN_OR_RAISE(auto reader, options.reopen());
  RUNLAKE_ASSIGN_OR_RAISE(auto bytes, ByteSource::Open(std::move(reader), options.source_name));
  CsvScanner scanner(bytes.get(), options.scanner);
  SpillOptions spill = options.spill;
  spill.dir = options.spill_dir;
  spill.cancel = cancel;
  auto repeated = FindRepeatedIds(&scanner, options.columns, spill);
  if (!repeated.ok()) {
    return repeated.status().WithContext("duplicate-ID scan, line " +
                                         std::to_string(scanner.line()));
  }
  return repeated;
}

}  // namespace

DuplicateIds::~DuplicateIds() {
  cancel_ = true;
  if (pending_.valid()) pending_.wait();
}

Result<bool> DuplicateIds::SeenBefore(std::string_view id, int64_t ordinal) {
  if (!spilled_ && options_.reopen) {
    if (!pending_.valid() && ids_.size() >= options_.memory_ids / kSecondReadingStart) {
      StartSpill();
    }
    if (ids_.size() >= options_.memory_ids) RUNLAKE_RETURN_NOT_OK(FinishSpill());
  }
  if (spilled_) {
    // The source is immutable (bronze), so both readings see the same records; anything
    // else is a bug or a storage fault, not a duplicate.
    if (ordinal < 0 || ordinal >= repeated_.size()) {
      return Status::Internal("record " + std::to_string(ordinal) +
                              " is beyond the duplicate scan's " +
                              std::to_string(repeated_.size()) + " records");
    }
    return repeated_.Test(ordinal);
  }
  bool prepared = id.data() == prepared_id_.data() && id.size() == prepared_id_.size();
  uint64_t h = prepared ? prepared_hash_ : HashId(id);
  prepared_id_ = {};
  return !ids_.InsertHash(h);
}

void DuplicateIds::StartSpill() {
  pending_ = std::async(std::launch::async,
                        [this] { return ReadAgain(options_, &cancel_); });
}

// The set goes first, then the answer comes in: the two are never held together.
Status DuplicateIds::FinishSpill() {
  ids_ = IdSet();
  spilled_ = true;
  if (!pending_.valid()) StartSpill();
  Result<RecordBitmap> repeated = pending_.get();
  RUNLAKE_RETURN_NOT_OK(repeated.status());
  repeated_ = std::move(*repeated);
  return Status::OK();
}

}  // namespace runlake
