// ExecuteRun: validate everything that can be checked cheaply, claim the run_id, stream
// each bronze source through its own validator into staged Parquet, move the files into the
// lake, write each partition's _SUCCESS, and commit with the manifest.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "runlake/clock.h"
#include "runlake/builtin_contracts.h"
#include "runlake/contract.h"
#include "runlake/dataset_revisions.h"
#include "runlake/derived_binding.h"
#include "common/parallel.h"
#include "engine/engine.h"
#include "engine/run_writer.h"
#include "ingest/transform.h"
#include "ledger/bronze_check.h"
#include "pipeline/previous_attempts.h"
#include "ledger/run_claim.h"
#include "pipeline/run_commit.h"
#include "ledger/staging.h"
#include "runlake/run_index.h"
#include "runlake/run_manifest.h"
#include "runlake/run.h"
#include "runlake/run_delete.h"
#include "runlake/version.h"

namespace runlake {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// The silver columns a run of `version` writes (SilverDataColumns): its own columns by name,
// its derived columns by their expressions, NULL for the other versions'.
std::vector<SilverColumn> SilverColumnsFor(const Contract& contract, const std::string& version) {
  const SchemaVersion* v = contract.FindSchema(version);
  std::vector<SilverColumn> out;
  for (const SilverDataColumn& c : SilverDataColumns(contract)) {
    SilverColumn col{c.name, c.type.SqlType(), "NULL", false};
    if (v->FindColumn(c.name) != nullptr) col.expr = Engine::QuoteIdentifier(c.name);
    for (const DerivedColumn& d : v->derived) {
      if (d.name == c.name) {
        col.expr = "(" + d.expr + ")";
        col.derived = true;
      }
    }
    out.push_back(std::move(col));
  }
  return out;
}

// The gate a run is judged by: the rules file's when it gives one, else the contract's.
QualityGate GateFor(const Rules& rules, const Contract& contract) {
  if (rules.Gives("gate")) return rules.gate;
  return QualityGate{contract.gate.max_quarantine_rate, contract.gate.max_condemned_rows};
}

// One bronze object of the run.
struct Source {
  std::string key;
  BronzeKeyParts parts;
  uint64_t size = 0;
  std::optional<IngestedObject> ingested;  // what its ingest record says it is
};

// Parses and finds every source. A run is one dataset, and one source per ingest_date:
// the pointer maps an ingest_date to one run, and duplicates are checked per source.
Result<std::vector<Source>> FindSources(ObjectStore& store, const RunRequest& req) {
  if (req.source_keys.empty()) return Status::InvalidArgument("the run has no bronze source");
  std::vector<Source> sources;
  std::set<std::string> dates;
  for (const auto& key : req.source_keys) {
    Source s;
    s.key = key;
    RUNLAKE_ASSIGN_OR_RAISE(s.parts, ParseBronzeKey(key));
    if (!sources.empty() && !(s.parts.dataset == sources.front().parts.dataset)) {
      return Status::InvalidArgument("sources '" + sources.front().key + "' and '" + key +
                                     "' belong to different datasets; a run reads one dataset");
    }
    if (!dates.insert(s.parts.ingest_date).second) {
      return Status::InvalidArgument("two sources of ingest_date " + s.parts.ingest_date +
                                     " in one run (" + key + "); a run reads one object per date");
    }
    RUNLAKE_ASSIGN_OR_RAISE(auto head, store.Head(key));
    if (!head) {
      return Status::NotFound("bronze object '" + key + "' not found in " + store.uri() +
                              " (check s3_key in the input JSON)");
    }
    s.size = head->size;
    RUNLAKE_ASSIGN_OR_RAISE(s.ingested, LoadIngestedObject(store, s.parts, key));
    if (s.ingested) RUNLAKE_RETURN_NOT_OK(CheckIngestedSize(key, *s.ingested, s.size));
    sources.push_back(std::move(s));
  }
  return sources;
}

// Extra columns named in the one WARN line (all of them are counted).
constexpr size_t kExtraColumnsNamed = 20;

// A source being read: its transformer, and what checks the object against its ingest
// record once the transformer has read it to the end.
struct OpenedSource {
  std::unique_ptr<AttemptSpill> earlier;  // the transformer's earlier attempts (or null)
  std::unique_ptr<RowTransformer> transformer;
  HashingReader* hashing = nullptr;  // owned by the transformer; null without a record
};

// Opens a source for reading; reading the header here makes a bad file fail at once.
Result<OpenedSource> OpenSource(ObjectStore& store, const RunRequest& req, const Contract& contract,
                                const Source& source, std::unique_ptr<AttemptSpill> earlier,
                                const std::string& spill_dir, const RunLogger& log) {
  TransformOptions topts;
  topts.contract = &contract;
  topts.rules = req.rules;
  topts.schema_version = req.schema_version;
  topts.source_name = source.key;
  topts.ingest_date = source.parts.ingest_date;
  topts.earlier_attempts = earlier.get();
  // Past a million distinct IDs, duplicates are found by a second reading of the object
  // through temp files in the staging dir, so a bigger file needs no more memory.
  topts.reopen = [&store, key = source.key] { return store.OpenRead(key); };
  topts.spill_dir = spill_dir;
  OpenedSource out;
  out.earlier = std::move(earlier);
  RUNLAKE_ASSIGN_OR_RAISE(std::unique_ptr<ObjectReader> reader, store.OpenRead(source.key));
  if (source.ingested) {
    auto hashing = std::make_unique<HashingReader>(std::move(reader));
    out.hashing = hashing.get();
    reader = std::move(hashing);
  }
  RUNLAKE_ASSIGN_OR_RAISE(out.transformer, RowTransformer::Open(std::move(reader), topts));
  const auto& extra = out.transformer->stats().extra_columns;
  if (log && !extra.empty()) {
    // One line however many there are: a header of 10,000 columns is one finding.
    std::string names;
    for (size_t i = 0; i < extra.size() && i < kExtraColumnsNamed; ++i) {
      names += (i == 0 ? "'" : ", '") + extra[i] + "'";
    }
    if (extra.size() > kExtraColumnsNamed) {
      names += " and " + std::to_string(extra.size() - kExtraColumnsNamed) + " more";
    }
    log("WARN",
        std::to_string(extra.size()) + " extra column" + (extra.size() == 1 ? "" : "s") +
            " in " + source.key + " ignored: " + names,
        json{{"extra_columns", extra.size()}});
  }
  return out;
}

// Everything a run needs between its claim and its commit, shared by the sources' readers.
struct RunContext {
  ObjectStore& store;
  const RunRequest& req;
  const Staging& staging;
  const std::vector<RunManifest>& committed;  // for loop prevention
  const RunLogger& log;                       // serialised: any reader may call it
  const RunManifest& m;  // run_id, dataset, schema_version: fixed before the readers start
  const Contract& contract;
  int64_t ingestion_micros = UnixMicrosNow();  // one for every row of the run
};

// What reading one source hands back; merged into the manifest in the sources' order.
struct SourceResult {
  TransformStats stats;
  std::vector<RunFile> files;
  uint64_t bytes_written = 0;
  double previous_attempts_seconds = 0, transform_seconds = 0, publish_seconds = 0;
};

// What the readers of one run share: the part numbers of the lake directories they write
// into, the idle engines, and whether one of them failed (the others then stop early).
struct SourceReaders {
  std::mutex mu;  // guards parts, idle_engines, first_error
  PartNumbers parts;
  std::vector<Engine*> idle_engines;
  Status first_error;
  std::atomic<bool> failed{false};
};

// How a run reads its sources: one reader per core, at most one per source, each with its
// own DuckDB engine of cores / readers threads (0: DuckDB's default, one per core) and its
// own transform thread, so a run's memory grows with the readers (about one single-source
// run's each).
struct ReaderPlan {
  size_t readers = 1;
  int engine_threads = 0;
};

ReaderPlan PlanReaders(size_t sources) {
  const size_t cores = std::max(1u, std::thread::hardware_concurrency());
  ReaderPlan plan;
  plan.readers = std::max<size_t>(1, std::min(sources, cores));
  if (plan.readers > 1) plan.engine_threads = static_cast<int>(std::max<size_t>(1, cores / plan.readers));
  return plan;
}

// Transforms one source into staged Parquet and moves its files into the lake. `first` is
// the source's transformer when already open (the first one).
Result<SourceResult> ReadSource(RunContext& ctx, const Source& source, size_t index,
                                OpenedSource first, Engine& engine, SourceReaders& readers) {
  SourceResult out;
  const RunManifest& m = ctx.m;
  auto phase = Clock::now();
  OpenedSource opened = std::move(first);
  if (!opened.transformer) {
    RUNLAKE_ASSIGN_OR_RAISE(auto previous,
                            LoadPreviousAttempts(ctx.store, engine, ctx.committed, source.parts,
                                                 ctx.staging.dir()));
    out.previous_attempts_seconds = SecondsSince(phase);
    RUNLAKE_ASSIGN_OR_RAISE(opened, OpenSource(ctx.store, ctx.req, ctx.contract, source,
                                               std::move(previous),
                                               ctx.staging.dir(), ctx.log));
  }
  RowTransformer* transformer = opened.transformer.get();
  phase = Clock::now();
  RunWriteSpec spec;
  spec.staging_dir = ctx.staging.dir() + "/out-" + std::to_string(index);
  spec.run_id = m.run_id;
  spec.schema_v = m.schema_version;
  spec.ingest_date = source.parts.ingest_date;
  spec.source_key = source.key;
  spec.ingestion_micros = ctx.ingestion_micros;
  spec.fields = transformer->fields();
  spec.silver_columns = SilverColumnsFor(ctx.contract, m.schema_version);
  spec.final_attempts = [transformer] { return transformer->ResolveAttempts(); };
  spec.max_attempts = transformer->max_attempts();
  const RunRequest& req = ctx.req;
  RUNLAKE_ASSIGN_OR_RAISE(
      auto written,
      WriteRun(engine, spec, [&](ValidRows* valid, RejectedRows* rejected) -> Result<bool> {
        if (req.cancelled && req.cancelled()) return Status::Aborted("run " + m.run_id + " was stopped");
        if (readers.failed.load()) return Status::Aborted("another source of the run failed");
        auto more = transformer->Next(valid, rejected);
        if (req.progress && more.ok()) {
          const TransformStats& now = transformer->stats();
          std::lock_guard<std::mutex> lock(readers.mu);
          req.progress(RunProgress{index, req.source_keys.size(), now.bytes_read, source.size,
                                   now.input_rows, now.valid_rows, now.quarantined_rows,
                                   now.condemned_rows});
        }
        return more;
      }));
  out.transform_seconds = SecondsSince(phase);
  // The transformer read the object to its end: nothing of it is published unless those
  // were the bytes that were ingested.
  if (opened.hashing) RUNLAKE_RETURN_NOT_OK(opened.hashing->Verify(source.key, *source.ingested));

  out.stats = transformer->stats();
  if (out.stats.overlong_records > 0) {
    ctx.log("WARN",
            std::to_string(out.stats.overlong_records) + " record(s) of " + source.key +
                " longer than max_record_bytes (" + std::to_string(transformer->max_record_bytes()) +
                " bytes) quarantined as SCHEMA_ERROR, first at line " +
                std::to_string(out.stats.first_overlong_line) +
                " (raw_record keeps the first bytes; raise max_record_bytes in the rules or the "
                "contract to accept such records)",
            json{{"overlong_records", out.stats.overlong_records}});
  }
  for (const auto& w : written) out.bytes_written += w.bytes;
  phase = Clock::now();
  std::vector<std::string> keys;
  {
    std::lock_guard<std::mutex> lock(readers.mu);
    keys = ReservePartKeys(written, m, source.parts.ingest_date, &readers.parts);
  }
  RUNLAKE_ASSIGN_OR_RAISE(out.files,
                          PublishFiles(ctx.store, written, keys, source.parts.ingest_date));
  out.publish_seconds = SecondsSince(phase);
  // Staged copies are no longer needed: a long multi-source run keeps a source per reader
  // on disk.
  std::error_code ec;
  std::filesystem::remove_all(spec.staging_dir, ec);
  return out;
}

// Reads every source, up to one per engine at once; the first failure stops the others
// (at their next batch) and is the one returned.
Status ReadSources(RunContext& ctx, const std::vector<Source>& sources, OpenedSource first,
                   const std::vector<std::unique_ptr<Engine>>& engines, RunManifest* out) {
  SourceReaders readers;
  for (const auto& e : engines) readers.idle_engines.push_back(e.get());
  std::vector<SourceResult> results(sources.size());
  ParallelFor(sources.size(), static_cast<int>(engines.size()), [&](size_t i) {
    if (readers.failed.load()) return;
    Engine* engine = nullptr;
    {
      std::lock_guard<std::mutex> lock(readers.mu);
      engine = readers.idle_engines.back();  // as many engines as calls at once
      readers.idle_engines.pop_back();
    }
    if (sources.size() > 1) ctx.log("INFO", "source " + sources[i].key, json{{"index", i}});
    auto result = ReadSource(ctx, sources[i], i, i == 0 ? std::move(first) : OpenedSource{},
                             *engine, readers);
    std::lock_guard<std::mutex> lock(readers.mu);
    readers.idle_engines.push_back(engine);
    if (result.ok()) {
      results[i] = std::move(*result);
    } else if (!readers.failed.exchange(true)) {
      readers.first_error = result.status();
    }
  });
  if (readers.failed.load()) return readers.first_error;

  RunManifest& m = *out;
  for (size_t i = 0; i < sources.size(); ++i) {
    const SourceResult& r = results[i];
    AddSourceFigures(r.stats, &m.metrics);
    m.metrics.bytes_written += r.bytes_written;
    const auto& extra = r.stats.extra_columns;
    m.sources.push_back(RunSource{
        sources[i].parts.ingest_date, sources[i].key, sources[i].size, r.stats.input_rows,
        r.stats.valid_rows, r.stats.quarantined_rows, r.stats.condemned_rows,
        static_cast<int64_t>(extra.size()),
        {extra.begin(), extra.begin() + std::min(extra.size(), kExtraColumnsNamed)}});
    m.files.insert(m.files.end(), r.files.begin(), r.files.end());
    m.timings["previous_attempts_seconds"] += r.previous_attempts_seconds;
    m.timings["transform_seconds"] += r.transform_seconds;
    m.timings["publish_seconds"] += r.publish_seconds;
  }
  return Status::OK();
}

Status WriteAndCommit(RunContext& ctx, const std::vector<Source>& sources, OpenedSource first,
                      const std::vector<std::unique_ptr<Engine>>& engines,
                      Clock::time_point started, RunManifest* out) {
  RunManifest& m = *out;
  RUNLAKE_RETURN_NOT_OK(ReadSources(ctx, sources, std::move(first), engines, &m));
  m.gate = EvaluateGate(m.metrics, GateFor(ctx.req.rules, ctx.contract));
  m.metrics.duration_seconds = SecondsSince(started);
  m.completed_at = NowIso8601Utc();
  auto phase = Clock::now();
  RUNLAKE_RETURN_NOT_OK(WriteSuccessMarkers(ctx.store, m));
  m.timings["publish_seconds"] += SecondsSince(phase);
  m.metrics.duration_seconds = SecondsSince(started);

  // The commit point. Nothing may stop the run after the last check: a stop that comes
  // later finds a committed run (see RunRequest::before_commit).
  const RunRequest& req = ctx.req;
  if (req.cancelled && req.cancelled()) return Status::Aborted("run " + m.run_id + " was stopped");
  if (req.before_commit) RUNLAKE_RETURN_NOT_OK(req.before_commit());
  Status committed = ctx.store.PutIfAbsent(layout::RunManifestKey(m.run_id),
                                           ManifestToJson(m).dump(2) + "\n");
  if (committed.IsAlreadyExists()) {
    return Status::AlreadyExists("run_id '" + m.run_id + "' was committed by another writer");
  }
  RUNLAKE_RETURN_NOT_OK(committed);
  LogRunMetrics(m, ctx.log);
  return Status::OK();
}

// Claims the run_id, or takes over this process's own claim of it, left by an earlier try
// of the same execution that failed and could not remove it (S3 unreachable then): if
// that try committed after all (its answer lost), its manifest is the outcome; if not, its
// files go before this try writes. Another's claim stays a refusal (AlreadyExists).
Result<std::optional<RunManifest>> ClaimOrTakeOver(ObjectStore& store, const RunRequest& req,
                                                   const DatasetId& dataset, const std::string& source) {
  Status claimed = ClaimRunId(store, req.run_id, req.execution_name, source);
  if (!claimed.IsAlreadyExists()) {
    RUNLAKE_RETURN_NOT_OK(claimed);
    return std::optional<RunManifest>();
  }
  RUNLAKE_ASSIGN_OR_RAISE(bool ours, ClaimedByThisProcess(store, req.run_id, req.execution_name));
  if (!ours) return claimed;
  RUNLAKE_ASSIGN_OR_RAISE(std::optional<RunManifest> committed, LoadRunManifest(store, req.run_id));
  if (committed) return committed;
  RUNLAKE_RETURN_NOT_OK(DeleteRunFiles(store, dataset, req.run_id).status());
  return std::optional<RunManifest>();
}

}  // namespace

