#include "ingest/byte_source.h"

#include <isa-l/crc.h>
#include <isa-l/igzip_lib.h>

#include <cstring>

namespace runlake {
namespace {

constexpr uint8_t kFlagHeaderCrc = 0x02, kFlagExtra = 0x04, kFlagName = 0x08,
                  kFlagComment = 0x10, kFlagsReserved = 0xE0;

// The length of a gzip member header up to its CRC-16 (RFC 1952: the fixed 10 bytes, then
// FEXTRA, FNAME, FCOMMENT as FLG says), or 0 when it, with the 2 CRC bytes, does not end
// within `avail` bytes.
size_t HeaderLengthBeforeCrc(const uint8_t* p, size_t avail) {
  size_t pos = 10;
  if (avail < pos) return 0;
  const uint8_t flg = p[3];
  if (flg & kFlagExtra) {
    if (avail < pos + 2) return 0;
    pos += 2 + (size_t{p[pos]} | size_t{p[pos + 1]} << 8);
    if (avail < pos) return 0;
  }
  for (uint8_t zero_terminated : {kFlagName, kFlagComment}) {
    if (!(flg & zero_terminated)) continue;
    const void* nul = std::memchr(p + pos, 0, avail - pos);
    if (nul == nullptr) return 0;
    pos = static_cast<size_t>(static_cast<const uint8_t*>(nul) - p) + 1;
  }
  return avail >= pos + 2 ? pos : 0;
}

const char* InflateError(int code) {
  switch (code) {
    case ISAL_INVALID_BLOCK:
      return "invalid deflate block";
    case ISAL_INVALID_SYMBOL:
      return "invalid deflate symbol";
    case ISAL_INVALID_LOOKBACK:
      return "invalid lookback distance";
    case ISAL_INVALID_WRAPPER:
      return "invalid gzip header";
    case ISAL_UNSUPPORTED_METHOD:
      return "unsupported compression method";
    case ISAL_INCORRECT_CHECKSUM:
      return "CRC or length mismatch";
    case ISAL_NEED_DICT:
      return "preset dictionary required";
    default:
      return "inflate error";
  }
}

}  // namespace

ByteSource::ByteSource(std::unique_ptr<ObjectReader> reader, std::string name)
    : reader_(std::move(reader)), name_(std::move(name)), input_(kInputBufferSize) {}

ByteSource::~ByteSource() = default;

Result<std::unique_ptr<ByteSource>> ByteSource::Open(std::unique_ptr<ObjectReader> reader,
                                                     std::string name) {
  std::unique_ptr<ByteSource> src(new ByteSource(std::move(reader), std::move(name)));
  // The magic (2 bytes) and, for gzip, CM and FLG (CheckMemberHeader).
  RUNLAKE_RETURN_NOT_OK(src->Gather(src->input_.data(), 0, 4));
  if (src->in_end_ >= 2 && src->input_[0] == 0x1f && src->input_[1] == 0x8b) {
    RUNLAKE_RETURN_NOT_OK(src->CheckMemberHeader(src->input_.data(), src->in_end_));
    src->gzip_ = std::make_unique<inflate_state>();
    isal_inflate_init(src->gzip_.get());
    src->gzip_->crc_flag = ISAL_GZIP;  // parse the header, verify CRC-32 and ISIZE
    src->gzip_->next_in = src->input_.data();
    src->gzip_->avail_in = static_cast<uint32_t>(src->in_end_);
  }
  return src;
}

Status ByteSource::Gather(const uint8_t* from, size_t have, size_t n) {
  std::memmove(input_.data(), from, have);
  in_pos_ = 0;
  in_end_ = have;
  while (!eof_ && in_end_ < n) {
    RUNLAKE_ASSIGN_OR_RAISE(size_t got, reader_->Read(reinterpret_cast<char*>(input_.data()) + in_end_,
                                                      input_.size() - in_end_));
    bytes_read_ += got;
    in_end_ += got;
    if (got == 0) eof_ = true;
  }
  if (gzip_) {
    gzip_->next_in = input_.data();
    gzip_->avail_in = static_cast<uint32_t>(in_end_);
  }
  return Status::OK();
}

// What ISA-L accepts but RFC 1952 (and zlib) refuse, found by tests/fuzz/gzip_fuzz: reserved
// FLG bits, and a header CRC-16 (FHCRC) that does not match. `p` holds at least the
// header's first 4 bytes, or all there is.
Status ByteSource::CheckMemberHeader(const uint8_t* p, size_t avail) {
  if (avail < 4) return Status::OK();  // too short to be a member: ISA-L says so
  if (p[3] & kFlagsReserved) {
    return Status::Corruption(name_ + ": gzip member header has reserved flag bits set");
  }
  if (!(p[3] & kFlagHeaderCrc)) return Status::OK();
  size_t length = HeaderLengthBeforeCrc(p, avail);
  if (length == 0 && !eof_) {  // the header goes on past this read: gather all of it
    RUNLAKE_RETURN_NOT_OK(Gather(p, avail, input_.size()));
    p = input_.data();
    avail = in_end_;
    length = HeaderLengthBeforeCrc(p, avail);
  }
  if (length == 0) {
    if (eof_) return Status::OK();  // ends inside the header: inflating says truncated
    return Corrupt("gzip member header longer than " + std::to_string(input_.size()) + " bytes");
  }
  const uint32_t want = uint32_t{p[length]} | uint32_t{p[length + 1]} << 8;
  if ((crc32_gzip_refl(0, p, length) & 0xFFFF) != want) return Corrupt("gzip header CRC mismatch");
  return Status::OK();
}

Status ByteSource::Corrupt(const std::string& why) const {
  return Status::Corruption(name_ + ": corrupt gzip data (" + why + ")");
}

Status ByteSource::Refill() {
  if (eof_) return Status::OK();
  auto got = reader_->Read(reinterpret_cast<char*>(input_.data()), input_.size());
  if (!got.ok()) return got.status();
  bytes_read_ += *got;
  in_pos_ = 0;
  in_end_ = *got;
  if (*got == 0) eof_ = true;
  if (gzip_) {
    gzip_->next_in = input_.data();
    gzip_->avail_in = static_cast<uint32_t>(*got);
  }
  return Status::OK();
}

Result<size_t> ByteSource::Read(char* buf, size_t n) {
  return gzip_ ? ReadGzip(buf, n) : ReadPlain(buf, n);
}

Result<size_t> ByteSource::ReadPlain(char* buf, size_t n) {
  if (in_pos_ == in_end_) {
    // Large reads go straight to the caller's buffer: no extra copy for plain files.
    if (n >= input_.size() && !eof_) {
      RUNLAKE_ASSIGN_OR_RAISE(size_t got, reader_->Read(buf, n));
      bytes_read_ += got;
      if (got == 0) eof_ = true;
      return got;
    }
    RUNLAKE_RETURN_NOT_OK(Refill());
    if (in_pos_ == in_end_) return size_t{0};
  }
  size_t take = std::min(n, in_end_ - in_pos_);
  std::memcpy(buf, input_.data() + in_pos_, take);
  in_pos_ += take;
  return take;
}

// After a member's trailer: the data ends, or another member must start right there.
Status ByteSource::StartNextMember(bool* started) {
  *started = false;
  if (gzip_->avail_in == 0) RUNLAKE_RETURN_NOT_OK(Refill());
  if (gzip_->avail_in == 0) return Status::OK();  // clean end after the last member
  if (gzip_->next_in[0] != 0x1f) return Corrupt("trailing bytes after gzip member");
  // The next header's first 4 bytes (magic, CM, FLG) together in the buffer, so that its
  // flags are checked even when a read ended inside them (gzip_fuzz found that gap).
  if (gzip_->avail_in < 4) RUNLAKE_RETURN_NOT_OK(Gather(gzip_->next_in, gzip_->avail_in, 4));
  RUNLAKE_RETURN_NOT_OK(CheckMemberHeader(gzip_->next_in, gzip_->avail_in));
  uint8_t* next_in = gzip_->next_in;  // the reset below clears them
  uint32_t avail_in = gzip_->avail_in;
  isal_inflate_reset(gzip_.get());
  gzip_->crc_flag = ISAL_GZIP;
  gzip_->next_in = next_in;
  gzip_->avail_in = avail_in;
  member_done_ = false;
  *started = true;
  return Status::OK();
}

Result<size_t> ByteSource::ReadGzip(char* buf, size_t n) {
  while (true) {
    if (member_done_) {
      bool started = false;
      RUNLAKE_RETURN_NOT_OK(StartNextMember(&started));
      if (!started) return size_t{0};
    }
    if (gzip_->avail_in == 0) RUNLAKE_RETURN_NOT_OK(Refill());
    uint32_t avail_before = gzip_->avail_in;
    gzip_->next_out = reinterpret_cast<uint8_t*>(buf);
    gzip_->avail_out = static_cast<uint32_t>(std::min<size_t>(n, UINT32_MAX));
    int rc = isal_inflate(gzip_.get());
    if (rc < 0) return Corrupt(InflateError(rc));
    size_t produced = static_cast<uint32_t>(std::min<size_t>(n, UINT32_MAX)) - gzip_->avail_out;
    if (gzip_->block_state == ISAL_BLOCK_FINISH) member_done_ = true;
    if (produced > 0) return produced;
    if (member_done_) continue;
    if (eof_ && gzip_->avail_in == 0) {
      return Status::Corruption(name_ + ": truncated gzip stream");
    }
    // Input was available but nothing happened: would loop forever; call it corrupt.
    if (gzip_->avail_in == avail_before && avail_before > 0) {
      return Corrupt("inflate made no progress");
    }
  }
}

}  // namespace runlake
