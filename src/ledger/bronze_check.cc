#include "ledger/bronze_check.h"

#include <nlohmann/json.hpp>

namespace runlake {
namespace {

Status Changed(const std::string& key, const IngestedObject& record, const std::string& what) {
  return Status::Corruption("bronze object '" + key + "' is corrupt: " + what +
                            " its ingest record " + record.record_key +
                            " says; it changed after ingest and is not used (ingest the file "
                            "again: bronze is never overwritten)");
}

}  // namespace

Result<std::optional<IngestedObject>> LoadIngestedObject(ObjectStore& store,
                                                         const BronzeKeyParts& parts,
                                                         const std::string& key) {
  IngestedObject out;
  out.record_key =
      layout::BronzeIngestRecordKey(parts.dataset, parts.ingest_date, parts.bronze_run_id);
  RUNLAKE_ASSIGN_OR_RAISE(auto head, store.Head(out.record_key));
  if (!head) return std::optional<IngestedObject>();
  RUNLAKE_ASSIGN_OR_RAISE(std::string text, store.Get(out.record_key));
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("key") || !j["key"].is_string() ||
      !j.contains("size") || !j["size"].is_number_unsigned() || !j.contains("sha256") ||
      !j["sha256"].is_string()) {
    return Status::Corruption("ingest record " + out.record_key +
                              " does not parse (needs key, size, sha256)");
  }
  // A record describes the one object its ingest wrote; another file beside it is not its.
  if (j["key"].get<std::string>() != key) return std::optional<IngestedObject>();
  out.size = j["size"].get<uint64_t>();
  out.sha256 = j["sha256"].get<std::string>();
  return std::optional<IngestedObject>(std::move(out));
}

Status CheckIngestedSize(const std::string& key, const IngestedObject& record, uint64_t size) {
  if (size == record.size) return Status::OK();
  return Changed(key, record,
                 "it has " + std::to_string(size) + " bytes, not the " +
                     std::to_string(record.size));
}

Result<size_t> HashingReader::Read(char* buf, size_t n) {
  RUNLAKE_ASSIGN_OR_RAISE(size_t got, inner_->Read(buf, n));
  hash_.Update(std::string_view(buf, got));
  bytes_ += got;
  return got;
}

Status HashingReader::Verify(const std::string& key, const IngestedObject& record) {
  RUNLAKE_RETURN_NOT_OK(CheckIngestedSize(key, record, bytes_));
  std::string digest = hash_.HexDigest();
  if (digest == record.sha256) return Status::OK();
  return Changed(key, record, "its sha256 is " + digest + ", not the " + record.sha256);
}

}  // namespace runlake
