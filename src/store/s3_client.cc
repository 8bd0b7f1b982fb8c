// Signed S3 requests over libcurl, with retries. See s3_client_internal.h.

#include <curl/curl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "common/retry.h"
#include "common/sha256.h"
#include "store/credentials_refresher.h"
#include "store/s3_client_internal.h"

namespace runlake::s3 {
namespace {

constexpr const char* kUnsignedPayload = "UNSIGNED-PAYLOAD";


void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// Upload state for curl's read and seek callbacks.
struct Upload {
  const Body* body;
  uint64_t pos = 0;
};

size_t ReadBody(char* buf, size_t size, size_t n, void* userp) {
  auto* up = static_cast<Upload*>(userp);
  const Body& b = *up->body;
  size_t want = std::min<uint64_t>(size * n, b.size - up->pos);
  if (want == 0) return 0;
  if (b.fd < 0) {
    std::memcpy(buf, b.data.data() + up->pos, want);
  } else {
    ssize_t got = ::pread(b.fd, buf, want, static_cast<off_t>(b.offset + up->pos));
    if (got <= 0) return CURL_READFUNC_ABORT;
    want = static_cast<size_t>(got);
  }
  up->pos += want;
  return want;
}

int SeekBody(void* userp, curl_off_t offset, int origin) {
  auto* up = static_cast<Upload*>(userp);
  if (origin != SEEK_SET || offset < 0 || uint64_t(offset) > up->body->size) {
    return CURL_SEEKFUNC_CANTSEEK;
  }
  up->pos = uint64_t(offset);
  return CURL_SEEKFUNC_OK;
}

size_t WriteBody(char* ptr, size_t size, size_t n, void* userp) {
  static_cast<std::string*>(userp)->append(ptr, size * n);
  return size * n;
}

size_t WriteHeader(char* ptr, size_t size, size_t n, void* userp) {
  auto* headers = static_cast<std::map<std::string, std::string>*>(userp);
  std::string_view line(ptr, size * n);
  if (line.rfind("HTTP/", 0) == 0) {  // a new response (after 100 Continue): start over
    headers->clear();
    return size * n;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return size * n;
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(), ::tolower);
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
    value.remove_suffix(1);
  }
  (*headers)[name] = std::string(value);
  return size * n;
}

// Transport errors worth another attempt: everything except our own mistakes.
bool IsRetryableCurl(CURLcode rc) {
  switch (rc) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_OUT_OF_MEMORY:
    case CURLE_BAD_FUNCTION_ARGUMENT:
    case CURLE_READ_ERROR:
    case CURLE_ABORTED_BY_CALLBACK:
      return false;
    default:
      return true;
  }
}

// "https://host:port/x" -> {"https", "host:port"}.
std::pair<std::string, std::string> SchemeAndHost(const std::string& url) {
  size_t sep = url.find("://");
  if (sep == std::string::npos) return {"", url};
  size_t end = url.find('/', sep + 3);
  return {url.substr(0, sep), url.substr(sep + 3, end == std::string::npos ? end : end - sep - 3)};
}

bool IsIpOrLocalhost(std::string host) {
  if (!host.empty() && host[0] == '[') return true;  // an IPv6 literal
  host = host.substr(0, host.find(':'));
  if (host == "localhost") return true;
  return !host.empty() && host.find_first_not_of("0123456789.") == std::string::npos;
}

// An answer that says the credentials have expired or been rotated under us. A HEAD has
// no body to say so: a 400 to a HEAD with temporary credentials is taken as one.
bool IsExpiredToken(const Request& req, const Response& resp, const aws::Credentials& creds) {
  if (resp.status != 400 && resp.status != 403) return false;
  std::string code = ParseError(resp.body).code;
  if (code == "ExpiredToken" || code == "InvalidToken" || code == "ExpiredTokenException" ||
      code == "TokenRefreshRequired") {
    return true;
  }
  return req.method == "HEAD" && resp.status == 400 && !creds.session_token.empty();
}

// The bucket's region from a wrong-region answer (301 PermanentRedirect, or a 400 such
// as AuthorizationHeaderMalformed), "" when the answer is not one.
std::string RedirectRegion(const Response& resp) {
  if (resp.status != 301 && resp.status != 400) return "";
  std::string region = resp.Header("x-amz-bucket-region");
  return region.empty() ? ParseErrorRegion(resp.body) : region;
}

}  // namespace

bool UsePathStyle(const S3Config& c) {
  if (c.addressing == "path") return true;
  if (c.addressing == "virtual") return false;
  bool dotted = c.bucket.find('.') != std::string::npos;
  if (c.endpoint.empty()) return dotted;  // AWS is https: a dotted name breaks its certificate
  auto [scheme, host] = SchemeAndHost(c.endpoint);
  return IsIpOrLocalhost(host) || (dotted && scheme == "https");
}

