#include "common/file_writer.h"
#include "common/errno_status.h"

#include <isa-l/igzip_lib.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace runlake {

namespace {
constexpr size_t kBlock = 1 << 20;
}

Result<std::unique_ptr<FileWriter>> FileWriter::Create(const std::string& path, bool gzip) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return StatusFromErrno("create " + path, errno);
  return std::unique_ptr<FileWriter>(new FileWriter(path, f, gzip));
}

FileWriter::FileWriter(std::string path, FILE* f, bool gzip)
    : path_(std::move(path)), file_(f), gzip_(gzip) {
  if (gzip_) {
    zs_ = std::make_unique<isal_zstream>();
    isal_deflate_init(zs_.get());
    zs_->gzip_flag = IGZIP_GZIP;
    zs_->level = 1;
    level_buf_.resize(ISAL_DEF_LVL1_DEFAULT);
    zs_->level_buf = level_buf_.data();
    zs_->level_buf_size = static_cast<uint32_t>(level_buf_.size());
    out_buf_.resize(kBlock);
  }
  pending_.reserve(kBlock);
}

FileWriter::~FileWriter() {
  if (file_) std::fclose(file_);
}

Status FileWriter::Store(const unsigned char* p, size_t n) {
  if (n == 0) return Status::OK();
  if (std::fwrite(p, 1, n, file_) != n) {
    return StatusFromErrno("write " + path_, errno);
  }
  hash_.Update(std::string_view(reinterpret_cast<const char*>(p), n));
  bytes_written_ += n;
  return Status::OK();
}

Status FileWriter::Deflate(const unsigned char* p, size_t n, bool end) {
  zs_->next_in = const_cast<unsigned char*>(p);
  zs_->avail_in = static_cast<uint32_t>(n);
  zs_->end_of_stream = end ? 1 : 0;
  do {
    zs_->next_out = out_buf_.data();
    zs_->avail_out = static_cast<uint32_t>(out_buf_.size());
    if (isal_deflate(zs_.get()) != COMP_OK) return Status::Internal("gzip compression failed");
    RUNLAKE_RETURN_NOT_OK(Store(out_buf_.data(), out_buf_.size() - zs_->avail_out));
  } while (zs_->avail_in > 0 || (end && zs_->internal_state.state != ZSTATE_END));
  return Status::OK();
}

Status FileWriter::Write(std::string_view data) {
  pending_.append(data);
  if (pending_.size() < kBlock) return Status::OK();
  auto* p = reinterpret_cast<const unsigned char*>(pending_.data());
  Status st = gzip_ ? Deflate(p, pending_.size(), false) : Store(p, pending_.size());
  pending_.clear();
  return st;
}

Status FileWriter::Close() {
  if (!file_) return Status::OK();
  auto* p = reinterpret_cast<const unsigned char*>(pending_.data());
  RUNLAKE_RETURN_NOT_OK(gzip_ ? Deflate(p, pending_.size(), true) : Store(p, pending_.size()));
  pending_.clear();
  bool ok = std::fflush(file_) == 0 && ::fsync(fileno(file_)) == 0;
  ok = std::fclose(file_) == 0 && ok;
  file_ = nullptr;
  if (!ok) return StatusFromErrno("close " + path_, errno);
  sha256_ = hash_.HexDigest();
  return Status::OK();
}

}  // namespace runlake
