#pragma once
// ObjectStore: the lake's storage, addressed by '/'-separated keys relative to the lake
// root. Backends: local directory, in-memory (tests), S3. Chosen from a URI by
// OpenObjectStore. Every write is atomic: a reader sees the whole object or nothing.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runlake/status.h"

namespace runlake {

struct ObjectInfo {
  std::string key;
  uint64_t size = 0;
  // Changes whenever the object's bytes do (S3: the ETag, unquoted; in-memory: a content
  // hash). "" where the backend has none (local: readers use the file in place).
  std::string etag = {};
};

// A sequential reader of one object. Read returns 0 at the end.
class ObjectReader {
 public:
  virtual ~ObjectReader() = default;
  virtual Result<size_t> Read(char* buf, size_t n) = 0;
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  // The URI this store was opened from (as given, normalised: "file:///abs/lake").
  virtual std::string uri() const = 0;

  // Writes `data` under `key`, replacing any previous object atomically.
  virtual Status Put(std::string_view key, std::string_view data) = 0;
  // Writes `data` under `key` only if no object exists there. Returns AlreadyExists
  // when one does (nothing is written). This is the lake's commit primitive.
  virtual Status PutIfAbsent(std::string_view key, std::string_view data) = 0;
  // Moves or uploads the local file at `local_path` to `key` (atomic, replaces). The local
  // file may be consumed (renamed away).
  virtual Status PutFile(std::string_view key, const std::string& local_path) = 0;

  // The whole object; NotFound when absent.
  virtual Result<std::string> Get(std::string_view key) = 0;
  virtual Result<std::unique_ptr<ObjectReader>> OpenRead(std::string_view key) = 0;
  // nullopt when absent.
  virtual Result<std::optional<ObjectInfo>> Head(std::string_view key) = 0;
  // Every object whose key starts with `prefix`, sorted by key.
  virtual Result<std::vector<ObjectInfo>> List(std::string_view prefix) = 0;
  // Deletes `key`; deleting a missing key is OK (like S3).
  virtual Status Delete(std::string_view key) = 0;

  // A local filesystem path for `key` when the backend is a local directory, so DuckDB
  // can read files in place; nullopt otherwise.
  virtual std::optional<std::string> LocalPath(std::string_view key) const = 0;
};

// Keys: non-empty, relative, '/'-separated, no empty, "." or ".." segments, no NUL or
// backslash. InvalidArgument names the key and the problem.
Status ValidateKey(std::string_view key);

// "./lake", "/abs/lake", "file:///abs/lake" -> local; "mem://name" -> in-memory (a
// process-wide registry, so two opens of one name share objects); "s3://bucket/prefix" ->
// S3 (see S3ConfigFromUri for the environment it reads).
Result<std::unique_ptr<ObjectStore>> OpenObjectStore(const std::string& uri);

std::unique_ptr<ObjectStore> NewLocalObjectStore(const std::string& root_dir);
std::unique_ptr<ObjectStore> NewMemoryObjectStore(const std::string& name);

namespace aws {
class CredentialsRefresher;  // src/store/credentials_refresher.h
}  // namespace aws

// Where and how to reach an S3 bucket. Keys of the store live under `prefix` in `bucket`.
struct S3Config {
  std::string bucket;
  std::string prefix;    // no leading or trailing '/'; may be empty
  std::string endpoint;  // "http://127.0.0.1:7480"; empty: AWS (https://s3.<region>.amazonaws.com)
  std::string region = "us-east-1";
  // "path", "virtual", or "auto": virtual-hosted on AWS; path style for a custom endpoint
  // on an IP address or localhost, and for a bucket with dots over https.
  std::string addressing = "auto";
  // Static credentials, used when `credentials` is null (tests, fixed keys).
  std::string access_key_id;
  std::string secret_access_key;  // never logged nor put in an error message
  std::string session_token;      // optional (temporary credentials)
  // The AWS credential chain's refresher: asked for credentials on every request, so
  // temporary ones are renewed while a long job runs. Shared by the clients of one lake.
  std::shared_ptr<aws::CredentialsRefresher> credentials;

  // Retries (5xx, 429/SlowDown, timeouts, connection errors): attempts in all, and the
  // exponential backoff with full jitter between them.
  int max_attempts = 6;
  int retry_base_ms = 100;
  int retry_max_ms = 5000;
  int connect_timeout_ms = 5000;
  int stall_timeout_s = 60;  // a transfer slower than 1 byte/s for this long is a timeout

  uint64_t multipart_threshold = 64ull << 20;  // PutFile above this uses multipart upload
  uint64_t part_size = 16ull << 20;            // >= 5 MiB (S3's minimum part)
  uint64_t read_chunk_size = 8ull << 20;       // OpenRead fetches ranges of this size
  int list_page_size = 1000;                   // max-keys of each ListObjectsV2 page
};

// Parses "s3://bucket[/prefix]" and fills endpoint, region, addressing and credentials
// the AWS CLI's way (shared/DESIGN.md, "S3 on AWS"): AWS_ENDPOINT_URL_S3 or
// AWS_ENDPOINT_URL; AWS_REGION, AWS_DEFAULT_REGION, the profile's region, else
// us-east-1; RUNLAKE_S3_ADDRESSING or the profile's s3.addressing_style; credentials from
// the AWS credential chain (env, web identity, profile, container, IMDS), fetched on
// first use. InvalidArgument for a malformed URI, a bad AWS file or setting, or no
// credentials anywhere.
Result<S3Config> S3ConfigFromUri(const std::string& uri);

// An S3 (or S3-compatible: Ceph RGW, MinIO) store. uri() is "s3://bucket/prefix".
// Talks to the server lazily: a missing bucket or bad credentials show up on first use
// (NotFound naming the bucket; FailedPrecondition naming the endpoint and S3 error code).
std::unique_ptr<ObjectStore> NewS3ObjectStore(const S3Config& config);

// HTTP requests this process has sent to S3, by kind (GET, HEAD, LIST, PUT, POST, DELETE),
// retries included: what `RUNLAKE_S3_STATS=1 runlake …` prints on stderr at exit.
std::map<std::string, int64_t> S3RequestCounts();

}  // namespace runlake
