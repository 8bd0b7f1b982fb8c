#pragma once
// Whole numbers from text we did not type (query cells, file names), without exceptions:
// std::stoll throws on bad text and would escape a function that returns Status.

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "runlake/status.h"

namespace runlake {

// The whole of `text` as a base-10 int64; Internal naming `what` otherwise (the text came
// from runlake's own queries or files, so a bad one is a bug or a corruption, not input).
inline Result<int64_t> ParseInt64(std::string_view text, const std::string& what) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    return Status::Internal(what + ": '" + std::string(text.substr(0, 40)) + "' is not a whole number");
  }
  return v;
}

// A query cell: NULL counts as 0.
inline Result<int64_t> ParseInt64Cell(const std::optional<std::string>& cell, const std::string& what) {
  return cell ? ParseInt64(*cell, what) : Result<int64_t>(int64_t{0});
}

}  // namespace runlake
