#include "runlake/ingest.h"

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "runlake/clock.h"
#include "common/file_writer.h"
#include "ingest/byte_source.h"
#include "ledger/staging.h"
#include "runlake/bronze.h"

namespace runlake {
namespace {

namespace fs = std::filesystem;

struct FileCloser {
  void operator()(FILE* f) const { if (f) std::fclose(f); }
};
using File = std::unique_ptr<FILE, FileCloser>;

// The first two bytes of the file (fewer for a shorter file).
std::string Magic(const std::string& path) {
  File f(std::fopen(path.c_str(), "rb"));
  char magic[2] = {0, 0};
  size_t n = f ? std::fread(magic, 1, 2, f.get()) : 0;
  return std::string(magic, n);
}

bool IsGzipMagic(const std::string& magic) { return magic == "\x1f\x8b"; }

bool NamedGzip(const std::string& path) {
  std::string name = fs::path(path).filename().string();
  return name.size() > 3 && name.compare(name.size() - 3, 3, ".gz") == 0;
}

// Reads the input file and stores every byte it hands out, so that inflating the input
// to check it also copies it: one pass over the file.
class TeeReader : public ObjectReader {
 public:
  TeeReader(FILE* in, FileWriter* out, uint64_t* bytes) : in_(in), out_(out), bytes_(bytes) {}
  Result<size_t> Read(char* buf, size_t n) override {
    size_t got = std::fread(buf, 1, n, in_);
    if (got == 0 && std::ferror(in_)) return Status::IOError("read error");
    *bytes_ += got;
    RUNLAKE_RETURN_NOT_OK(out_->Write(std::string_view(buf, got)));
    return got;
  }

