#include "runlake/canonical_table.h"

#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "common/test_hooks.h"
#include "engine/engine.h"
#include "ledger/staging.h"

namespace runlake {
namespace {

constexpr char kTable[] = "canonical";

// A scratch directory under $TMPDIR, removed when this goes out of scope. Its name holds
// the lake and this process's pid and start time: a process killed meanwhile leaves it,
// and `check --repair` of the lake removes it once the owner is gone (staging.h).
class ScratchDir {
 public:
  static Result<ScratchDir> Make(const ObjectStore& store) {
    std::string pattern = Staging::ScratchPattern(store, kCanonicalScratchLabel);
    if (mkdtemp(pattern.data()) == nullptr)
      return Status::IOError("cannot create a scratch directory from " + pattern);
    return ScratchDir(pattern);
  }
  ScratchDir(ScratchDir&& o) noexcept : path_(std::move(o.path_)) { o.path_.clear(); }
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  explicit ScratchDir(std::string p) : path_(std::move(p)) {}
  std::string path_;
};

// The SELECT that yields v's rows, with the exact column types of the contract.
std::string RowsSql(const PointerVersion& v) {
  std::string ts = v.updated_at;  // ISO-8601 UTC: 2026-01-29T15:00:00.123Z
  std::string values;
  for (const auto& [source, run_id] : v.sources) {
    if (!values.empty()) values += ", ";
    values += "(" + Engine::Quote(source) + ", " + Engine::Quote(run_id) + ")";
  }
  std::string head = "SELECT CAST(s AS DATE) AS ingest_date, CAST(r AS VARCHAR) AS run_id, "
                     "CAST(strptime(" + Engine::Quote(ts) + ", ['%Y-%m-%dT%H:%M:%S.%gZ', "
                     "'%Y-%m-%dT%H:%M:%SZ']) AS TIMESTAMP) AS updated_at, CAST(" +
                     Engine::Quote(v.action) + " AS VARCHAR) AS action FROM ";
  if (values.empty()) return head + "(SELECT NULL AS s, NULL AS r) WHERE false";
  return head + "(VALUES " + values + ") AS t(s, r) ORDER BY ingest_date";
}

}  // namespace

std::string CanonicalTablePrefix(const DatasetId& dataset) {
  return std::string("catalog/") + dataset.path() + "/" + kTable + "/";
}

std::string CanonicalTableKey(const DatasetId& dataset, int64_t version) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "version=%010lld/part-00000.parquet",
                static_cast<long long>(version));
  return CanonicalTablePrefix(dataset) + buf;
}

Status WriteCanonicalTable(ObjectStore& store, const PointerVersion& v) {
  if (v.layer != "silver")
    return Status::InvalidArgument("canonical_sources maps silver sources, not " + v.layer);
  const std::string key = CanonicalTableKey(v.dataset, v.version);
  RUNLAKE_ASSIGN_OR_RAISE(auto there, store.Head(key));
  if (there) return Status::OK();
  RUNLAKE_ASSIGN_OR_RAISE(ScratchDir scratch, ScratchDir::Make(store));
  const std::string local = scratch.path() + "/part-00000.parquet";
  EngineOptions options;
  options.threads = 1;
  RUNLAKE_ASSIGN_OR_RAISE(auto engine, Engine::Open(options));
  RUNLAKE_RETURN_NOT_OK(engine->Execute("COPY (" + RowsSql(v) + ") TO " + Engine::Quote(local) +
                                        " (FORMAT parquet, COMPRESSION zstd)"));
  std::ifstream in(local, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  if (!in) return Status::IOError("cannot read back " + local);
  Status st = store.PutIfAbsent(key, bytes.str());
  // Another process wrote it first: the table is a pure function of the version.
  if (st.IsAlreadyExists()) return Status::OK();
  return st;
}

Result<std::vector<int64_t>> MissingCanonicalTables(ObjectStore& store,
                                                    const DatasetId& dataset) {
  PointerLog log(store, "silver", dataset);
  RUNLAKE_ASSIGN_OR_RAISE(auto listed, store.List(CanonicalTablePrefix(dataset)));
  std::set<std::string> have;
  for (const auto& o : listed) have.insert(o.key);
  RUNLAKE_ASSIGN_OR_RAISE(auto head, log.Head());
  std::vector<int64_t> missing;
  if (!head) return missing;
  for (int64_t n = 1; n <= head->version; ++n) {
    if (!have.count(CanonicalTableKey(dataset, n))) missing.push_back(n);
  }
  return missing;
}

Result<std::vector<int64_t>> WriteMissingCanonicalTables(ObjectStore& store,
                                                         const DatasetId& dataset) {
  RUNLAKE_ASSIGN_OR_RAISE(auto missing, MissingCanonicalTables(store, dataset));
  PointerLog log(store, "silver", dataset);
  std::vector<int64_t> written;
  for (int64_t n : missing) {
    auto v = log.Get(n);
    if (!v.ok()) {
      if (v.status().IsNotFound()) continue;  // a gap in the log: `runlake check` reports it
      return v.status();
    }
    RUNLAKE_RETURN_NOT_OK(WriteCanonicalTable(store, *v));
    written.push_back(n);
  }
  return written;
}

// After silver version v: its canonical_sources table, and any an earlier crash left
// unwritten. Never fails the commit (it is done): a table that cannot be written now is
// written by the next pointer change or `runlake check --repair`.
void PublishCanonicalTable(ObjectStore& store, const PointerVersion& v) {
  if (v.layer != "silver") return;
  test_hooks::CrashBeforeCanonicalTable();  // die between the version and its table
  Status st = WriteCanonicalTable(store, v);
  if (st.ok() && v.version > 1) {
    auto before = store.Head(CanonicalTableKey(v.dataset, v.version - 1));
    if (!before.ok()) {
      st = before.status();
    } else if (!*before) {
      st = WriteMissingCanonicalTables(store, v.dataset).status();
    }
  }
  if (!st.ok()) {
    std::fprintf(stderr, "warning: canonical_sources of silver version %lld not written (%s); "
                 "`runlake check --repair` writes it\n",
                 static_cast<long long>(v.version), st.ToString().c_str());
  }
}


}  // namespace runlake
