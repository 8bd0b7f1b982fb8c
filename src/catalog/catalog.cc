#include "catalog/catalog.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "engine/views.h"
#include "store/local_files.h"
#include "catalog/partition_filter.h"
#include "runlake/gold.h"
#include "runlake/pointer.h"
#include "runlake/run_index.h"

namespace runlake {
namespace {

std::string Str(const std::string& s) { return Engine::Quote(s); }

const std::vector<JsonField>& RunsFields() {
  static const std::vector<JsonField> fields = {
      {"run_id", "VARCHAR", ""}, {"dataset", "VARCHAR", ""}, {"execution_name", "VARCHAR", ""},
      {"execution_arn", "VARCHAR", ""}, {"schema_version", "VARCHAR", ""},
      {"rules_hash", "VARCHAR", ""}, {"trigger_source", "VARCHAR", ""},
      {"ingest_date", "DATE", "$.sources[0].ingest_date"},
      {"source_key", "VARCHAR", "$.sources[0].key"},
      {"input_rows", "BIGINT", "$.metrics.input_rows"},
      {"valid_rows", "BIGINT", "$.metrics.valid_rows"},
      {"quarantined_rows", "BIGINT", "$.metrics.quarantined_rows"},
      {"condemned_rows", "BIGINT", "$.metrics.condemned_rows"},
      {"bytes_read", "BIGINT", "$.metrics.bytes_read"},
      {"bytes_written", "BIGINT", "$.metrics.bytes_written"},
      {"duration_seconds", "DOUBLE", "$.metrics.duration_seconds"},
      {"gate_passed", "BOOLEAN", "$.quality_gate.passed"},
      {"started_at", "TIMESTAMP", ""}, {"completed_at", "TIMESTAMP", ""},
      {"code_version", "VARCHAR", ""}};
  return fields;
}

Status CreatePointerHistoryView(Engine& engine, const std::vector<PointerVersion>& versions) {
  std::vector<std::string> docs;
  for (const auto& v : versions) docs.push_back(PointerToJson(v).dump());
  return CreateJsonView(engine, "pointer_history", docs,
                        {{"version", "BIGINT", ""}, {"action", "VARCHAR", ""}, {"run_id", "VARCHAR", ""},
                         {"previous_version", "BIGINT", ""}, {"rolled_back_to", "BIGINT", ""},
                         {"reason", "VARCHAR", ""}, {"created_by", "VARCHAR", ""},
                         {"execution", "VARCHAR", ""}, {"updated_at", "TIMESTAMP", ""},
                         {"sources", "JSON", ""}});
}

// Every file a view needs, fetched together (one parallel batch), so a bad run is known
// before any view is created and can be left out of all of them.
class FileSet {
 public:
  FileSet(ObjectStore& store, const RunListing& listing, const PartitionFilter& filter)
      : store_(store), listing_(listing), filter_(filter) {}

  // Adds `layer` files of run `m` of `dataset` to the view `view`. Reject files written
  // before raw_bytes existed go to "<view>:legacy" (CreateRejectView reads them apart).
  void Add(const std::string& view, const RunManifest& m, const DatasetId& dataset,
           const std::string& layer) {
    if (!(m.dataset == dataset)) return;
    auto tag = listing_.tags.find(m.run_id);
    const bool rejects = layer == "quarantine" || layer == "condemned";
    std::vector<std::string> run_dates;
    for (const auto& s : m.sources) run_dates.push_back(s.ingest_date);
    for (const auto& f : m.files) {
      if (f.layer != layer) continue;
      if (!Admitted(view, m, f, rejects, run_dates)) {
        ++pruned_;
        continue;
      }
      const bool legacy = rejects && f.format < kRejectFileFormat;
      wanted_[legacy ? view + ":legacy" : view].push_back(index_.size());
      index_.push_back(CommittedFile{f.key, f.bytes, tag == listing_.tags.end() ? "" : tag->second});
      run_of_.push_back(m.run_id);
    }
  }

  // Files the statement's partition filter left out (never downloaded).
  int pruned() const { return pruned_; }

  // Fetches everything; a run with a missing or wrong-size file goes into `bad`.
  Status Fetch(const std::string& scratch, std::map<std::string, std::string>* bad) {
    RUNLAKE_ASSIGN_OR_RAISE(paths_, FetchCommittedFiles(store_, index_, scratch));
    for (size_t i = 0; i < paths_.size(); ++i) {
      if (!paths_[i].problem.empty()) bad->emplace(run_of_[i], paths_[i].problem);
    }
    return Status::OK();
  }

  // The local paths of a view's files, leaving out the runs in `bad`.
  std::vector<std::string> Paths(const std::string& view,
                                 const std::map<std::string, std::string>& bad) const {
    std::vector<std::string> out;
    auto it = wanted_.find(view);
    if (it == wanted_.end()) return out;
    for (size_t i : it->second) {
      if (!bad.count(run_of_[i])) out.push_back(paths_[i].path);
    }
    return out;
  }