 private:
  FILE* in_;
  FileWriter* out_;
  uint64_t* bytes_;
};

// "transactions.csv" / "transactions.csv.gz" / "x" -> "transactions.csv.gz" / "x.csv.gz"
std::string BronzeFileName(const std::string& local_file) {
  std::string name = fs::path(local_file).filename().string();
  for (const char* ext : {".gz", ".csv"}) {
    size_t n = std::strlen(ext);
    if (name.size() > n && name.compare(name.size() - n, n, ext) == 0) name.resize(name.size() - n);
  }
  std::string clean;
  for (char c : name) clean += (isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-') ? c : '_';
  return (clean.empty() ? "data" : clean) + ".csv.gz";
}

// Copies (gzip: as is) or compresses (plain CSV) `in_path` to `out_path`, hashing what is
// stored. A gzip input is inflated to its end on the way, so a truncated or damaged one is
// refused here (Corruption naming the file) instead of failing every run that reads it.
Status CopyOrCompress(const std::string& in_path, const std::string& out_path, bool compress,
                      IngestResult* result) {
  File in(std::fopen(in_path.c_str(), "rb"));
  if (!in) return Status::IOError("open " + in_path + ": " + std::strerror(errno));
  RUNLAKE_ASSIGN_OR_RAISE(auto out, FileWriter::Create(out_path, compress));
  uint64_t data_bytes = 0;  // bytes of CSV, after inflating
  std::vector<char> buf(1 << 20);
  if (compress) {
    while (size_t n = std::fread(buf.data(), 1, buf.size(), in.get())) {
      result->source_bytes += n;
      data_bytes += n;
      RUNLAKE_RETURN_NOT_OK(out->Write(std::string_view(buf.data(), n)));
    }
    if (std::ferror(in.get())) return Status::IOError("read " + in_path);
  } else {
    auto tee = std::make_unique<TeeReader>(in.get(), out.get(), &result->source_bytes);
    RUNLAKE_ASSIGN_OR_RAISE(auto gz, ByteSource::Open(std::move(tee), in_path));
    while (true) {
      RUNLAKE_ASSIGN_OR_RAISE(size_t n, gz->Read(buf.data(), buf.size()));
      if (n == 0) break;
      data_bytes += n;
    }
  }
  if (data_bytes == 0) {
    return Status::InvalidArgument(in_path + ": " +
                                   (compress ? "empty file" : "gzip data that inflates to nothing") +
                                   ", no CSV header");
  }
  RUNLAKE_RETURN_NOT_OK(out->Close());
  result->size = out->bytes_written();
  result->sha256 = out->sha256();
  return Status::OK();
}

nlohmann::json IngestRecord(const IngestResult& result, const IngestOptions& options,
                            const std::string& local_file);

// The other bronze runs of the date whose object is there and whose record has `result`'s
// sha256. One LIST and a GET per record of that date: bounded by the date, not history.
std::vector<std::string> SameContent(ObjectStore& store, const IngestOptions& options,
                                     const IngestResult& result) {
  std::vector<std::string> same;
  auto dates = ListBronze(store, BronzeListRequest{options.dataset, options.ingest_date, options.ingest_date});
  if (!dates.ok()) return same;  // the ingest itself succeeded: a warning is not worth failing it
  for (const BronzeDate& date : *dates) {
    for (const BronzeObject& o : date.objects) {
      if (o.exists && o.has_record && o.sha256 == result.sha256 && o.bronze_run_id != result.run_id &&
          (same.empty() || same.back() != o.bronze_run_id)) {
        same.push_back(o.bronze_run_id);
      }
    }
  }
  return same;
}

}  // namespace

Result<IngestResult> IngestBronze(ObjectStore& store, const std::string& local_file,
                                  const IngestOptions& options) {
  RUNLAKE_RETURN_NOT_OK(ValidateDate(options.ingest_date));
  std::error_code ec;
  if (!fs::is_regular_file(local_file, ec)) {
    return Status::NotFound("input file " + local_file + " does not exist or is not a file");
  }
  if (!options.run_id.empty()) RUNLAKE_RETURN_NOT_OK(ValidateRunId(options.run_id));
  IngestResult result;

  RUNLAKE_ASSIGN_OR_RAISE(Staging staging, Staging::Create(store, "ingest"));
  std::string staged = staging.dir() + "/object.csv.gz";
  const std::string magic = Magic(local_file);
  if (NamedGzip(local_file) && !IsGzipMagic(magic)) {
    return Status::InvalidArgument(local_file + ": named .gz but " +
                                   (magic.empty() ? std::string("empty")
                                                  : std::string("not gzip data (no 1f 8b header)")) +
                                   ": nothing ingested");
  }
  result.compressed = !IsGzipMagic(magic);
  Status copied = CopyOrCompress(local_file, staged, result.compressed, &result);
  if (copied.code() == StatusCode::kCorruption || copied.IsInvalidArgument()) {
    return Status::InvalidArgument(copied.message() + ": nothing ingested");
  }
  RUNLAKE_RETURN_NOT_OK(copied.WithContext("ingesting " + local_file));

  // The record is written first with put-if-absent: it claims the bronze run_id, so two
  // ingests racing for one id cannot both write the object. A generated id that is taken
  // (two ingests of one date in the same second) gets a suffix; a chosen one is refused.
  std::string base_id = options.run_id.empty() ? NowRunIdTimestamp() : options.run_id;
  for (int attempt = 0;; ++attempt) {
    result.run_id = attempt == 0 ? base_id : base_id + "-" + std::to_string(attempt);
    result.key = layout::BronzeKey(options.dataset, options.ingest_date, result.run_id,
                                   BronzeFileName(local_file));
    Status claimed = store.PutIfAbsent(
        layout::BronzeIngestRecordKey(options.dataset, options.ingest_date, result.run_id),
        IngestRecord(result, options, local_file).dump(2) + "\n");
    if (claimed.ok()) break;
    if (!claimed.IsAlreadyExists()) return claimed;
    if (!options.run_id.empty() || attempt >= 100) {
      return Status::AlreadyExists("bronze run_id '" + result.run_id + "' already exists for " +
                                   options.dataset.path() + " on " + options.ingest_date +
                                   " (bronze is never overwritten)");
    }
  }
  Status placed = store.PutFile(result.key, staged);
  if (!placed.ok()) {
    // Nothing half-written: without its object the record would name a missing bronze
    // object forever (the fault sweep's I/O error at this put). Best effort: a process
    // killed here leaves the record, which `check --repair` removes (host and pid in it).
    (void)store.Delete(layout::BronzeIngestRecordKey(options.dataset, options.ingest_date, result.run_id));
    return placed;
  }
  result.same_content_as = SameContent(store, options, result);
  return result;
}

namespace {
std::string HostName() {
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  return host;
}

nlohmann::json IngestRecord(const IngestResult& result, const IngestOptions& options,
                            const std::string& local_file) {
  return {{"key", result.key}, {"run_id", result.run_id},
                           {"dataset", options.dataset.path()},
                           {"ingest_date", options.ingest_date}, {"size", result.size},
                           {"sha256", result.sha256}, {"source_file", fs::absolute(local_file).string()},
                           {"source_bytes", result.source_bytes},
                           {"compressed_by_runlake", result.compressed},
                           {"ingested_at", NowIso8601Utc()},
                           // Who wrote it: the record is written before the object, and
                           // `check --repair` removes one whose writer died in between.
                           {"host", HostName()}, {"pid", static_cast<int64_t>(getpid())}};
}
}  // namespace

}  // namespace runlake
