#pragma once
// Aligned text tables for human output.

#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

namespace runlake::cli {

inline constexpr size_t kMaxRuleWidth = 40;

inline void PrintTable(const std::vector<std::string>& header,
                       const std::vector<std::vector<std::string>>& rows,
                       std::ostream& out = std::cout) {
  std::vector<size_t> width(header.size());
  for (size_t c = 0; c < header.size(); ++c) width[c] = header[c].size();
  for (const auto& r : rows)
    for (size_t c = 0; c < r.size() && c < width.size(); ++c) width[c] = std::max(width[c], r[c].size());
  auto line = [&](const std::vector<std::string>& r) {
    std::string s;
    for (size_t c = 0; c < width.size(); ++c) {
      std::string v = c < r.size() ? r[c] : "";
      s += v + (c + 1 < width.size() ? std::string(width[c] - v.size() + 2, ' ') : "");
    }
    out << s << "\n";
  };
  line(header);
  std::vector<std::string> rule;
  // The rule is bounded: one long cell (an event's JSON details) must not draw a line
  // hundreds of characters wide.
  for (size_t w : width) rule.push_back(std::string(std::min<size_t>(w, kMaxRuleWidth), '-'));
  line(rule);
  for (const auto& r : rows) line(r);
}

}  // namespace runlake::cli
