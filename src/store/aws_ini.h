#pragma once
// The AWS shared config and credentials files, read as botocore (the AWS CLI) reads
// them: Python configparser rules plus botocore's nested sub-properties.
//   - "[name]" sections; "key = value" or "key: value"; keys lower-cased, values trimmed.
//   - Whole-line comments start with '#' or ';' (after optional spaces); there are no
//     inline comments in values ("key = a # b" is "a # b"), but "[default] # x" is fine.
//   - An indented line continues the key above: below a key with an empty value it is a
//     sub-property ("s3 =\n  addressing_style = path" -> "s3.addressing_style"), below a
//     key with a value it is appended to the value after a newline.
//   - A key before any section, a line that is not "key = value", a duplicate section or
//     a duplicate key are errors (configparser's strict mode), naming file, line, section.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "runlake/status.h"

namespace runlake::aws {

struct IniSection {
  std::string name;                           // as written between the brackets, trimmed
  std::map<std::string, std::string> values;  // sub-properties as "parent.child"
};

struct IniFile {
  std::string path;
  std::vector<IniSection> sections;  // in file order
};

// Parses `text`; `path` only names the file in errors (InvalidArgument).
Result<IniFile> ParseAwsIni(std::string_view text, const std::string& path);

}  // namespace runlake::aws
