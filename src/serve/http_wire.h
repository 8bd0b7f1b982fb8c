#pragma once
// The little of HTTP/1.1 the dashboard speaks on the wire (http_server.h): a request head
// parsed into a Request, a Response written out whole. One request per connection and no
// request body is ever read, so there is no chunked coding, keep-alive or pipelining here.

#include <cstddef>
#include <string>
#include <string_view>

#include "serve/http_message.h"

namespace runlake::serve {

// The request line and headers together; a longer head is refused (414 while the request
// line has not ended, else 431) rather than buffered.
inline constexpr size_t kMaxHeadBytes = 16 * 1024;

// Where the head in `received` ends (just past its blank line); npos while incomplete.
// Bare LF line ends are accepted, as RFC 9112 2.2 allows.
size_t HeadEnd(std::string_view received);

// Parses a complete head (up to HeadEnd). Returns "" and fills `out`, or why the head is
// malformed (the server answers 400 with it): a bad request line, an unknown HTTP major
// version, a header line without a name, whitespace before the colon (RFC 9112 5.1),
// obsolete line folding, or a control character.
std::string ParseHead(std::string_view head, Request* out);

// The status line, Content-Type, Content-Length, Date, Connection: close, `response`'s own
// headers and (unless `head_only`, for HEAD) the body.
std::string SerializeResponse(const Response& response, bool head_only);

}  // namespace runlake::serve
