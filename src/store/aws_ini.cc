// See aws_ini.h for the rules; they follow Python's configparser (strict mode) and
// botocore's _parse_nested, because the AWS CLI is what people check their files with.

#include "store/aws_ini.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace runlake::aws {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), ::tolower);
  return out;
}

// configparser splits at the first '=' or ':', whichever comes first.
bool SplitKeyValue(std::string_view line, std::string* key, std::string* value) {
  size_t at = line.find_first_of("=:");
  if (at == std::string_view::npos) return false;
  *key = Lower(Trim(line.substr(0, at)));
  *value = std::string(Trim(line.substr(at + 1)));
  return !key->empty();
}

class Parser {
 public:
  explicit Parser(const std::string& path) : path_(path) {}

  Status Line(std::string_view raw, int number) {
    line_ = number;
    std::string_view line = Trim(raw);
    if (line.empty()) {
      // configparser ends a multi-line value at an empty line only for comments-free
      // values; nested blocks continue after blank lines in botocore too. Keep state.
      return Status::OK();
    }
    if (line.front() == '#' || line.front() == ';') return Status::OK();
    bool indented = std::isspace(static_cast<unsigned char>(raw.front()));
    if (indented && !last_key_.empty()) return Continuation(line);
    if (line.front() == '[') return Section(line);
    if (sections_.empty()) return Error("a key outside any section (add a [section] line first)");
    std::string key, value;
    if (!SplitKeyValue(line, &key, &value)) return Error("not 'key = value'");
    auto& values = sections_.back().values;
    if (values.count(key) || nested_parents_.count(key)) return Error("duplicate key '" + key + "'");
    last_key_ = key;
    if (value.empty()) {
      nested_parents_.insert(key);
    } else {
      values[key] = value;
    }
    return Status::OK();
  }

  IniFile Finish() { return IniFile{path_, std::move(sections_)}; }

 private:
  Status Section(std::string_view line) {
    size_t close = line.rfind(']');
    if (close == std::string_view::npos) return Error("a section header without ']'");
    std::string_view after = Trim(line.substr(close + 1));
    if (!after.empty() && after.front() != '#' && after.front() != ';') {
      return Error("text after the section header");
    }
    std::string name(Trim(line.substr(1, close - 1)));
    if (name.empty()) return Error("an empty section name");
    if (!seen_.insert(name).second) return Error("duplicate section [" + name + "]");
    sections_.push_back(IniSection{name, {}});
    last_key_.clear();
    nested_parents_.clear();
    return Status::OK();
  }

  Status Continuation(std::string_view line) {
    auto& values = sections_.back().values;
    if (nested_parents_.count(last_key_)) {  // "s3 =" then "  addressing_style = path"
      std::string key, value;
      if (!SplitKeyValue(line, &key, &value)) {
        return Error("not 'key = value' under '" + last_key_ + " ='");
      }
      values[last_key_ + "." + key] = value;
      return Status::OK();
    }
    values[last_key_] += "\n" + std::string(line);  // a multi-line value
    return Status::OK();
  }

  Status Error(const std::string& what) const {
    std::string where = sections_.empty() ? "" : " in [" + sections_.back().name + "]";
    return Status::InvalidArgument("AWS file '" + path_ + "' line " + std::to_string(line_) +
                                   where + ": " + what);
  }

  std::string path_;
  int line_ = 0;
  std::vector<IniSection> sections_;
  std::set<std::string> seen_;
  std::string last_key_;                  // the key an indented line continues
  std::set<std::string> nested_parents_;  // keys of this section with an empty value
};

}  // namespace

Result<IniFile> ParseAwsIni(std::string_view text, const std::string& path) {
  Parser parser(path);
  int number = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    RUNLAKE_RETURN_NOT_OK(parser.Line(line, ++number));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return parser.Finish();
}

}  // namespace runlake::aws
