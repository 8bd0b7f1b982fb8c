// libcurl for the credential providers. Not the S3 client's handle pool: these calls are
// rare (one per refresh), so each gets a fresh handle.

#include "store/aws_http.h"

#include <curl/curl.h>

#include <algorithm>
#include <mutex>

#include "store/s3_client_internal.h"

namespace runlake::aws {
namespace {

size_t WriteBody(char* ptr, size_t size, size_t n, void* userp) {
  auto* body = static_cast<std::string*>(userp);
  if (body->size() + size * n > (1u << 20)) return 0;  // a credentials answer is tiny
  body->append(ptr, size * n);
  return size * n;
}

size_t WriteHeader(char* ptr, size_t size, size_t n, void* userp) {
  auto* headers = static_cast<std::map<std::string, std::string>*>(userp);
  std::string line(ptr, size * n);
  if (line.rfind("HTTP/", 0) == 0) {
    headers->clear();
    return size * n;
  }
  size_t colon = line.find(':');
  if (colon == std::string::npos) return size * n;
  std::string name = line.substr(0, colon);
  std::transform(name.begin(), name.end(), name.begin(), ::tolower);
  std::string value = line.substr(colon + 1);
  value.erase(0, value.find_first_not_of(" \t"));
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
    value.pop_back();
  }
  (*headers)[name] = value;
  return size * n;
}

}  // namespace

std::string UrlForMessages(const std::string& url) { return url.substr(0, url.find('?')); }

std::string FormEncode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [k, v] : fields) {
    if (!out.empty()) out += '&';
    out += s3::UriEncode(k, false) + "=" + s3::UriEncode(v, false);
  }
  return out;
}

Result<HttpReply> HttpSend(const HttpCall& call) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  CURL* curl = curl_easy_init();
  if (!curl) return Status::IOError("curl_easy_init failed");
  HttpReply reply;
  curl_slist* headers = nullptr;
  for (const auto& h : call.headers) headers = curl_slist_append(headers, h.c_str());
  std::string token_header;
  if (call.sign_with && !call.sign_with->session_token.empty()) {
    token_header = "x-amz-security-token: " + call.sign_with->session_token;
    headers = curl_slist_append(headers, token_header.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_URL, call.url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, call.connect_timeout_ms);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, call.low_speed_time_s);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, call.total_timeout_ms);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, WriteBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, WriteHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &reply.headers);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  if (call.sign_with) {
    curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, call.sigv4_scope.c_str());
    curl_easy_setopt(curl, CURLOPT_USERNAME, call.sign_with->access_key_id.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, call.sign_with->secret_access_key.c_str());
  }
  if (call.method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, call.body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(call.body.size()));
  } else if (call.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, call.method.c_str());
    if (!call.body.empty()) {
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, call.body.c_str());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(call.body.size()));
    } else {
      // A bodiless PUT (IMDSv2's token request) says so: without a length a server may
      // wait for a body until the connection closes (cpp-httplib does), and the SDKs
      // send Content-Length: 0 here.
      headers = curl_slist_append(headers, "Content-Length: 0");
      curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    }
  }
  CURLcode rc = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) {
    return Status::IOError(call.method + " " + UrlForMessages(call.url) + ": " +
                           curl_easy_strerror(rc));
  }
  return reply;
}

}  // namespace runlake::aws
