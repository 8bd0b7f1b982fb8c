#pragma once
// What every subcommand shares: the global options, the lake and state store (opened on
// first use), output in text or --json, and the mapping from Status to exit codes.

#include <CLI/CLI.hpp>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "state/state_store.h"
#include "runlake/dataset_revisions.h"
#include "runlake/object_store.h"

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

class CliContext {
 public:
  std::string lake_uri;   // --lake, else $RUNLAKE_LAKE, else ./lake
  std::string state_uri;  // --state, else beside the lake
  bool json = false;      // --json

  // The lake, which must exist (`_lake.json`, written by `init` and `ingest`): a command on
  // a path that is not a lake says so (exit 2) rather than showing an empty lake or
  // creating state there.
  Result<ObjectStore*> Store();
  // For `init` and `ingest`: opens the lake and writes `_lake.json` if it is missing.
  // Returns whether this call created it.
  Result<bool> CreateLake();
  Result<StateStore*> State();
  // A SQLite state path the user named (--state, $RUNLAKE_STATE) must be in a folder that
  // exists: a mistyped one would otherwise become a new, empty store that no later command
  // finds (InvalidArgument naming it). The default path is runlake's choice: its folder is
  // made as needed.
  Status CheckStatePath() const;
  // The state store's URI: --state, else the default SQLite file for the lake.
  std::string StateUri() const;
  // Where execution logs live: beside the state database (for PostgreSQL, where the
  // default SQLite file would be: logs stay on the machine that ran the execution).
  Result<std::string> LogDir();
  // The bucket of an s3:// lake, "" otherwise.
  std::string LakeBucket() const;
  // A PostgreSQL state store: backfills default to queue mode (workers do the dates).
  bool StateIsPostgres() const;

  // Prints the error to stderr as "runlake: <message>" and returns its exit code.
  int Fail(const Status& st) const;
  void PrintJson(const nlohmann::json& j) const;

 private:
  std::string DefaultStatePath() const;
  Result<ObjectStore*> OpenStore();
  bool lake_checked_ = false;
  std::unique_ptr<ObjectStore> store_;
  std::unique_ptr<StateStore> state_;
};

// A dataset contract file's bytes (cmd_dataset.cc): NotFound when it cannot be read,
// InvalidArgument for a directory or a file past 4 MiB.
Result<std::string> ReadContractFile(const std::string& path);
// `run`/`backfill`'s --contract FILE (read and loaded now, so a bad file exits 2 before
// anything starts) or --contract-revision N (0: the newest).
Result<RunContractChoice> ContractChoice(const std::string& contract_path, int64_t revision);

// A subcommand registers itself on the app; its callback stores the exit code.
using CommandRegistrar = void (*)(CLI::App& app, CliContext& ctx, int& exit_code);

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