std::string UriEncode(std::string_view s, bool keep_slash) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || (keep_slash && c == '/')) {
      out += char(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

Client::Client(S3Config config) : config_(std::move(config)) {
  GlobalInitOnce();
  endpoint_ = config_.endpoint.empty() ? "https://s3." + config_.region + ".amazonaws.com"
                                       : config_.endpoint;
  while (!endpoint_.empty() && endpoint_.back() == '/') endpoint_.pop_back();
  region_ = config_.region;
  path_style_ = UsePathStyle(config_);
}

Client::~Client() {
  for (void* h : free_handles_) curl_easy_cleanup(static_cast<CURL*>(h));
}

std::string Client::Describe(std::string_view key) const {
  return "s3://" + config_.bucket + (key.empty() ? "" : "/" + std::string(key));
}

std::string Client::Url(const Request& req, const std::string& region) const {
  std::string base = config_.endpoint.empty() ? "https://s3." + region + ".amazonaws.com"
                                              : endpoint_;
  std::string url;
  if (path_style_) {
    url = base + "/" + UriEncode(config_.bucket, false);
    if (!req.key.empty()) url += "/" + UriEncode(req.key, true);
  } else {  // virtual-hosted: the bucket is the first label of the host
    size_t host = base.find("://");
    host = host == std::string::npos ? 0 : host + 3;
    url = base.substr(0, host) + config_.bucket + "." + base.substr(host) + "/" +
          UriEncode(req.key, true);
  }
  if (!req.query.empty()) {
    std::vector<std::pair<std::string, std::string>> q;
    for (const auto& [k, v] : req.query) q.emplace_back(UriEncode(k, false), UriEncode(v, false));
    std::sort(q.begin(), q.end());
    char sep = '?';
    for (const auto& [k, v] : q) {
      url += sep + k + "=" + v;
      sep = '&';
    }
  }
  return url;
}

void* Client::AcquireHandle() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!free_handles_.empty()) {
      void* h = free_handles_.back();
      free_handles_.pop_back();
      return h;
    }
  }
  return curl_easy_init();
}

void Client::ReleaseHandle(void* h) {
  curl_easy_reset(static_cast<CURL*>(h));  // keeps the live connections
  std::lock_guard<std::mutex> lock(mu_);
  free_handles_.push_back(h);
}

namespace {
std::mutex g_counts_mu;
std::map<std::string, int64_t> g_counts;  // S3RequestCounts()
}  // namespace

std::string Client::CredentialsSource() const {
  return config_.credentials ? "credentials from " + config_.credentials->ProviderName()
                             : "check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY";
}

Result<Client::Signer> Client::CurrentSigner() {
  Signer s;
  {
    std::lock_guard<std::mutex> lock(mu_);
    s.region = region_;
  }
  if (!config_.credentials) {
    s.creds = aws::Credentials{config_.access_key_id, config_.secret_access_key,
                               config_.session_token, std::nullopt};
    return s;
  }
  Result<aws::Credentials> c = config_.credentials->Get();
  // Not an IOError: Send() must not spin on a chain that cannot answer (its own
  // timeouts already bound each fetch).
  if (!c.ok()) return Status::FailedPrecondition(c.status().message());
  s.creds = std::move(*c);
  return s;
}

Result<Response> Client::SendOnce(const Request& req) {
  RUNLAKE_ASSIGN_OR_RAISE(Signer signer, CurrentSigner());
  RUNLAKE_ASSIGN_OR_RAISE(Response resp, SendSigned(req, signer));
  if (config_.credentials && IsExpiredToken(req, resp, signer.creds)) {
    Result<aws::Credentials> fresh = config_.credentials->ForceRefresh(signer.creds);
    if (!fresh.ok()) return Status::FailedPrecondition(fresh.status().message());
    signer.creds = std::move(*fresh);
    RUNLAKE_ASSIGN_OR_RAISE(resp, SendSigned(req, signer));
  }
  std::string region = RedirectRegion(resp);
  if (!region.empty() && region != signer.region) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      region_ = region;
    }
    signer.region = region;
    RUNLAKE_ASSIGN_OR_RAISE(resp, SendSigned(req, signer));
  }
  return resp;
}

