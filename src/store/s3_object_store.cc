// The S3 backend of ObjectStore. Wire details (signing, retries, error mapping) are in
// s3_client.cc; this file maps the ObjectStore contract onto S3 requests.
//
// PutIfAbsent is a PUT with "If-None-Match: *" (Ceph RGW 16.2.15 and AWS S3 both honour
// it: 412 when the key exists, decided atomically by the server). Each conditional PUT
// carries a random token in x-amz-meta-runlake-token, so that when its outcome is unknown
// (a 5xx, a timeout, a dropped connection, or a 412 on a retry) a HEAD can tell whether
// the object there is ours before we report success or AlreadyExists.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <random>

#include "store/s3_client_internal.h"

namespace runlake {
namespace {

using s3::Body;
using s3::Client;
using s3::Request;
using s3::Response;

std::string RandomToken() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[33];
  std::snprintf(buf, sizeof(buf), "%016llx%016llx", (unsigned long long)rng(),
                (unsigned long long)rng());
  return buf;
}

// "bytes 0-8388607/31457280" -> 31457280
std::optional<uint64_t> TotalFromContentRange(const std::string& cr) {
  size_t slash = cr.rfind('/');
  if (slash == std::string::npos || cr.compare(slash + 1, std::string::npos, "*") == 0) {
    return std::nullopt;
  }
  return std::strtoull(cr.c_str() + slash + 1, nullptr, 10);
}

std::string Unquote(std::string etag) {
  // In ListObjectsV2 XML the quotes may come as entities.
  for (size_t at; (at = etag.find("&quot;")) != std::string::npos;) etag.replace(at, 6, "\"");
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  return etag;
}

// Streams an object with ranged GETs of read_chunk_size. Later ranges carry If-Match with
// the first response's ETag (unquoted: RGW 16 compares it literally), so an object
// replaced mid-read fails the read instead of splicing two versions.
class RangedReader : public ObjectReader {
 public:
  RangedReader(std::shared_ptr<Client> client, std::string key, std::string first,
               uint64_t size, std::string etag)
      : client_(std::move(client)), key_(std::move(key)), buf_(std::move(first)),
        next_(buf_.size()), size_(size), etag_(Unquote(std::move(etag))) {}

  Result<size_t> Read(char* out, size_t n) override {
    if (pos_ == buf_.size()) {
      if (next_ >= size_) return size_t(0);
      RUNLAKE_RETURN_NOT_OK(Fetch());
    }
    size_t k = std::min(n, buf_.size() - pos_);
    std::memcpy(out, buf_.data() + pos_, k);
    pos_ += k;
    return k;
  }

 private:
  Status Fetch() {
    uint64_t last = std::min(size_, next_ + client_->config().read_chunk_size) - 1;
    Request req{"GET", key_};
    req.headers.push_back("Range: bytes=" + std::to_string(next_) + "-" + std::to_string(last));
    if (!etag_.empty()) req.headers.push_back("If-Match: " + etag_);
    RUNLAKE_ASSIGN_OR_RAISE(Response resp, client_->Send(req));
    if (resp.status == 412) {
      return Status::Conflict(client_->Describe(key_) + " changed while being read");
    }
    if (resp.status != 206 || resp.body.size() != last - next_ + 1) {
      if (!resp.ok()) return client_->ErrorStatus(req, resp);
      return Status::IOError("S3 ranged GET of " + client_->Describe(key_) +
                             " returned an unexpected range (HTTP " +
                             std::to_string(resp.status) + ")");
    }
    buf_ = std::move(resp.body);
    pos_ = 0;
    next_ = last + 1;
    return Status::OK();
  }

  std::shared_ptr<Client> client_;
  std::string key_;
  std::string buf_;
  size_t pos_ = 0;
  uint64_t next_;  // offset of the first byte not yet fetched
  uint64_t size_;
  std::string etag_;
};

class S3ObjectStore : public ObjectStore {
 public:
  explicit S3ObjectStore(const S3Config& config)
      : client_(std::make_shared<Client>(config)),
        prefix_(config.prefix.empty() ? "" : config.prefix + "/") {}

  std::string uri() const override {
    std::string p = prefix_.empty() ? "" : "/" + prefix_.substr(0, prefix_.size() - 1);
    return "s3://" + client_->config().bucket + p;
  }

  Status Put(std::string_view key, std::string_view data) override {
    RUNLAKE_ASSIGN_OR_RAISE(std::string full, FullKey(key));
    Body body = Body::Memory(data);
    Request req{"PUT", full, {}, {}, &body};
    RUNLAKE_ASSIGN_OR_RAISE(Response resp, client_->Send(req));
    return resp.ok() ? Status::OK() : client_->ErrorStatus(req, resp);
  }