Result<RunManifest> ExecuteRun(ObjectStore& store, const RunRequest& req, const RunLogger& log) {
  auto started = Clock::now();
  RunManifest m;
  m.started_at = NowIso8601Utc();
  RUNLAKE_RETURN_NOT_OK(ValidateRunId(req.run_id));
  RUNLAKE_ASSIGN_OR_RAISE(std::vector<Source> sources, FindSources(store, req));
  m.run_id = req.run_id;
  m.dataset = sources.front().parts.dataset;
  m.execution_name = req.execution_name;
  m.execution_arn = req.execution_arn;
  m.schema_version = req.schema_version;
  m.rules_hash = req.rules.hash;
  m.trigger_source = req.trigger_source;
  m.trigger_event_id = req.trigger_event_id;
  m.s3_bucket = req.s3_bucket;
  m.code_version = CodeVersion();
  // Before the claim: a contract that does not load or lacks the schema version is bad
  // input, and nothing is written.
  RUNLAKE_ASSIGN_OR_RAISE(auto contract, ResolveRunContract(store, m.dataset, req.schema_version, req.contract));
  // A dataset without a contract keeps what every dataset had before contracts: the built-in
  // transactions contract's checks (DESIGN.md "Revisions"), and records no contract.
  const bool own_contract = contract.has_value();
  if (own_contract) {
    // A derived expression that does not bind is bad input: refused before anything is written.
    RUNLAKE_RETURN_NOT_OK(BindDerivedColumns(contract->contract));
    m.contract_revision = contract->revision;
    m.contract_sha256 = contract->sha256;
  } else {
    contract = RunContract{0, "", TransactionsContract()};
    if (contract->contract.FindSchema(req.schema_version) == nullptr) {
      return Status::InvalidArgument("unknown schema_version '" + req.schema_version +
                                     "' (dataset " + m.dataset.path() +
                                     " has no contract: its runs use the transactions schema, v1 "
                                     "or v2; `runlake dataset apply FILE` declares its own)");
    }
  }

  // Leftovers of runs whose process died (same liveness rule as claims) go first.
  (void)Staging::SweepDead(store);
  RUNLAKE_ASSIGN_OR_RAISE(Staging staging, Staging::Create(store, "run-" + req.run_id));
  // One engine per source read at once (PlanReaders); the first also serves the reads
  // before the claim.
  const ReaderPlan plan = PlanReaders(sources.size());
  std::vector<std::unique_ptr<Engine>> engines;
  for (size_t i = 0; i < plan.readers; ++i) {
    RUNLAKE_ASSIGN_OR_RAISE(auto engine, Engine::Open(EngineOptions{
                                             plan.engine_threads, "1GB",
                                             staging.dir() + "/duckdb_tmp-" + std::to_string(i)}));
    engines.push_back(std::move(engine));
  }
  Engine& engine = *engines.front();

  // Loop prevention reads the rejects of earlier committed runs of each source.
  auto phase = Clock::now();
  RUNLAKE_ASSIGN_OR_RAISE(RunListing listing, ListRuns(store));
  const std::vector<RunManifest>& committed = listing.runs;
  RUNLAKE_ASSIGN_OR_RAISE(auto previous, LoadPreviousAttempts(store, engine, committed,
                                                              sources.front().parts, staging.dir()));
  m.timings["previous_attempts_seconds"] = SecondsSince(phase);

  // Every header is read before the run_id is claimed, so a bad file fails at once. The
  // first source stays open; the others are opened again in turn (an idle stream per
  // source would sit on a connection for the whole run).
  RUNLAKE_ASSIGN_OR_RAISE(auto first, OpenSource(store, req, contract->contract, sources.front(),
                                                  std::move(previous), staging.dir(), log));
  for (size_t i = 1; i < sources.size(); ++i) {
    RUNLAKE_RETURN_NOT_OK(
        OpenSource(store, req, contract->contract, sources[i], nullptr, staging.dir(), nullptr).status());
  }
  std::string source_text = sources.front().key;
  if (sources.size() > 1) source_text += " and " + std::to_string(sources.size() - 1) + " more";
  RUNLAKE_ASSIGN_OR_RAISE(std::optional<RunManifest> earlier,
                          ClaimOrTakeOver(store, req, m.dataset, source_text));
  if (earlier) return std::move(*earlier);  // an earlier try of this execution committed it
  log("INFO", "run " + m.run_id + " started from " + source_text, json{});
  if (!own_contract) {
    log("WARN",
        "dataset " + m.dataset.path() + " has no contract: its rows are checked by the built-in " +
            std::string(kTransactionsDataset) + " contract (declare its own with `runlake dataset apply FILE`)",
        json{});
  }
  // The readers of a multi-source run log from their own threads: one line at a time.
  std::mutex log_mu;
  RunLogger serialised = [&](const std::string& level, const std::string& msg, const json& extra) {
    std::lock_guard<std::mutex> lock(log_mu);
    if (log) log(level, msg, extra);
  };
  RunContext ctx{store, req, staging, committed, serialised, m, contract->contract};
  Status st = WriteAndCommit(ctx, sources, std::move(first), engines, started, &m);
  if (!st.ok()) {
    // A commit whose outcome is unknown (S3 failed around it) may have been done: while its
    // manifest is there, or cannot be looked for, the run's files stay (the next try finds
    // the manifest, ClaimOrTakeOver; `check` judges a leftover).
    auto manifest = store.Head(layout::RunManifestKey(m.run_id));
    if (!manifest.ok() || *manifest) return st;
    // Nothing of a failed run may stay behind: its files first, then the claim.
    auto removed = DeleteRunFiles(store, m.dataset, m.run_id);
    // A claim left behind names a run that has no files: `check` removes it.
    if (removed.ok()) (void)store.Delete(layout::RunClaimKey(m.run_id));
    return st;
  }
  // The run index is a cache: refreshed when readers had to fetch many manifests, with a
  // plain Put (no retry, no contention between committers); failures change nothing.
  if (listing.manifests_fetched >= kRunIndexRefreshThreshold) (void)WriteRunIndex(store, listing, {m});
  return m;
}

}  // namespace runlake
