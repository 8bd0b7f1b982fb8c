#pragma once
// Human summaries of executions and runs, shared by run, executions and runs.

#include "runlake/execution.h"
#include "runlake/run_manifest.h"

namespace runlake::cli {

void PrintExecutionSummary(const ExecutionRecord& rec);
void PrintRunManifest(const RunManifest& m);

}  // namespace runlake::cli
