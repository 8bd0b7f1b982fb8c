#pragma once
// nlohmann::json keeps the last of an object's repeated keys without a word, so
// {"s3_key": "a", "s3_key": "b"} would silently run "b". Inputs runlake reads from users
// (run input, rules) are checked with this first.

#include <optional>
#include <string>

namespace runlake {

// The first key that appears twice in one object of `text` ("a.b" when nested under "a"),
// nullopt when there is none (or when `text` is not valid JSON: its parser says so).
std::optional<std::string> FirstDuplicateKey(const std::string& text);

}  // namespace runlake
