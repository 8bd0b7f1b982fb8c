// Merging the two shared files into profiles (see aws_profiles.h).

#include "store/aws_profiles.h"

#include <sstream>
#include <vector>

#include "store/aws_ini.h"
#include "store/credentials.h"

namespace runlake::aws {
namespace {

std::vector<std::string> Words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

Result<IniFile> LoadIni(const std::string& path) {
  Result<std::string> text = ReadSmallFile(path, "AWS file");
  if (!text.ok()) {
    if (text.status().IsNotFound()) return IniFile{path, {}};
    return text.status();
  }
  return ParseAwsIni(*text, path);
}

void Merge(Profile& into, const IniSection& section, const std::string& file) {
  for (const auto& [k, v] : section.values) into[k] = ProfileValue{v, file};
}

}  // namespace

std::string AwsProfiles::Get(const std::string& name, const std::string& key) const {
  const Profile* p = Find(name);
  if (!p) return "";
  auto it = p->find(key);
  return it == p->end() ? "" : it->second.value;
}

std::string AwsProfiles::Where(const std::string& name, const std::string& key) const {
  std::string file;
  if (const Profile* p = Find(name)) {
    auto it = p->find(key);
    if (it != p->end()) file = it->second.file;
    else if (!p->empty()) file = p->begin()->second.file;
  }
  if (file.empty()) file = config_path;
  const char* kind = file == credentials_path ? "the credentials file" : "the config file";
  return std::string(kind) + " '" + file + "'";
}

Result<AwsProfiles> LoadAwsProfiles(const AwsEnv& env) {
  AwsProfiles out;
  out.config_path = env.ExpandHome(env.Has("AWS_CONFIG_FILE") ? env.Get("AWS_CONFIG_FILE")
                                                              : "~/.aws/config");
  out.credentials_path = env.ExpandHome(env.Has("AWS_SHARED_CREDENTIALS_FILE")
                                            ? env.Get("AWS_SHARED_CREDENTIALS_FILE")
                                            : "~/.aws/credentials");
  RUNLAKE_ASSIGN_OR_RAISE(IniFile config, LoadIni(out.config_path));
  RUNLAKE_ASSIGN_OR_RAISE(IniFile creds, LoadIni(out.credentials_path));
  // "[profile default]" wins over "[default]" in the config file, as in botocore.
  for (const IniSection& s : config.sections) {
    std::vector<std::string> w = Words(s.name);
    if (s.name == "default") {
      if (!out.profiles.count("default")) Merge(out.profiles["default"], s, config.path);
    } else if (w.size() == 2 && w[0] == "profile") {
      if (w[1] == "default") out.profiles["default"].clear();
      Merge(out.profiles[w[1]], s, config.path);
    } else if (w.size() == 2 && w[0] == "sso-session") {
      Merge(out.sso_sessions[w[1]], s, config.path);
    }
  }
  for (const IniSection& s : creds.sections) Merge(out.profiles[s.name], s, creds.path);
  return out;
}

std::string SelectedProfileName(const AwsEnv& env) {
  if (env.Has("AWS_PROFILE")) return env.Get("AWS_PROFILE");
  if (env.Has("AWS_DEFAULT_PROFILE")) return env.Get("AWS_DEFAULT_PROFILE");
  return "default";
}

}  // namespace runlake::aws
