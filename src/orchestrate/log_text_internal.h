#pragma once
// The cheap test before LogLineMatches, for raw JSON lines (local files, the state store).

#include <string>

namespace runlake {

// A literal that occurs in the raw text of every JSON line that LogLineMatches(line,
// pattern) accepts (the phrase as JSON writes it inside a string), or "" when nothing so
// simple can be said (a phrase with quotes, backslashes or control characters, which JSON
// escapes): then every line must be parsed and tested.
std::string LogFilterRawText(const std::string& pattern);

}  // namespace runlake