Result<Response> Client::SendSigned(const Request& req, const Signer& signer) {
  {
    bool list = false;
    for (const auto& q : req.query) list |= req.method == "GET" && q.first == "list-type";
    std::lock_guard<std::mutex> lock(g_counts_mu);
    ++g_counts[list ? "LIST" : req.method];
  }
  CURL* curl = static_cast<CURL*>(AcquireHandle());
  if (!curl) return Status::IOError("curl_easy_init failed");
  Response resp;
  Upload upload{req.body};
  std::string url = Url(req, signer.region);
  std::string sigv4_param = "aws:amz:" + signer.region + ":s3";
  curl_slist* headers = nullptr;
  std::string hash = req.body && req.body->fd < 0 ? Sha256::Of(req.body->data)
                     : req.body                   ? kUnsignedPayload
                                                  : Sha256::Of("");
  std::vector<std::string> lines = req.headers;
  lines.push_back("x-amz-content-sha256: " + hash);
  if (!signer.creds.session_token.empty()) {
    lines.push_back("x-amz-security-token: " + signer.creds.session_token);
  }
  for (const auto& h : lines) headers = curl_slist_append(headers, h.c_str());

  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, sigv4_param.c_str());
  curl_easy_setopt(curl, CURLOPT_USERNAME, signer.creds.access_key_id.c_str());
  curl_easy_setopt(curl, CURLOPT_PASSWORD, signer.creds.secret_access_key.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, long(config_.connect_timeout_ms));
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, long(config_.stall_timeout_s));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, WriteBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &resp.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, WriteHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &resp.headers);
  if (req.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (req.method == "PUT") {
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, curl_off_t(req.body ? req.body->size : 0));
    static const Body kEmpty;
    if (!req.body) upload.body = &kEmpty;
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadBody);
    curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
    curl_easy_setopt(curl, CURLOPT_SEEKFUNCTION, SeekBody);
    curl_easy_setopt(curl, CURLOPT_SEEKDATA, &upload);
  } else if (req.method == "POST") {
    std::string_view data = req.body ? req.body->data : std::string_view();
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, data.data() ? data.data() : "");
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(data.size()));
  } else if (req.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, req.method.c_str());
  }

  CURLcode rc = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &resp.status);
  curl_slist_free_all(headers);
  ReleaseHandle(curl);
  if (rc != CURLE_OK) {
    std::string msg = "S3 " + req.method + " " + Describe(req.key) + " at " + endpoint_ + ": " +
                      curl_easy_strerror(rc);
    if (!IsRetryableCurl(rc)) return Status::InvalidArgument(msg);
    return Status::Unavailable(msg);  // a reset, a timeout: worth another try
  }
  return resp;
}

bool Client::IsRetryable(const Response& resp) {
  if (resp.status >= 500 || resp.status == 429) return true;
  // AWS: a conditional write raced another on the same key; the answer is to retry.
  if (resp.status == 409) return ParseError(resp.body).code == "ConditionalRequestConflict";
  if (resp.status == 400 || resp.status == 503) {
    std::string code = ParseError(resp.body).code;
    return code == "RequestTimeout" || code == "SlowDown";
  }
  return false;
}

void Client::Backoff(int attempt) const {
  RetryPolicy policy;
  policy.max_attempts = config_.max_attempts;
  policy.first_delay = std::chrono::milliseconds(int64_t(config_.retry_base_ms));
  policy.max_delay = std::chrono::milliseconds(int64_t(config_.retry_max_ms));
  std::this_thread::sleep_for(runlake::Backoff(policy).DelayAfter(attempt));
}

Result<Response> Client::Send(const Request& req) {
  int attempts = req.retry ? std::max(1, config_.max_attempts) : 1;
  Status last;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    if (attempt > 0) Backoff(attempt);
    Result<Response> resp = SendOnce(req);
    if (resp.ok() && !IsRetryable(*resp)) return resp;
    if (!resp.ok() && !resp.status().IsUnavailable()) return resp;  // our mistake: do not retry
    if (attempt + 1 == attempts) {
      if (resp.ok()) return resp;  // a 5xx after the last retry: the caller maps it
      if (attempts == 1) return resp.status();
      return resp.status().WithContext("after " + std::to_string(attempts) + " attempts");
    }
  }
  return Status::Internal("unreachable");
}

Status Client::ErrorStatus(const Request& req, const Response& resp) const {
  ErrorInfo err = ParseError(resp.body);
  std::string code = err.code.empty() ? "HTTP " + std::to_string(resp.status)
                                      : err.code + " (HTTP " + std::to_string(resp.status) + ")";
  std::string what = "S3 " + req.method + " " + Describe(req.key) + " at " + endpoint_ + ": " +
                     code + (err.message.empty() ? "" : ": " + err.message);
  if (resp.status == 404) {
    if (err.code == "NoSuchBucket") {
      return Status::NotFound("bucket '" + config_.bucket + "' does not exist at " + endpoint_ +
                              " (" + what + ")");
    }
    return Status::NotFound(Describe(req.key) + " does not exist (" + what + ")");
  }
  if (resp.status == 401 || resp.status == 403) {
    return Status::FailedPrecondition("access denied: " + what +
                                      " (" + CredentialsSource() + ")");
  }
  if (resp.status == 412) return Status::Conflict(what);
  if (resp.status >= 500 || resp.status == 429) {
    return Status::Unavailable(what + " (after " + std::to_string(config_.max_attempts) +
                               " attempts)");
  }
  if (resp.status == 400) return Status::InvalidArgument(what);
  return Status::IOError(what);
}

}  // namespace runlake::s3

namespace runlake {
std::map<std::string, int64_t> S3RequestCounts() {
  std::lock_guard<std::mutex> lock(s3::g_counts_mu);
  return s3::g_counts;
}
}  // namespace runlake
