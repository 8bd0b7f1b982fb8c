// What a reader sees of an execution log line: the filter phrase of `runlake logs` is
// matched against it, and `runlake logs` prints it (exec_log.h).

#include <cstdio>

#include "runlake/exec_log.h"
#include "orchestrate/log_text_internal.h"

namespace runlake {

namespace {

// The fields every line has, printed first and in this order.
constexpr const char* kHeadFields[] = {"timestamp", "level", "execution", "run_id", "message"};

bool IsHeadField(const std::string& key) {
  for (const char* head : kHeadFields) {
    if (key == head) return true;
  }
  return false;
}

std::string Dump(const nlohmann::json& value) {
  // replace: a value with invalid UTF-8 (from a bad input row) must not throw.
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string Field(const nlohmann::json& line, const char* key) {
  auto it = line.find(key);
  return it == line.end() ? std::string() : LogFieldText(*it);
}

// Control characters (and DEL) as \n, \t, \r or \xNN: the rest, UTF-8 included, as is.
std::string EscapeControls(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (c >= 0x20 && c != 0x7f) {
      out.push_back(static_cast<char>(c));
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
      out += buf;
    }
  }
  return out;
}

// A value as the tail of "key=value": bare when that reads unambiguously, else JSON.
std::string ValueText(const nlohmann::json& value) {
  if (!value.is_string()) return Dump(value);
  const std::string& s = value.get_ref<const std::string&>();
  bool bare = !s.empty();
  for (unsigned char c : s) {
    if (c <= 0x20 || c == 0x7f || c == '"' || c == '=' || c == '\\') bare = false;
  }
  return bare ? s : Dump(value);
}

// `"a b"` -> `a b`: the CloudWatch way of writing a phrase, kept working.
std::string Unquoted(const std::string& phrase) {
  if (phrase.size() >= 2 && phrase.front() == '"' && phrase.back() == '"') {
    return phrase.substr(1, phrase.size() - 2);
  }
  return phrase;
}

}  // namespace

std::string LogFieldText(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : Dump(value);
}

bool LogLineMatches(const nlohmann::json& line, const std::string& phrase) {
  const std::string wanted = Unquoted(phrase);
  if (wanted.empty()) return true;
  if (!line.is_object()) return false;
  for (const auto& [key, value] : line.items()) {
    if (LogFieldText(value).find(wanted) != std::string::npos) return true;
  }
  return false;
}

std::string LogFilterRawText(const std::string& pattern) {
  const std::string wanted = Unquoted(pattern);
  // JSON writes the phrase's bytes unchanged (UTF-8 is not escaped) unless it escapes them;
  // numbers and nested values are matched in the same JSON form the line holds them in.
  std::string as_json = Dump(nlohmann::json(wanted));
  as_json = as_json.substr(1, as_json.size() - 2);
  return as_json == wanted ? wanted : std::string();
}

std::string FormatLogLine(const nlohmann::json& line) {
  if (!line.is_object()) return EscapeControls(Dump(line));
  std::string level = Field(line, "level");
  if (level.size() < 5) level.resize(5, ' ');
  std::string out = EscapeControls(Field(line, "timestamp")) + " " + EscapeControls(level) + " " +
                    EscapeControls(Field(line, "execution")) + " " +
                    EscapeControls(Field(line, "run_id")) + " " +
                    EscapeControls(Field(line, "message"));
  for (const auto& [key, value] : line.items()) {
    if (IsHeadField(key)) continue;
    out += " " + EscapeControls(key) + "=" + EscapeControls(ValueText(value));
  }
  return out;
}

}  // namespace runlake
