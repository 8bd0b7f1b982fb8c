#pragma once
// The fault sweep's invariants (issue 13): what must hold in a lake after any command was
// crashed or failed at any write, and again after its recovery. Each check returns the
// problems it found, in words, so one sweep point reports everything that broke at once.

#include <sqlite3.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "integration/cli_runner.h"

namespace runlake::it {

inline const std::string kSilver = "silver/mortgages/transactions";

// Every file of the lake (path relative to the lake -> bytes), leaving out what may change
// legitimately: the state store and logs, staging, claims, the run index checkpoint, the
// _LATEST.json copies and temp files.
inline std::map<std::string, std::string> SnapshotLake(const std::string& lake) {
  std::map<std::string, std::string> out;
  for (const auto& rel : ListFiles(lake)) {
    if (rel.rfind("_state/", 0) == 0 || rel.rfind("_staging/", 0) == 0 ||
        rel.rfind("_runs/_claims/", 0) == 0 || rel.rfind("_runs/_index/", 0) == 0 ||
        rel.find("_LATEST.json") != std::string::npos ||
        fs::path(rel).filename().string().rfind(".tmp-", 0) == 0) {
      continue;
    }
    out[rel] = ReadFile(lake + "/" + rel);
  }
  return out;
}

// "run_id=<RID>/" in a path, or "" when it has none.
inline std::string RunIdOfPath(const std::string& rel) {
  size_t at = rel.find("run_id=");
  if (at == std::string::npos) return "";
  size_t end = rel.find('/', at);
  return rel.substr(at + 7, end == std::string::npos ? std::string::npos : end - at - 7);
}

// Run ids with a committed manifest (_runs/<RID>.json).
inline std::set<std::string> CommittedRuns(const std::string& lake) {
  std::set<std::string> out;
  if (!fs::is_directory(lake + "/_runs")) return out;
  for (const auto& e : fs::directory_iterator(lake + "/_runs")) {
    std::string name = e.path().filename().string();
    if (e.is_regular_file() && name.size() > 5 && name.substr(name.size() - 5) == ".json" &&
        name[0] != '.') {
      out.insert(name.substr(0, name.size() - 5));
    }
  }
  return out;
}

struct Invariants {
  const TestLake& lake;
  std::vector<std::string> problems;

  void Fail(const std::string& what) { problems.push_back(what); }

  // Files that existed before are byte-identical, except those `may_go` allows to vanish
  // (a deleted run's files, the uncommitted files of a dead run).
  void Unchanged(const std::map<std::string, std::string>& before,
                 const std::function<bool(const std::string&)>& may_go) {
    for (const auto& [rel, bytes] : before) {
      std::string path = lake.Lake(rel);
      if (!fs::exists(path)) {
        if (!may_go(rel)) Fail("pre-existing file vanished: " + rel);
      } else if (ReadFile(path) != bytes) {
        Fail("pre-existing file changed: " + rel);
      }
    }
  }

  // A committed run is whole: every listed file there with its size, and a _SUCCESS in each
  // silver/gold partition directory it wrote.
  void CommittedWhole() {
    for (const auto& rid : CommittedRuns(lake.lake())) {
      json m = json::parse(ReadFile(lake.Lake("_runs/" + rid + ".json")), nullptr, false);
      if (!m.is_object() || !m.contains("files")) {
        Fail("manifest _runs/" + rid + ".json does not parse");
        continue;
      }
      std::set<std::string> dirs;
      for (const auto& f : m["files"]) {
        std::string key = f.value("key", "");
        std::error_code ec;
        auto size = fs::file_size(lake.Lake(key), ec);
        if (ec) Fail("run " + rid + ": listed file missing: " + key);
        else if (size != f.value("bytes", uint64_t{0})) Fail("run " + rid + ": wrong size: " + key);
        std::string layer = f.value("layer", "");
        if (layer == "silver" || layer == "gold") dirs.insert(fs::path(key).parent_path().string());
      }
      for (const auto& d : dirs) {
        if (!fs::exists(lake.Lake(d + "/_SUCCESS"))) Fail("run " + rid + ": no _SUCCESS in " + d);
      }
    }
  }

