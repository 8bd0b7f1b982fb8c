// credential_process: the command is split like a shell line and run without a shell (as
// botocore does); its stderr goes to ours (a helper's prompts and errors stay visible),
// its stdout is the JSON answer and is never quoted in a message: it holds the secret.

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <nlohmann/json.hpp>

#include "store/credential_providers.h"
#include "store/credentials_json.h"

extern char** environ;

namespace runlake::aws {
namespace {

// Runs argv, returns its stdout and exit status.
Result<std::pair<std::string, int>> RunCapturingStdout(const std::vector<std::string>& argv) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Status::IOError(std::string("pipe: ") + strerror(errno));
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid;
  int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    return Status::FailedPrecondition("cannot run '" + argv[0] + "': " + strerror(rc));
  }
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof(buf))) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    if (out.size() < (1u << 20)) out.append(buf, size_t(n));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return std::make_pair(std::move(out), code);
}

class ProcessProvider : public CredentialsProvider {
 public:
  ProcessProvider(std::string profile, std::string command)
      : profile_(std::move(profile)), command_(std::move(command)) {}
  std::string Name() const override { return "process:" + profile_; }
  std::string Profile() const override { return profile_; }

  Result<Credentials> Fetch() override {
    std::string what = "credential_process of profile '" + profile_ + "'";
    Result<std::vector<std::string>> argv = SplitCommandLine(command_);
    if (!argv.ok()) return argv.status().WithContext(what);
    if (argv->empty()) return Status::InvalidArgument(what + " is empty");
    Result<std::pair<std::string, int>> run = RunCapturingStdout(*argv);
    if (!run.ok()) return run.status().WithContext(what);
    if (run->second != 0) {
      return Status::FailedPrecondition(what + " ('" + (*argv)[0] + "') exited with status " +
                                        std::to_string(run->second));
    }
    nlohmann::json j = nlohmann::json::parse(run->first, nullptr, false);
    if (!j.is_object() || !j.contains("Version") || j["Version"] != 1) {
      return Status::IOError(what + ": stdout is not a JSON object with \"Version\": 1");
    }
    return CredentialsFromJson(run->first, what);
  }

 private:
  std::string profile_, command_;
};

}  // namespace

Result<std::vector<std::string>> SplitCommandLine(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quote == '\'') {
      if (c == '\'') quote = 0;
      else cur += c;
    } else if (quote == '"') {
      if (c == '"') quote = 0;
      else if (c == '\\' && i + 1 < line.size() && std::strchr("\"\\$`", line[i + 1])) cur += line[++i];
      else cur += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == '\\' && i + 1 < line.size()) {
      cur += line[++i];
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) out.push_back(std::move(cur));
      cur.clear();
      in_word = false;
    } else {
      cur += c;
      in_word = true;
    }
  }
  if (quote) return Status::InvalidArgument("an unclosed quote in the command line");
  if (in_word) out.push_back(std::move(cur));
  return out;
}

std::unique_ptr<CredentialsProvider> NewProcessProvider(std::string profile, std::string command) {
  return std::make_unique<ProcessProvider>(std::move(profile), std::move(command));
}

}  // namespace runlake::aws
