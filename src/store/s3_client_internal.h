#pragma once
// The S3 wire layer: signed HTTP requests through libcurl (its built-in SigV4), retries
// with exponential backoff and jitter, and the mapping of S3 errors to Status. The
// ObjectStore semantics live in s3_object_store.cc; this file knows nothing about them.
//
// libcurl 7.88's SigV4 signer uses the URL's path and query as they are, so this layer
// builds them canonically itself: keys percent-encoded with RFC 3986's unreserved set
// (S3 encodes once), query parameters sorted by name, each written "name=value".
// It hashes the payload only when told: we always send x-amz-content-sha256 (the real
// SHA-256 for bodies in memory, UNSIGNED-PAYLOAD for file bodies and bodiless requests).

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runlake/object_store.h"
#include "runlake/status.h"
#include "store/credentials.h"
#include "store/s3_xml_internal.h"

namespace runlake::s3 {

// Percent-encodes every byte outside A-Za-z0-9-._~ (and '/', when keep_slash).
std::string UriEncode(std::string_view s, bool keep_slash);

// What a request uploads: a memory buffer, or `size` bytes of the open file `fd` from
// `offset`. The body is re-read from the start on every retry.
struct Body {
  std::string_view data;
  int fd = -1;
  uint64_t offset = 0;
  uint64_t size = 0;
  static Body Memory(std::string_view d) { return Body{d, -1, 0, d.size()}; }
  static Body File(int fd, uint64_t offset, uint64_t size) { return Body{{}, fd, offset, size}; }
};

struct Request {
  Request(std::string m, std::string k, std::vector<std::pair<std::string, std::string>> q = {},
          std::vector<std::string> h = {}, const Body* b = nullptr, bool r = true)
      : method(std::move(m)), key(std::move(k)), query(std::move(q)), headers(std::move(h)),
        body(b), retry(r) {}
  std::string method;  // GET, HEAD, PUT, POST, DELETE
  std::string key;             // full key inside the bucket; empty for bucket requests
  std::vector<std::pair<std::string, std::string>> query;  // not yet encoded, any order
  std::vector<std::string> headers;                        // "Name: value"
  const Body* body = nullptr;                              // PUT and POST only
  bool retry = true;  // false: one attempt (the caller runs its own retry loop)
};

struct Response {
  long status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased; the final response's
  std::string body;
  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
  bool ok() const { return status >= 200 && status < 300; }
};

// True when `config` is to be addressed path style (see S3Config::addressing).
bool UsePathStyle(const S3Config& config);

// Uploads `size` bytes of `fd` to `key` with a multipart upload (parts of
// config.part_size, at least 5 MiB), aborting the upload on failure so no parts linger.
Status MultipartUpload(class Client& client, const std::string& key, int fd, uint64_t size);

class Client {
 public:
  explicit Client(S3Config config);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  const S3Config& config() const { return config_; }
  // The endpoint as error messages name it (never with credentials).
  const std::string& endpoint() const { return endpoint_; }
  // "s3://bucket/key" for messages.
  std::string Describe(std::string_view key) const;

  // Sends `req`, retrying transient failures (transport errors, 5xx, 429, SlowDown,
  // RequestTimeout) up to config().max_attempts. Returns the final Response whatever its
  // status (the caller decides what a 404 or 412 means), or IOError when no response
  // came back. A 5xx returned here means the retries ran out.
  Result<Response> Send(const Request& req);

  // True when a response (or its absence: a transport error) is worth retrying.
  static bool IsRetryable(const Response& resp);
  // Sleeps before attempt number `attempt` (1 = the first retry): a random time in
  // [w/2, w] where w = retry_base_ms * 2^(attempt-1), capped at retry_max_ms ("equal
  // jitter": spreads concurrent retriers while keeping a floor under the wait).
  void Backoff(int attempt) const;

  // Maps a failed response to a Status naming the method, object, endpoint and S3 code.
  Status ErrorStatus(const Request& req, const Response& resp) const;

 private:
  // What a request is signed with: the credentials of the moment and the region.
  struct Signer {
    aws::Credentials creds;
    std::string region;
  };
  // One attempt, plus at most one immediate resend after an ExpiredToken answer (with
  // refreshed credentials) and one after a wrong-region answer (in the bucket's region,
  // remembered for later requests). Neither counts as a retry.
  Result<Response> SendOnce(const Request& req);
  Result<Signer> CurrentSigner();
  Result<Response> SendSigned(const Request& req, const Signer& signer);
  std::string Url(const Request& req, const std::string& region) const;
  std::string CredentialsSource() const;
  void* AcquireHandle();
  void ReleaseHandle(void* h);

  S3Config config_;
  std::string endpoint_;
  bool path_style_ = true;
  std::mutex mu_;
  std::string region_;  // guarded by mu_: config's, until S3 names the bucket's own
  std::vector<void*> free_handles_;  // CURL* kept for connection reuse
};

}  // namespace runlake::s3