  // The pointer log of `layer_dataset` ("silver/mortgages/transactions"): versions 1..N with
  // no gap; returns the newest version's JSON (null when there is none).
  json PointerLog(const std::string& layer_dataset, bool latest_must_match) {
    std::string dir = lake.Lake(layer_dataset + "/_pointer_log");
    std::vector<std::string> names;
    if (fs::is_directory(dir)) {
      for (const auto& e : fs::directory_iterator(dir)) {
        std::string n = e.path().filename().string();
        if (n[0] != '.') names.push_back(n);
      }
    }
    std::sort(names.begin(), names.end());
    for (size_t i = 0; i < names.size(); ++i) {
      char want[32];
      std::snprintf(want, sizeof(want), "%010zu.json", i + 1);
      if (names[i] != want) Fail(layer_dataset + ": pointer log not contiguous at " + names[i]);
    }
    if (names.empty()) return json();
    json newest = json::parse(ReadFile(dir + "/" + names.back()), nullptr, false);
    if (newest.is_discarded()) Fail(layer_dataset + ": newest pointer version does not parse");
    if (latest_must_match) {
      std::string latest = lake.Lake(layer_dataset + "/_LATEST.json");
      json l = fs::exists(latest) ? json::parse(ReadFile(latest), nullptr, false) : json();
      if (l != newest) Fail(layer_dataset + ": _LATEST.json is not the newest version " + names.back());
    }
    return newest;
  }

  // No view shows rows of an uncommitted run, and silver_current is what the newest silver
  // pointer version says: the rows of silver whose (ingest_date, run_id) it maps.
  void Views(const json& silver_pointer) {
    std::set<std::string> committed = CommittedRuns(lake.lake());
    std::string in_map = "''";
    if (silver_pointer.is_object()) {
      const json sources = silver_pointer.value("sources", json::object());
      for (const auto& [date, rid] : sources.items()) {
        in_map += ", '" + date + "|" + rid.get<std::string>() + "'";
      }
    }
    std::string sql =
        "SELECT coalesce((SELECT string_agg(DISTINCT run_id, ' ') FROM silver_transactions), '') || '#' || "
        "coalesce((SELECT string_agg(DISTINCT run_id, ' ') FROM quarantine), '') || '#' || "
        "coalesce((SELECT string_agg(DISTINCT run_id, ' ') FROM runs), '') || ' ' || "
        "coalesce((SELECT string_agg(DISTINCT run_id, ' ') FROM condemned), '') || '#' || "
        "(SELECT count(*) FROM silver_current) || '#' || "
        "(SELECT count(*) FROM silver_transactions WHERE ingest_date::VARCHAR || '|' || run_id IN (" +
        in_map + ")) || '#' || "
        "(SELECT count(*) FROM silver_current WHERE ingest_date::VARCHAR || '|' || run_id NOT IN (" +
        in_map + "))";
    CmdResult r = lake.Rl({"query", sql, "--format", "csv"});
    if (r.exit_code != 0) {
      Fail("query failed: " + r.Describe());
      return;
    }
    std::string row = r.out.substr(r.out.find('\n') + 1);
    while (!row.empty() && (row.back() == '\n' || row.back() == '"')) row.pop_back();
    if (!row.empty() && row.front() == '"') row.erase(0, 1);
    std::vector<std::string> cols;
    std::stringstream ss(row);
    for (std::string c; std::getline(ss, c, '#');) cols.push_back(c);
    if (cols.size() != 6) {
      Fail("unexpected query output: " + r.out);
      return;
    }
    for (int i = 0; i < 3; ++i) {
      std::stringstream ids(cols[i]);
      for (std::string rid; ids >> rid;) {
        if (!committed.count(rid)) Fail("a view shows rows of uncommitted run " + rid);
      }
    }
    if (cols[3] != cols[4]) Fail("silver_current has " + cols[3] + " rows, the pointer says " + cols[4]);
    if (cols[5] != "0") Fail("silver_current shows " + cols[5] + " rows the pointer does not map");
  }

  // No execution RUNNING; none FAILED (or ABORTED) whose run committed.
  void Executions() {
    CmdResult r = lake.Rl({"--json", "executions", "list"});
    if (r.exit_code != 0) {
      Fail("executions list failed: " + r.Describe());
      return;
    }
    std::set<std::string> committed = CommittedRuns(lake.lake());
    for (const auto& e : json::parse(r.out)) {
      std::string st = e.value("status", ""), rid = e.value("run_id", "");
      if (st == "RUNNING") Fail("execution " + e.value("name", "") + " is still RUNNING");
      if ((st == "FAILED" || st == "ABORTED") && committed.count(rid)) {
        Fail("execution " + e.value("name", "") + " is " + st + " (" + e.value("cause", "") +
             ") but its run " + rid + " is committed");
      }
    }
  }

  // Right after a fault: `runlake check` may find only what `check --repair` (or the next
  // command) fixes; a torn manifest, a missing or short committed file, a gap in a pointer
  // log would be damage no repair can undo.
  void OnlyRepairable() {
    static const std::set<std::string> kRepairable = {"dead_claim",     "dead_staging",
                                                      "dead_temp",      "dead_ingest",
                                                      "dead_scratch",   "empty_run_dir",
                                                      "latest_differs",
                                                      "run_index",      "canonical_table_missing"};
    CmdResult c = lake.Rl({"--json", "check"});
    const json report = json::parse(c.out, nullptr, false);
    if (report.is_discarded() || !report.contains("findings")) {
      Fail("runlake check failed: " + c.Describe());
      return;
    }
    for (const auto& f : report["findings"]) {
      if (!kRepairable.count(f.value("kind", ""))) Fail("runlake check finds damage: " + f.dump());
    }
  }

