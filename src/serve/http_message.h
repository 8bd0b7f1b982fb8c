#pragma once
// The dashboard's view of HTTP: a request as it came off the wire (method, raw target,
// headers) and the response to send. The dashboard core works on these alone, so tests
// drive every check and page in-process, without sockets; http_wire.h reads and writes
// them on a socket for http_server.h.

#include <map>
#include <set>
#include <string>

namespace runlake::serve {

struct Request {
  std::string method;  // as sent: "GET", "HEAD", "POST", ...
  std::string target;  // the raw request target: "/runs/R?x=1" (not yet decoded)
  std::map<std::string, std::string> headers;  // names lower-cased; the first of a repeat
  bool has_body = false;                       // Content-Length > 0 or Transfer-Encoding present
  // Lower-cased names sent more than once: a second Host must not hide behind the first.
  std::set<std::string> repeated_headers = {};

  // "" when absent.
  std::string Header(const std::string& lower_name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "text/html; charset=utf-8";
  std::string body;
  std::map<std::string, std::string> headers;  // on top of the security headers
};

// "OK", "Not Found", ... for the status codes the dashboard sends.
const char* StatusReason(int status);

// The target split and percent-decoded. `ok` false: a malformed escape or a NUL byte.
struct Target {
  bool ok = true;
  std::string path;                          // decoded
  std::map<std::string, std::string> query;  // decoded ('+' is a space); first value wins
};
Target ParseTarget(const std::string& raw);

// Percent-encodes everything but unreserved characters (for links built from lake data).
std::string UrlEncode(const std::string& text);

}  // namespace runlake::serve
