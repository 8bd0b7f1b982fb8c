// The docs only use commands and flags that exist: every `runlake …` line in a shell block
// of docs/runbook.md and README.md names a real subcommand path, and each --flag it uses
// is in that subcommand's --help (or is a global option).

#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>

#include "cli_runner.h"

namespace runlake::it {
namespace {

// The `runlake …` commands of the ```sh blocks, continuation lines joined.
std::vector<std::string> DocCommands(const std::string& markdown) {
  std::vector<std::string> out;
  std::istringstream in(markdown);
  std::string line, pending;
  bool in_sh = false;
  while (std::getline(in, line)) {
    if (line.rfind("```", 0) == 0) {
      in_sh = !in_sh && line.find("sh") != std::string::npos;
      continue;
    }
    if (!in_sh) continue;
    if (!pending.empty()) {
      line = pending + " " + line;
      pending.clear();
    }
    if (!line.empty() && line.back() == '\\') {
      pending = line.substr(0, line.size() - 1);
      continue;
    }
    // Commands start a line, or follow `&&`, `;`, `|` or a loop's `do`.
    std::string cleaned = std::regex_replace(line, std::regex("\"[^\"]*\"|'[^']*'"), "X");
    size_t hash = cleaned.find('#');
    if (hash != std::string::npos) cleaned = cleaned.substr(0, hash);
    for (std::string sep : {"&&", ";", "|", " do "}) {
      size_t p;
      while ((p = cleaned.find(sep)) != std::string::npos) cleaned.replace(p, sep.size(), "\n");
    }
    std::istringstream parts(cleaned);
    std::string part;
    while (std::getline(parts, part)) {
      part = std::regex_replace(part, std::regex("^\\s+|\\s+$"), "");
      if (part.rfind("runlake ", 0) == 0) out.push_back(part);
    }
  }
  return out;
}

std::vector<std::string> Words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> w;
  std::string t;
  while (in >> t) w.push_back(t);
  return w;
}

// Subcommand names listed in a --help text ("Subcommands:" section).
std::set<std::string> SubcommandsIn(const std::string& help) {
  std::set<std::string> names;
  size_t at = help.find("Subcommands:\n");
  if (at == std::string::npos) return names;
  std::istringstream in(help.substr(at + 13));
  std::string line;
  std::regex nested("^  ([a-z][a-z-]*)( {2,}.*)?$");
  std::regex top("^([a-z][a-z-]*)$");
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_match(line, m, nested) || std::regex_match(line, m, top)) names.insert(m[1]);
  }
  return names;
}

class DocCommandsTest : public ::testing::TestWithParam<std::string> {};

TEST_P(DocCommandsTest, EveryCommandAndFlagExists) {
  TempDir scratch;
  std::string doc = ReadFile(std::string(RUNLAKE_SOURCE_DIR) + "/" + GetParam());
  ASSERT_FALSE(doc.empty()) << GetParam();
  std::vector<std::string> commands = DocCommands(doc);
  ASSERT_GE(commands.size(), 10u) << GetParam();
  std::map<std::string, std::string> help_cache;
  auto help = [&](const std::vector<std::string>& chain) -> const std::string& {
    std::string k;
    for (const auto& c : chain) k += c + " ";
    if (!help_cache.count(k)) {
      std::vector<std::string> args = chain;
      args.push_back("--help");
      CmdResult r = RunBinary(args, scratch.path());
      help_cache[k] = r.exit_code == 0 ? r.out : "";
    }
    return help_cache[k];
  };
  const std::set<std::string> globals = {"--lake", "--state", "--json", "--version", "--help"};
  for (const std::string& cmd : commands) {
    std::vector<std::string> words = Words(cmd);
    std::vector<std::string> chain;
    size_t i = 1;
    while (i < words.size()) {
      std::set<std::string> subs = SubcommandsIn(help(chain));
      if (subs.empty()) break;
      // Global options may come before the subcommand.
      while (i < words.size() && globals.count(words[i].substr(0, words[i].find('=')))) {
        i += (words[i] == "--lake" || words[i] == "--state") ? 2 : 1;
      }
      if (i >= words.size()) break;
      ASSERT_TRUE(subs.count(words[i]))
          << GetParam() << ": '" << cmd << "': '" << words[i]
          << "' is not a subcommand of 'runlake " << (chain.empty() ? "" : chain.back()) << "'";
      chain.push_back(words[i++]);
    }
    const std::string& h = help(chain);
    ASSERT_FALSE(h.empty()) << cmd;
    for (; i < words.size(); ++i) {
      std::string w = std::regex_replace(words[i], std::regex("^\\[|\\]$"), "");
      if (w.rfind("--", 0) != 0 || w.size() < 3) continue;
      std::string flag = w.substr(0, w.find('='));
      if (globals.count(flag)) continue;
      EXPECT_TRUE(std::regex_search(h, std::regex("(^|[ ,])" + flag + "( |,|$|\n|=)")))
          << GetParam() << ": '" << cmd << "' uses " << flag << ", which 'runlake " << chain.back()
          << " --help' does not list";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Docs, DocCommandsTest, ::testing::Values("docs/runbook.md", "README.md"),
                         [](const auto& info) {
                           return info.param == "README.md" ? std::string("Readme")
                                                            : std::string("Runbook");
                         });

}  // namespace
}  // namespace runlake::it
