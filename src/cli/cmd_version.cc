// runlake version [--json] and runlake --version: what this binary is, so an operator can
// match it to the `code_version` in the manifests it wrote.

#include <iostream>

#include "cli/cli_context.h"
#include "runlake/lake_query.h"
#include "runlake/version.h"

namespace runlake::cli {

std::string VersionText() {
  return "runlake " + RunlakeVersion() + "\n" + "commit       " + GitCommit() + "\n" +
         "duckdb       " + QueryEngineVersion() + "\n" + "lake format  " +
         std::to_string(kLakeFormatVersion) + "\n" + "code version " + CodeVersion();
}

void RegisterVersion(CLI::App& app, CliContext& ctx, int& exit_code) {
  auto* cmd = app.add_subcommand("version",
                                 "Show runlake's version, git commit, DuckDB's "
                                 "version and the lake format it writes");
  cmd->callback([&ctx] {
    if (ctx.json) {
      ctx.PrintJson({{"version", RunlakeVersion()},
                     {"git_commit", GitCommit()},
                     {"duckdb_version", QueryEngineVersion()},
                     {"lake_format_version", kLakeFormatVersion},
                     {"code_version", CodeVersion()}});
    } else {
      std::cout << VersionText() << "\n";
    }
  });
}

}  // namespace runlake::cli