 private:
  bool Admitted(const std::string& view, const RunManifest& m, const RunFile& f, bool rejects,
                const std::vector<std::string>& run_dates) const {
    if (filter_.Empty()) return true;
    int year = 0, month = 0;
    if (!rejects) PartitionYearMonth(f.partition, &year, &month);
    std::vector<std::string> dates = run_dates;
    const std::string prefix = "ingest_date=";
    if (rejects && f.partition.rfind(prefix, 0) == 0) dates = {f.partition.substr(prefix.size())};
    return filter_.Admits(view, year, month, m.run_id, dates);
  }

  ObjectStore& store_;
  const RunListing& listing_;
  const PartitionFilter& filter_;
  int pruned_ = 0;
  std::vector<CommittedFile> index_;
  std::vector<std::string> run_of_;
  std::vector<CommittedPath> paths_;
  std::map<std::string, std::vector<size_t>> wanted_;
};

Status CreateSilverCurrentView(Engine& engine, const std::vector<std::string>& files,
                               const std::optional<PointerVersion>& version) {
  std::string pairs;
  if (version) {
    for (const auto& [source, run] : version->sources) {
      pairs += std::string(pairs.empty() ? "" : ", ") + "(DATE " + Str(source) + ", " + Str(run) + ")";
    }
  }
  RUNLAKE_RETURN_NOT_OK(CreateSilverView(engine, "silver_canonical_runs", files));
  std::string filter = pairs.empty() ? "false"
                                     : "(ingest_date, run_id) IN (SELECT * FROM (VALUES " + pairs + "))";
  return engine.Execute("CREATE OR REPLACE VIEW silver_current AS SELECT * FROM silver_canonical_runs WHERE " +
                        filter);
}

Status CreateGoldView(Engine& engine, const std::string& view, const std::vector<std::string>& paths) {
  if (paths.empty()) {
    return engine.Execute(
        "CREATE OR REPLACE VIEW " + view +
        " AS SELECT NULL::VARCHAR AS account_id, NULL::VARCHAR AS currency, NULL::VARCHAR AS month, "
        "NULL::DECIMAL(38,2) AS balance WHERE false");
  }
  std::string list;
  for (const auto& p : paths) list += (list.empty() ? "" : ", ") + Engine::Quote(p);
  return engine.Execute("CREATE OR REPLACE VIEW " + view + " AS SELECT * FROM read_parquet([" + list + "])");
}

}  // namespace

std::vector<std::string> CommittedFileKeys(const std::vector<RunManifest>& runs,
                                           const DatasetId& dataset, const std::string& layer) {
  std::vector<std::string> keys;
  for (const auto& m : runs) {
    if (!(m.dataset == dataset)) continue;
    for (const auto& f : m.files) {
      if (f.layer == layer) keys.push_back(f.key);
    }
  }
  return keys;
}

RejectFileKeys CommittedRejectFileKeys(const std::vector<RunManifest>& runs,
                                       const DatasetId& dataset, const std::string& layer) {
  RejectFileKeys keys;
  for (const auto& m : runs) {
    if (!(m.dataset == dataset)) continue;
    for (const auto& f : m.files) {
      if (f.layer != layer) continue;
      (f.format >= kRejectFileFormat ? keys.current : keys.legacy).push_back(f.key);
    }
  }
  return keys;
}

Status CreateRejectViewOf(Engine& engine, ObjectStore& store, const std::vector<RunManifest>& runs,
                          const DatasetId& dataset, const std::string& layer,
                          const std::string& view_name, const std::string& scratch_dir) {
  RejectFileKeys keys = CommittedRejectFileKeys(runs, dataset, layer);
  RUNLAKE_ASSIGN_OR_RAISE(auto current, LocalPathsFor(store, keys.current, scratch_dir));
  RUNLAKE_ASSIGN_OR_RAISE(auto legacy, LocalPathsFor(store, keys.legacy, scratch_dir));
  return CreateRejectView(engine, view_name, current, legacy);
}

std::vector<std::string> ViewsNamedIn(const std::string& sql) {
  std::set<std::string> words;
  std::string w;
  for (size_t i = 0; i <= sql.size(); ++i) {
    char c = i < sql.size() ? sql[i] : ' ';
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
      w += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!w.empty()) {
      words.insert(w);
      w.clear();
    }
  }
  return {words.begin(), words.end()};
}

std::string LatestWarning(ObjectStore& store, const std::string& layer, const DatasetId& dataset) {
  PointerLog log(store, layer, dataset);
  auto state = log.CheckLatest();
  if (!state.ok() || *state != LatestState::kHandEdited) return "";
  return log.LatestKey() + " differs from the pointer log (hand-edited?); readers use the log. "
         "Change the canonical state with `runlake promote` or `runlake rollback`; "
         "`runlake check --repair` rewrites _LATEST.json from the log";
}

