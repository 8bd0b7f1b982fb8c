#include <string>

#include "runlake/object_store.h"

namespace runlake {

Status ValidateKey(std::string_view key) {
  auto bad = [&](const char* why) {
    return Status::InvalidArgument("invalid object key '" + std::string(key) + "': " + why);
  };
  if (key.empty()) return bad("empty");
  if (key.front() == '/') return bad("absolute keys are not allowed");
  if (key.size() > 1024) return bad("longer than 1024 bytes");
  size_t start = 0;
  while (start <= key.size()) {
    size_t end = key.find('/', start);
    if (end == std::string_view::npos) end = key.size();
    std::string_view seg = key.substr(start, end - start);
    if (seg.empty()) return bad("empty path segment");
    if (seg == "." || seg == "..") return bad("'.' and '..' segments are not allowed");
    start = end + 1;
  }
  for (char c : key) {
    if (c == '\0') return bad("contains a NUL byte");
    if (c == '\\') return bad("contains a backslash");
  }
  return Status::OK();
}

}  // namespace runlake
