#include "catalog/catalog.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "engine/views.h"
#include "store/local_files.h"
#include "catalog/partition_filter.h"
#include "runlake/contract.h"
#include "runlake/dataset_revisions.h"
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
    // Silver files of one contract share a column layout (CreateSilverView's groups).
    const std::string group = layer == "silver" ? m.contract_sha256 : "";
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
      group_of_.push_back(group);
      index_.push_back(CommittedFile{f.key, f.bytes, tag == listing_.tags.end() ? "" : tag->second});
      run_of_.push_back(m.run_id);
    }
  }

  // The local paths of a silver view's files in groups of one layout, in run order.
  std::vector<std::vector<std::string>> Groups(const std::string& view,
                                               const std::map<std::string, std::string>& bad) const {
    std::vector<std::vector<std::string>> out;
    std::vector<std::string> keys;
    auto it = wanted_.find(view);
    if (it == wanted_.end()) return out;
    for (size_t i : it->second) {
      if (bad.count(run_of_[i])) continue;
      auto k = std::find(keys.begin(), keys.end(), group_of_[i]);
      if (k == keys.end()) {
        keys.push_back(group_of_[i]);
        out.emplace_back();
        k = keys.end() - 1;
      }
      out[k - keys.begin()].push_back(paths_[i].path);
    }
    return out;
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
  std::vector<std::string> group_of_;
  std::vector<CommittedPath> paths_;
  std::map<std::string, std::vector<size_t>> wanted_;
};

Status CreateCurrentView(Engine& engine, const std::string& view,
                         const std::vector<std::vector<std::string>>& groups,
                         const ViewColumns& empty_columns,
                         const std::optional<PointerVersion>& version) {
  std::string pairs;
  if (version) {
    for (const auto& [source, run] : version->sources) {
      pairs += std::string(pairs.empty() ? "" : ", ") + "(DATE " + Str(source) + ", " + Str(run) + ")";
    }
  }
  const std::string runs = view == "silver_current" ? "silver_canonical_runs" : view + "__runs";
  RUNLAKE_RETURN_NOT_OK(CreateSilverView(engine, runs, groups, empty_columns));
  std::string filter = pairs.empty() ? "false"
                                     : "(ingest_date, run_id) IN (SELECT * FROM (VALUES " + pairs + "))";
  return engine.Execute("CREATE OR REPLACE VIEW " + Engine::QuoteIdentifier(view) + " AS SELECT * FROM " +
                        Engine::QuoteIdentifier(runs) + " WHERE " + filter);
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

// A dataset's own views: silver_<ds> and silver_<ds>_current, <ds> its name's last segment.
struct DatasetViews {
  DatasetId id;
  std::string all, current;
};

// Adds `d` unless a dataset of the same last segment is there (a contract refuses a second
// one; the first dataset keeps the names).
void AddDataset(std::vector<DatasetViews>* datasets, const DatasetId& d) {
  for (const auto& x : *datasets) {
    if (x.id.dataset == d.dataset) return;
  }
  datasets->push_back({d, "silver_" + d.dataset, "silver_" + d.dataset + "_current"});
}

bool IsDatasetView(const std::vector<DatasetViews>& datasets, const std::string& view) {
  return std::any_of(datasets.begin(), datasets.end(),
                     [&](const DatasetViews& d) { return d.all == view || d.current == view; });
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

  // Each dataset's silver_<ds> and silver_<ds>_current (its last name segment): the
  // transactions dataset always, every dataset with runs, and when the statement may name one
  // of theirs, every dataset with a contract (whose columns an empty view then has).
  std::vector<DatasetViews> datasets;
  AddDataset(&datasets, DatasetId{});
  for (const auto& m : runs) AddDataset(&datasets, m.dataset);
  std::map<std::string, ViewColumns> contract_columns;  // by dataset path
  if (all || std::any_of(named.begin(), named.end(), [&](const std::string& v) {
        return v.rfind("silver_", 0) == 0 && v != "silver_current" && !IsDatasetView(datasets, v);
      })) {
    auto contracts = ListDatasetContracts(store);
    if (contracts.ok()) {
      for (const DatasetRevision& r : *contracts) AddDataset(&datasets, r.dataset);
    }
  }
  std::vector<std::string> silver_views = {"silver_current", "quarantine", "condemned"};
  for (const auto& d : datasets) {
    silver_views.push_back(d.all);
    silver_views.push_back(d.current);
  }
  // Files a simple filter on year/month/run_id/ingest_date cannot touch are not fetched.
  const PartitionFilter filter = all ? PartitionFilter{} : PartitionFilterOf(options.sql, silver_views);
  FileSet files(store, listing, filter);
  std::map<std::string, std::optional<PointerVersion>> heads;  // by dataset path
  for (const auto& d : datasets) {
    const bool own = wants(d.all), current = wants(d.current);
    if (own) {
      for (const auto& m : runs) files.Add(d.all, m, d.id, "silver");
    }
    if (current) {
      RUNLAKE_ASSIGN_OR_RAISE(heads[d.id.path()], PointerLog(store, "silver", d.id).Head());
      if (const auto& head = heads[d.id.path()]) {
        for (const auto& rid : head->ReferencedRuns()) {
          if (const RunManifest* m = listing.Find(rid)) files.Add(d.current, *m, d.id, "silver");
        }
      }
    }
  }
  for (const auto& m : runs) {
    if (wants("quarantine")) files.Add("quarantine", m, m.dataset, "quarantine");
    if (wants("condemned")) files.Add("condemned", m, m.dataset, "condemned");
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

  // A view with no files takes its columns from the dataset's newest contract.
  auto empty_columns = [&](const DatasetId& d) -> ViewColumns {
    auto newest = NewestContractRevision(store, d);
    if (!newest.ok() || !*newest) return TransactionsSilverFileColumns();
    auto contract = ParseContract((*newest)->contract, d.path());
    if (!contract.ok()) return TransactionsSilverFileColumns();
    ViewColumns out;
    for (const SilverDataColumn& c : SilverDataColumns(*contract)) out.emplace_back(c.name, c.type.SqlType());
    for (const auto& c : SilverLineageColumns()) out.push_back(c);
    return out;
  };
  for (const auto& d : datasets) {
    if (wants(d.all)) {
      auto groups = files.Groups(d.all, bad);
      RUNLAKE_RETURN_NOT_OK(CreateSilverView(*engine, d.all, groups,
                                             groups.empty() ? empty_columns(d.id) : ViewColumns{}));
    }
    if (wants(d.current)) {
      auto groups = files.Groups(d.current, bad);
      RUNLAKE_RETURN_NOT_OK(CreateCurrentView(*engine, d.current, groups,
                                              groups.empty() ? empty_columns(d.id) : ViewColumns{},
                                              heads[d.id.path()]));
    }
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
    auto groups = files.Groups("silver_current", bad);
    RUNLAKE_RETURN_NOT_OK(CreateCurrentView(*engine, "silver_current", groups,
                                            groups.empty() ? empty_columns(options.dataset) : ViewColumns{},
                                            version));
  }
  for (const auto& table : GoldTables()) {
    std::string view = "gold_" + table;
    if (wants(view)) RUNLAKE_RETURN_NOT_OK(CreateGoldView(*engine, view, files.Paths(view, bad)));
  }
  return engine;
}

}  // namespace runlake
