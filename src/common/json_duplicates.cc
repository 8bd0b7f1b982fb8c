#include "common/json_duplicates.h"

#include <set>
#include <vector>

#include <nlohmann/json.hpp>

namespace runlake {

std::optional<std::string> FirstDuplicateKey(const std::string& text) {
  using nlohmann::json;
  std::vector<std::set<std::string>> open;  // the keys seen in each open object
  std::vector<std::string> path;            // the key each open object hangs from
  std::string last_key;
  std::optional<std::string> found;
  json::parser_callback_t cb = [&](int, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
        path.push_back(last_key);
        open.emplace_back();
        break;
      case json::parse_event_t::key:
        last_key = parsed.get<std::string>();
        if (!open.empty() && !open.back().insert(last_key).second && !found) {
          std::string where;
          for (size_t i = 1; i < path.size(); ++i) where += path[i] + ".";
          found = where + last_key;
        }
        break;
      case json::parse_event_t::object_end:
        if (!open.empty()) open.pop_back();
        if (!path.empty()) path.pop_back();
        break;
      case json::parse_event_t::array_start:
        last_key.clear();  // objects inside arrays hang from no key
        break;
      default:
        break;
    }
    return true;
  };
  (void)json::parse(text, cb, /*allow_exceptions=*/false);  // only the callback's finding matters
  return found;
}

}  // namespace runlake
