#pragma once
// The publishing half of a run (run_pipeline.cc): staged files into their lake keys, the
// run's figures, the quality gate, each silver partition's _SUCCESS, the metric log lines.

#include <map>
#include <string>
#include <vector>

#include "engine/run_writer.h"
#include "ingest/transform.h"
#include "runlake/object_store.h"
#include "runlake/rules.h"
#include "runlake/run.h"
#include "runlake/run_manifest.h"

namespace runlake {

// Next part number per lake directory, shared by every source of a run: two sources with
// rows in one silver month write part-00000 and part-00001 side by side, never over.
using PartNumbers = std::map<std::string, int>;

// The lake keys of one source's staged files (rejects under its `ingest_date`), numbered
// after the parts earlier sources took in the same directories. Cheap: sources read in
// parallel call it under one lock and upload outside it.
std::vector<std::string> ReservePartKeys(const std::vector<WrittenFile>& written,
                                         const RunManifest& m, const std::string& ingest_date,
                                         PartNumbers* parts);

// Moves staged files of one source into `keys` (ReservePartKeys, same order).
Result<std::vector<RunFile>> PublishFiles(ObjectStore& store, const std::vector<WrittenFile>& written,
                                          const std::vector<std::string>& keys,
                                          const std::string& ingest_date);

// Adds one source's counts to the run's metrics.
void AddSourceFigures(const TransformStats& stats, RunMetrics* metrics);

QualityGateResult EvaluateGate(const RunMetrics& m, const QualityGate& gate);

// One _SUCCESS per silver partition of the run, with the rows of every source in it.
Status WriteSuccessMarkers(ObjectStore& store, const RunManifest& m);

void LogRunMetrics(const RunManifest& m, const RunLogger& log);

}  // namespace runlake