  Status PutIfAbsent(std::string_view key, std::string_view data) override {
    RUNLAKE_ASSIGN_OR_RAISE(std::string full, FullKey(key));
    std::string token = RandomToken();
    Body body = Body::Memory(data);
    Request req{"PUT", full, {}, {"If-None-Match: *", "x-amz-meta-runlake-token: " + token},
                &body, /*retry=*/false};
    bool maybe_written = false;  // an earlier attempt may have created the object
    Status last;
    int attempts = std::max(1, client_->config().max_attempts);
    for (int attempt = 0; attempt < attempts; ++attempt) {
      if (attempt > 0) client_->Backoff(attempt);
      Result<Response> resp = client_->Send(req);
      if (resp.ok() && resp->ok()) return Status::OK();
      if (resp.ok() && resp->status == 412) {
        if (maybe_written) {  // the object there may be ours, from an earlier attempt
          Result<bool> ours = OwnedBy(full, token);
          if (!ours.ok()) {  // cannot tell yet: try again rather than guess
            last = ours.status();
            continue;
          }
          if (*ours) return Status::OK();
        }
        return Status::AlreadyExists(Describe(key) + " already exists");
      }
      if (resp.ok() && !Client::IsRetryable(*resp)) return client_->ErrorStatus(req, *resp);
      if (!resp.ok() && !resp.status().IsUnavailable()) return resp.status();
      last = resp.ok() ? client_->ErrorStatus(req, *resp) : resp.status();
      maybe_written = true;
      // Re-read before deciding: the PUT may have been applied before the failure.
      Result<std::optional<std::string>> owner = TokenAt(full);
      if (owner.ok() && owner->has_value()) {
        if (**owner == token) return Status::OK();
        return Status::AlreadyExists(Describe(key) + " already exists");
      }
    }
    return Status::Unavailable("put-if-absent of " + Describe(key) + " gave up after " +
                               std::to_string(attempts) + " attempts; last error: " +
                               last.message());
  }

  Status PutFile(std::string_view key, const std::string& local_path) override {
    RUNLAKE_ASSIGN_OR_RAISE(std::string full, FullKey(key));
    int fd = ::open(local_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      std::string msg = "open " + local_path + ": " + std::strerror(errno);
      return errno == ENOENT ? Status::NotFound(msg) : Status::IOError(msg);
    }
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      ::close(fd);
      return Status::IOError("stat " + local_path + ": " + std::strerror(errno));
    }
    uint64_t size = uint64_t(st.st_size);
    Status result;
    if (size > client_->config().multipart_threshold) {
      result = s3::MultipartUpload(*client_, full, fd, size);
    } else {
      Body body = Body::File(fd, 0, size);
      Request req{"PUT", full, {}, {}, &body};
      Result<Response> resp = client_->Send(req);
      result = !resp.ok() ? resp.status()
               : resp->ok() ? Status::OK()
                            : client_->ErrorStatus(req, *resp);
    }
    ::close(fd);
    if (result.ok()) ::unlink(local_path.c_str());  // uploaded: the local copy is consumed
    return result;
  }

  Result<std::string> Get(std::string_view key) override {
    RUNLAKE_ASSIGN_OR_RAISE(std::string full, FullKey(key));
    Request req{"GET", full};
    RUNLAKE_ASSIGN_OR_RAISE(Response resp, client_->Send(req));
    if (!resp.ok()) return client_->ErrorStatus(req, resp);
    return std::move(resp.body);
  }

  Result<std::unique_ptr<ObjectReader>> OpenRead(std::string_view key) override {
    RUNLAKE_ASSIGN_OR_RAISE(std::string full, FullKey(key));
    uint64_t chunk = std::max<uint64_t>(client_->config().read_chunk_size, 1);
    Request req{"GET", full};
    req.headers.push_back("Range: bytes=0-" + std::to_string(chunk - 1));
    RUNLAKE_ASSIGN_OR_RAISE(Response resp, client_->Send(req));
    uint64_t size = 0;
    if (resp.status == 206) {
      auto total = TotalFromContentRange(resp.Header("content-range"));
      if (!total) return Status::IOError("S3 GET " + Describe(key) + ": no object size");
      size = *total;
    } else if (resp.status == 200) {
      size = resp.body.size();  // the server sent it all
    } else if (resp.status == 416) {
      resp.body.clear();  // an empty object has no byte 0
    } else {
      return client_->ErrorStatus(req, resp);
    }
    return std::unique_ptr<ObjectReader>(new RangedReader(
        client_, full, std::move(resp.body), size, resp.Header("etag")));
  }

