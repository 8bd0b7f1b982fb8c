#pragma once
// What every subcommand shares: the global options, the lake and state store (opened on
// first use), output in text or --json, and the mapping from Status to exit codes.

#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "runlake/dataset_revisions.h"
#include "runlake/lake_session.h"

namespace runlake::cli {

// DESIGN.md: 0 success, 1 failed job or refused action, 2 bad usage or bad input.
enum ExitCode { kExitOk = 0, kExitFailed = 1, kExitBadInput = 2 };

int ExitCodeFor(const Status& st);
// `{"error": {"message", "code", "exit_code"}}` on stdout: what --json prints on failure.
void PrintJsonError(const std::string& message, const std::string& code, int exit_code);

// A whole number >= 1 given by the user; `what` starts the message for anything else.
inline CLI::Validator WholeNumberAtLeastOne(const std::string& what, const std::string& hint,
                                            const std::string& name) {
  return CLI::Validator(
      [what, hint](std::string& v) -> std::string {
        try {
          size_t used = 0;
          long long n = std::stoll(v, &used);
          if (used == v.size() && n >= 1) return "";
        } catch (const std::exception&) {
        }
        return what + " a whole number >= 1, not '" + v + "'" + hint;
      },
      name);
}

// A pointer version given by the user (--to, --at-version) is >= 1: 0 or a negative number
// is bad input, never "the default" (that is leaving the option out).
inline CLI::Validator PointerVersionNumber() {
  return WholeNumberAtLeastOne("a pointer version is", " (leave the option out for the newest)", "VERSION>=1");
}

// A count given by the user (--limit, --page) is a whole number >= 1: 0 or a negative
// number is bad input, never "no limit" (that is leaving the option out).
inline CLI::Validator CountAtLeastOne() { return WholeNumberAtLeastOne("must be", "", "N>=1"); }

// The global options and output of one `runlake` invocation; the lake and state store
// are a LakeSession (the library's own way to open them).
// What a command needs before its handler runs (the command table in main.cc says which);
// opened in Handle, so a missing lake or state store is reported the same way by all.
enum class Needs { kNothing, kLake, kLakeAndState };

class CliContext : public LakeSession {
 public:
  bool json = false;  // --json
  Needs needs = Needs::kNothing;  // set by the command table for the command being run

  // The one place a Status becomes an exit code and an error report: wraps a handler as a
  // CLI11 callback that opens what the command needs, runs it, and on an error prints
  // "runlake: <message>" to stderr (and the JSON error object on stdout with --json) and
  // stores its exit code (ExitCodeFor). A handler that succeeds may still set `exit_code`
  // itself (a check with findings, a failed run it reports): that is its verdict, not an
  // error.
  std::function<void()> Handle(int& exit_code, std::function<Status()> handler);
  // The error that ends this command came from SIGINT/SIGTERM: exit 128+signo.
  void ExitBySignal(int signo) { signal_ = signo; }

  void PrintJson(const nlohmann::json& j) const;

 private:
  int Fail(const Status& st) const;
  int signal_ = 0;
};

// A dataset contract file's bytes (cmd_dataset.cc): NotFound when it cannot be read,
// InvalidArgument for a directory or a file past 4 MiB.
Result<std::string> ReadContractFile(const std::string& path);
// `run`/`backfill`'s --contract FILE (read and loaded now, so a bad file exits 2 before
// anything starts) or --contract-revision N (0: the newest).
Result<RunContractChoice> ContractChoice(const std::string& contract_path, int64_t revision);

// A file the user named, read whole: a directory is InvalidArgument ("<path> is a
// directory, not a <noun>"), an unreadable one NotFound, and one past `max_bytes` is refused
// before it is read all ("<path> is larger than <too_large>").
Result<std::string> ReadUserFile(const std::string& path, size_t max_bytes, const std::string& noun,
                                 const std::string& too_large);

// A subcommand registers itself on the app: its options, and handlers wrapped by Handle.
using CommandRegistrar = void (*)(CLI::App& app, CliContext& ctx, int& exit_code);

// A row of the command table (the git `commands[]` idea): a top-level command, what it
// needs opened before it runs, and the function that adds it.
struct Command {
  const char* name;
  Needs needs;
  CommandRegistrar add;
};

void RegisterInit(CLI::App&, CliContext&, int&);
void RegisterIngest(CLI::App&, CliContext&, int&);
void RegisterSample(CLI::App&, CliContext&, int&);
void RegisterRun(CLI::App&, CliContext&, int&);
void RegisterExecutions(CLI::App&, CliContext&, int&);
void RegisterRuns(CLI::App&, CliContext&, int&);
void RegisterQuery(CLI::App&, CliContext&, int&);
void RegisterLogs(CLI::App&, CliContext&, int&);
void RegisterPromote(CLI::App&, CliContext&, int&);
void RegisterRollback(CLI::App&, CliContext&, int&);
void RegisterPointer(CLI::App&, CliContext&, int&);
void RegisterGold(CLI::App&, CliContext&, int&);
void RegisterTrace(CLI::App&, CliContext&, int&);
void RegisterBackfill(CLI::App&, CliContext&, int&);
void RegisterState(CLI::App&, CliContext&, int&);
void RegisterWorker(CLI::App&, CliContext&, int&);
void RegisterWorkers(CLI::App&, CliContext&, int&);
void RegisterQueue(CLI::App&, CliContext&, int&);
void RegisterCheck(CLI::App&, CliContext&, int&);
void RegisterCatalog(CLI::App&, CliContext&, int&);
void RegisterVersion(CLI::App&, CliContext&, int&);
void RegisterBronze(CLI::App&, CliContext&, int&);
void RegisterServe(CLI::App&, CliContext&, int&);
void RegisterDataset(CLI::App&, CliContext&, int&);

// The text `runlake --version` and `runlake version` print (no trailing newline).
std::string VersionText();

}  // namespace runlake::cli
