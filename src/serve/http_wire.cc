#include "serve/http_wire.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <vector>

namespace runlake::serve {

namespace {

// Header and method names are RFC 9110 tokens.
bool IsToken(std::string_view s) {
  static const std::string_view kExtra = "!#$%&'*+-.^_`|~";
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) || kExtra.find(static_cast<char>(c)) != std::string_view::npos;
  });
}

// Tabs are allowed in values; other control characters (a stray CR, NUL) are not.
bool HasControl(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](unsigned char c) { return (c < 0x20 && c != '\t') || c == 0x7f; });
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> Lines(std::string_view head) {
  std::vector<std::string_view> lines;
  while (!head.empty()) {
    size_t nl = head.find('\n');
    std::string_view line = head.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    head.remove_prefix(nl + 1);
  }
  return lines;
}

std::string HttpDate() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

}  // namespace

size_t HeadEnd(std::string_view received) {
  size_t crlf = received.find("\r\n\r\n"), lf = received.find("\n\n");
  size_t end = std::string_view::npos;
  if (crlf != std::string_view::npos) end = crlf + 4;
  if (lf != std::string_view::npos) end = std::min(end, lf + 2);
  return end;
}

std::string ParseHead(std::string_view head, Request* out) {
  std::vector<std::string_view> lines = Lines(head);
  // RFC 9112 2.2: empty lines before the request line are ignored.
  size_t i = 0;
  while (i < lines.size() && lines[i].empty()) ++i;
  if (i == lines.size()) return "no request line";
  std::string_view line = lines[i++];
  size_t sp1 = line.find(' '), sp2 = line.rfind(' ');
  if (sp1 == std::string_view::npos || sp1 == sp2) return "malformed request line";
  std::string_view method = line.substr(0, sp1), target = line.substr(sp1 + 1, sp2 - sp1 - 1),
                   version = line.substr(sp2 + 1);
  if (!IsToken(method) || target.empty() || target.find(' ') != std::string_view::npos ||
      HasControl(target)) {
    return "malformed request line";
  }
  if (version.rfind("HTTP/1.", 0) != 0 || version.size() != 8 || !std::isdigit(version[7]))
    return "only HTTP/1.x is spoken here";
  out->method = std::string(method);
  out->target = std::string(target);
  for (; i < lines.size() && !lines[i].empty(); ++i) {
    line = lines[i];
    if (line.front() == ' ' || line.front() == '\t') return "obsolete header line folding";
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || !IsToken(line.substr(0, colon)))
      return "malformed header line";
    std::string_view value = Trim(line.substr(colon + 1));
    if (HasControl(value)) return "a control character in a header value";
    std::string name(line.substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    if ((name == "content-length" && value != "0") || name == "transfer-encoding")
      out->has_body = true;
    if (!out->headers.emplace(name, std::string(value)).second) out->repeated_headers.insert(name);
  }
  return "";
}

std::string SerializeResponse(const Response& response, bool head_only) {
  std::string out = "HTTP/1.1 " + std::to_string(response.status) + " " +
                    StatusReason(response.status) + "\r\n";
  out += "Content-Type: " + response.content_type + "\r\n";
  out += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
  out += "Date: " + HttpDate() + "\r\n";
  out += "Connection: close\r\n";
  for (const auto& [name, value] : response.headers) out += name + ": " + value + "\r\n";
  out += "\r\n";
  if (!head_only) out += response.body;
  return out;
}

}  // namespace runlake::serve