  // After recovery: no staging, no claim without its manifest, no temp files, and
  // `runlake check` finds nothing.
  void Clean() {
    for (const auto& rel : ListFiles(lake.lake())) {
      if (rel.rfind("_staging/", 0) == 0) Fail("staging left: " + rel);
      if (fs::path(rel).filename().string().rfind(".tmp-", 0) == 0) Fail("temp file left: " + rel);
    }
    std::set<std::string> committed = CommittedRuns(lake.lake());
    if (fs::is_directory(lake.Lake("_runs/_claims"))) {
      for (const auto& e : fs::directory_iterator(lake.Lake("_runs/_claims"))) {
        std::string rid = e.path().stem().string();
        if (rid[0] != '.' && !committed.count(rid)) Fail("claim left for uncommitted run " + rid);
      }
    }
    CmdResult c = lake.Rl({"--json", "check"});
    if (c.exit_code != 0 || c.Json().value("findings", json::array()).size() != 0) {
      Fail("runlake check is not clean: " + c.out);
    }
  }
};

// The number of versions in `layer_dataset`'s pointer log.
inline size_t PointerVersions(const TestLake& lake, const std::string& layer_dataset) {
  std::string dir = lake.Lake(layer_dataset + "/_pointer_log");
  size_t n = 0;
  if (fs::is_directory(dir)) {
    for (const auto& e : fs::directory_iterator(dir)) n += e.path().filename().string()[0] != '.';
  }
  return n;
}

// After the recovery of a state store fault (the state sweep): the store's file is intact
// (SQLite's integrity_check);
// no execution is lost (every committed run has its record), stuck (Executions() checks
// RUNNING) or applied twice (the pointer log no longer than after a clean command and its
// recovery: `clean_versions`; one committed backfill run per date); every backfill ended
// SUCCEEDED, and at most one was created; no task is still QUEUED or RUNNING.
inline void StateInvariants(Invariants& inv, size_t clean_versions, bool sqlite = true) {
  const TestLake& lake = inv.lake;
  sqlite3* db = nullptr;
  const std::string path = lake.Lake("_state/runlake.sqlite");
  if (!sqlite) {
    // PostgreSQL keeps its own files whole.
  } else if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    inv.Fail("state store " + path + " does not open: " + sqlite3_errmsg(db));
  } else {
    std::string verdict;
    sqlite3_exec(
        db, "PRAGMA integrity_check",
        [](void* out, int, char** values, char**) {
          *static_cast<std::string*>(out) += values[0] ? values[0] : "";
          return 0;
        },
        &verdict, nullptr);
    if (verdict != "ok") inv.Fail("state store integrity_check: " + verdict);
  }
  sqlite3_close(db);

  std::set<std::string> with_record;
  for (const auto& e : lake.RlJson({"executions", "list"})) with_record.insert(e.value("run_id", ""));
  std::map<std::string, int> backfill_runs_per_date;
  for (const auto& rid : CommittedRuns(lake.lake())) {
    // Silver runs are executions; a gold build is not.
    json m = json::parse(ReadFile(lake.Lake("_runs/" + rid + ".json")), nullptr, false);
    bool silver = false;
    for (const auto& f : m.is_object() ? m.value("files", json::array()) : json::array()) {
      silver = silver || f.value("layer", "") == "silver";
    }
    if (silver && !with_record.count(rid)) inv.Fail("committed run " + rid + " has no execution record");
    if (rid.rfind("backfill-", 0) == 0) ++backfill_runs_per_date[rid.substr(9, 10)];
  }
  for (const auto& [date, n] : backfill_runs_per_date) {
    if (n > 1) inv.Fail(std::to_string(n) + " committed backfill runs for " + date);
  }
  size_t versions = PointerVersions(lake, kSilver);
  if (versions > clean_versions) {
    inv.Fail("silver pointer log has " + std::to_string(versions) + " versions, " +
             std::to_string(clean_versions) + " after a clean run: something was applied twice");
  }
  json backfills = lake.RlJson({"backfill", "list"});
  if (backfills.size() > 1) inv.Fail("backfill created " + std::to_string(backfills.size()) + " times");
  for (const auto& b : backfills) {
    if (b.value("status", "") != "SUCCEEDED") inv.Fail("backfill " + b.value("id", "") + " ended " + b.dump());
  }
  for (const auto& t : lake.RlJson({"queue", "list"})) {
    std::string st = t.value("status", "");
    if (st == "QUEUED" || st == "RUNNING") inv.Fail("task " + t.value("name", "") + " is still " + st);
  }
}

}  // namespace runlake::it
