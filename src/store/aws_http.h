#pragma once
// One HTTP request for the credential providers (STS, SSO portal, container endpoint,
// instance metadata), over libcurl. Every call has a connect timeout and a low-speed
// timeout (a stalled server cannot hang a refresh), and an overall limit. Errors name
// the method and the URL without its query; never a header (they carry tokens).

#include <map>
#include <string>
#include <vector>

#include "runlake/status.h"
#include "store/credentials.h"

namespace runlake::aws {

struct HttpCall {
  std::string method = "GET";  // GET, PUT, POST
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;                  // POST/PUT body
  long connect_timeout_ms = 2000;
  long low_speed_time_s = 5;  // slower than 1 byte/s for this long: a timeout
  long total_timeout_ms = 30000;
  // When set, the request is SigV4-signed with these credentials for `sigv4_scope`
  // ("aws:amz:<region>:<service>").
  const Credentials* sign_with = nullptr;
  std::string sigv4_scope;
};

struct HttpReply {
  long status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

// Sends `call`. IOError when no response came back (refused, timed out, reset).
Result<HttpReply> HttpSend(const HttpCall& call);

// The URL without its query string, for messages.
std::string UrlForMessages(const std::string& url);

// application/x-www-form-urlencoded "a=b&c=d" with RFC 3986 escaping.
std::string FormEncode(const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace runlake::aws