Result<std::unique_ptr<Engine>> OpenCatalog(ObjectStore& store, const CatalogOptions& options) {
  std::set<std::string> named;
  bool all = options.sql.empty();
  if (!all) {
    for (auto& v : ViewsNamedIn(options.sql)) named.insert(v);
  }
  auto wants = [&](const std::string& view) { return all || named.count(view) > 0; };
  auto warn = [&](const std::string& line) {
    if (options.warnings) options.warnings->push_back(line);
  };

  RUNLAKE_ASSIGN_OR_RAISE(RunListing listing, ListRuns(store));
  for (const auto& b : listing.broken) warn("run " + b.run_id + " is invisible: " + b.problem);
  const auto& runs = listing.runs;

  EngineOptions eopts;
  eopts.temp_directory = options.scratch_dir + "/duckdb_tmp";
  RUNLAKE_ASSIGN_OR_RAISE(auto engine, Engine::Open(eopts));

  PointerLog log(store, "silver", options.dataset);
  std::optional<PointerVersion> version;
  if (options.at_version > 0) {
    // Checked whatever the SQL reads: a version that does not exist is bad input, and one
    // naming a deleted run would read as partial data (refused, as rollback does).
    RUNLAKE_ASSIGN_OR_RAISE(PointerVersion at, log.Get(options.at_version));
    RUNLAKE_RETURN_NOT_OK(RequireReferencedRuns(
        at, [&](const std::string& run) { return listing.Find(run) != nullptr || listing.IsBroken(run); },
        "cannot read at that version"));
    if (wants("silver_current")) version = std::move(at);
  } else if (wants("silver_current")) {
    RUNLAKE_ASSIGN_OR_RAISE(version, log.Head());
    std::string latest = LatestWarning(store, "silver", options.dataset);
    if (!latest.empty()) warn(latest);
  }

  // Files a simple filter on year/month/run_id/ingest_date cannot touch are not fetched.
  const PartitionFilter filter =
      all ? PartitionFilter{}
          : PartitionFilterOf(options.sql, {"silver_transactions", "silver_current", "quarantine", "condemned"});
  FileSet files(store, listing, filter);
  for (const auto& m : runs) {
    if (wants("silver_transactions")) files.Add("silver_transactions", m, options.dataset, "silver");
    if (wants("quarantine")) files.Add("quarantine", m, options.dataset, "quarantine");
    if (wants("condemned")) files.Add("condemned", m, options.dataset, "condemned");
  }
  if (version) {
    for (const auto& rid : version->ReferencedRuns()) {
      if (const RunManifest* m = listing.Find(rid)) files.Add("silver_current", *m, options.dataset, "silver");
    }
  }
  for (const auto& table : GoldTables()) {
    std::string view = "gold_" + table;
    if (!wants(view)) continue;
    DatasetId gold{options.dataset.domain, table};
    RUNLAKE_ASSIGN_OR_RAISE(auto head, PointerLog(store, "gold", gold).Head());
    if (!head || !head->sources.count(table)) continue;
    if (const RunManifest* m = listing.Find(head->sources.at(table))) files.Add(view, *m, gold, "gold");
  }
  std::map<std::string, std::string> bad;
  RUNLAKE_RETURN_NOT_OK(files.Fetch(options.scratch_dir, &bad));
  for (const auto& [rid, problem] : bad) warn("run " + rid + " is invisible: " + problem);

  if (wants("silver_transactions")) {
    RUNLAKE_RETURN_NOT_OK(CreateSilverView(*engine, "silver_transactions", files.Paths("silver_transactions", bad)));
  }
  if (wants("quarantine")) {
    RUNLAKE_RETURN_NOT_OK(CreateRejectView(*engine, "quarantine", files.Paths("quarantine", bad),
                                           files.Paths("quarantine:legacy", bad)));
  }
  if (wants("condemned")) {
    RUNLAKE_RETURN_NOT_OK(CreateRejectView(*engine, "condemned", files.Paths("condemned", bad),
                                           files.Paths("condemned:legacy", bad)));
  }
  if (wants("runs")) {
    std::vector<std::string> docs;
    for (const auto& m : runs) {
      if (!bad.count(m.run_id)) docs.push_back(ManifestToJson(m).dump());
    }
    RUNLAKE_RETURN_NOT_OK(CreateJsonView(*engine, "runs", docs, RunsFields()));
  }
  if (wants("pointer_history")) {
    RUNLAKE_ASSIGN_OR_RAISE(auto history, log.History());
    RUNLAKE_RETURN_NOT_OK(CreatePointerHistoryView(*engine, history));
  }
  if (wants("silver_current")) {
    RUNLAKE_RETURN_NOT_OK(CreateSilverCurrentView(*engine, files.Paths("silver_current", bad), version));
  }
  for (const auto& table : GoldTables()) {
    std::string view = "gold_" + table;
    if (wants(view)) RUNLAKE_RETURN_NOT_OK(CreateGoldView(*engine, view, files.Paths(view, bad)));
  }
  return engine;
}

}  // namespace runlake
