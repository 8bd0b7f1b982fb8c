#include "ingest/duplicate_ids.h"

#include "ingest/byte_source.h"
#include "ingest/csv_scanner.h"

namespace runlake {

Result<bool> DuplicateIds::SeenBefore(std::string_view id, int64_t ordinal) {
  if (!spilled_ && options_.reopen && ids_.size() >= options_.memory_ids) {
    RUNLAKE_RETURN_NOT_OK(Spill());
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

// Memory first: the set goes before the second reading allocates its buffers.
Status DuplicateIds::Spill() {
  ids_ = IdSet();
  spilled_ = true;
  RUNLAKE_ASSIGN_OR_RAISE(auto reader, options_.reopen());
  RUNLAKE_ASSIGN_OR_RAISE(auto bytes, ByteSource::Open(std::move(reader), options_.source_name));
  CsvScanner scanner(bytes.get());
  SpillOptions spill = options_.spill;
  spill.dir = options_.spill_dir;
  auto repeated = FindRepeatedIds(&scanner, options_.columns, spill);
  if (!repeated.ok()) {
    return repeated.status().WithContext("duplicate-ID scan, line " +
                                         std::to_string(scanner.line()));
  }
  repeated_ = std::move(*repeated);
  return Status::OK();
}

}  // namespace runlake