  Result<std::optional<ObjectInfo>> Head(std::string_view key) override {
    RUNLAKE_ASSIGN_OR_RAISE(std::string full, FullKey(key));
    RUNLAKE_ASSIGN_OR_RAISE(Response resp, HeadRaw(full));
    if (resp.status == 404) return std::optional<ObjectInfo>();
    uint64_t size = std::strtoull(resp.Header("content-length").c_str(), nullptr, 10);
    return std::optional<ObjectInfo>(ObjectInfo{std::string(key), size, Unquote(resp.Header("etag"))});
  }

  Result<std::vector<ObjectInfo>> List(std::string_view prefix) override {
    std::string full = prefix_ + std::string(prefix);
    std::vector<ObjectInfo> out;
    std::string token;
    do {
      Request req{"GET", ""};
      req.query = {{"list-type", "2"},
                   {"prefix", full},
                   {"max-keys", std::to_string(client_->config().list_page_size)}};
      if (!token.empty()) req.query.emplace_back("continuation-token", token);
      RUNLAKE_ASSIGN_OR_RAISE(Response resp, client_->Send(req));
      if (!resp.ok()) return client_->ErrorStatus(req, resp);
      Result<s3::ListPage> page = s3::ParseListObjectsV2(resp.body);
      if (!page.ok()) {
        return page.status().WithContext("listing " + client_->Describe(full) + " at " +
                                         client_->endpoint());
      }
      for (s3::ListedObject& o : page->objects) {
        if (o.key.compare(0, prefix_.size(), prefix_) != 0) continue;
        out.push_back(ObjectInfo{o.key.substr(prefix_.size()), o.size, Unquote(o.etag)});
      }
      token = page->truncated ? page->next_token : "";
    } while (!token.empty());
    std::sort(out.begin(), out.end(),
              [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; });
    return out;
  }

  Status Delete(std::string_view key) override {
    RUNLAKE_ASSIGN_OR_RAISE(std::string full, FullKey(key));
    Request req{"DELETE", full};
    RUNLAKE_ASSIGN_OR_RAISE(Response resp, client_->Send(req));
    if (resp.ok()) return Status::OK();
    if (resp.status == 404 && s3::ParseError(resp.body).code != "NoSuchBucket") {
      return Status::OK();
    }
    return client_->ErrorStatus(req, resp);
  }

  std::optional<std::string> LocalPath(std::string_view) const override { return std::nullopt; }

 private:
  Result<std::string> FullKey(std::string_view key) const {
    RUNLAKE_RETURN_NOT_OK(ValidateKey(key));
    return prefix_ + std::string(key);
  }

  std::string Describe(std::string_view key) const { return uri() + "/" + std::string(key); }

  // HEAD of a full key: a 200 or a 404 for a missing key (the bucket checked to exist).
  // A HEAD error has no body, so errors are fetched again as a GET to name the S3 code.
  // retry=false: one attempt each (PutIfAbsent's own loop retries; no nested backoff).
  Result<Response> HeadRaw(const std::string& full, bool retry = true) {
    Request req{"HEAD", full, {}, {}, nullptr, retry};
    RUNLAKE_ASSIGN_OR_RAISE(Response resp, client_->Send(req));
    if (resp.ok()) return resp;
    if (resp.status == 404 && bucket_exists_.load()) return resp;
    Request get{"GET", full, {}, {"Range: bytes=0-0"}, nullptr, retry};
    RUNLAKE_ASSIGN_OR_RAISE(Response got, client_->Send(get));
    if (got.status == 404 && s3::ParseError(got.body).code != "NoSuchBucket") {
      bucket_exists_ = true;
      return got;
    }
    if (got.ok() || got.status == 416) {  // it appeared meanwhile: ask once more
      RUNLAKE_ASSIGN_OR_RAISE(Response again, client_->Send(req));
      if (again.ok() || again.status == 404) return again;
      return client_->ErrorStatus(req, again);
    }
    return client_->ErrorStatus(get, got);
  }

  // The token of the object at `full` (nullopt when absent; "" when it has none).
  Result<std::optional<std::string>> TokenAt(const std::string& full) {
    RUNLAKE_ASSIGN_OR_RAISE(Response resp, HeadRaw(full, /*retry=*/false));
    if (resp.status == 404) return std::optional<std::string>();
    return std::optional<std::string>(resp.Header("x-amz-meta-runlake-token"));
  }

  Result<bool> OwnedBy(const std::string& full, const std::string& token) {
    RUNLAKE_ASSIGN_OR_RAISE(auto owner, TokenAt(full));
    return owner.has_value() && *owner == token;
  }

  std::shared_ptr<Client> client_;
  std::string prefix_;  // "" or "a/b/"
  std::atomic<bool> bucket_exists_{false};
};

}  // namespace

std::unique_ptr<ObjectStore> NewS3ObjectStore(const S3Config& config) {
  return std::make_unique<S3ObjectStore>(config);
}

}  // namespace runlake
