#include "runlake/check.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <map>
#include <set>

#include "common/sha256.h"
#include "runlake/canonical_table.h"
#include "ledger/staging.h"
#include "runlake/pointer.h"
#include "runlake/run_delete.h"
#include "runlake/run_index.h"

namespace runlake {
namespace {

using nlohmann::json;

// Relative paths of the empty `run_id=…` folders under the run layers of a local lake.
std::vector<std::string> EmptyRunDirs(const std::filesystem::path& root) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  for (const char* layer : {"silver", "quarantine", "condemned", "gold"}) {
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(root / layer, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_directory(ec) || it->path().filename().string().rfind("run_id=", 0) != 0) continue;
      it.disable_recursion_pending();  // a run's files are not folders of runs
      if (fs::is_empty(it->path(), ec) && !ec) out.push_back(fs::relative(it->path(), root, ec).string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// As the local backend's Delete does: S3 has no folders, so none are left empty here.
void RemoveEmptyParents(const std::filesystem::path& root, std::filesystem::path dir) {
  std::error_code ec;
  while (dir != root && dir.string().size() > root.string().size() &&
         std::filesystem::is_empty(dir, ec) && !ec) {
    if (!std::filesystem::remove(dir, ec)) break;
    dir = dir.parent_path();
  }
}

// The liveness rule of claims: only this host can tell, and only a pid that is certainly
// gone (ESRCH) counts as dead. Records without host and pid (older ones) never do.
bool WriterIsGone(const json& rec) {
  char host[256] = {0};
  gethostname(host, sizeof(host) - 1);
  if (rec.value("host", "") != host) return false;
  int64_t pid = rec.value("pid", int64_t{0});
  return pid > 0 && kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

struct Checker {
  ObjectStore& store;
  bool repair;
  CheckReport report;

  CheckFinding& Add(std::string kind, std::string object, std::string problem) {
    report.findings.push_back(CheckFinding{std::move(kind), std::move(object), std::move(problem)});
    return report.findings.back();
  }

  Status Runs(const RunListing& listing) {
    for (const auto& b : listing.broken) {
      Add("corrupt_manifest", layout::RunManifestKey(b.run_id), b.problem).action =
          "the run is invisible; `runlake runs delete --force " + b.run_id + "` removes it";
    }
    // One LIST per layer and dataset gives every committed file's size.
    std::map<std::string, uint64_t> sizes;
    std::set<std::string> listed;
    for (const auto& m : listing.runs) {
      for (const auto& f : m.files) {
        std::string prefix = f.layer + "/" + m.dataset.path() + "/";
        if (!listed.insert(prefix).second) continue;
        RUNLAKE_ASSIGN_OR_RAISE(auto objects, store.List(prefix));
        for (const auto& o : objects) sizes[o.key] = o.size;
      }
    }
    for (const auto& m : listing.runs) {
      for (const auto& f : m.files) {
        auto it = sizes.find(f.key);
        if (it == sizes.end()) {
          Add("missing_file", f.key, "run " + m.run_id + ": file is missing").action =
              "the run is invisible to queries; rerun the source and `runlake runs delete --force " + m.run_id + "`";
        } else if (f.bytes != 0 && it->second != f.bytes) {
          Add("wrong_size", f.key, "run " + m.run_id + ": " + std::to_string(it->second) +
                                       " bytes, the manifest says " + std::to_string(f.bytes))
              .action = "the run is invisible to queries; `runlake runs delete --force " + m.run_id + "`";
        }
      }
    }
    return Status::OK();
  }

  Status Bronze() {
    RUNLAKE_ASSIGN_OR_RAISE(auto objects, store.List(layout::kBronzePrefix));
    for (const auto& o : objects) {
      if (o.key.find("/_ingests/") == std::string::npos) continue;
      RUNLAKE_ASSIGN_OR_RAISE(std::string text, store.Get(o.key));
      json rec = json::parse(text, nullptr, false);
      if (!rec.is_object() || !rec.contains("key") || !rec.contains("sha256")) {
        Add("bronze_record", o.key, "ingest record does not parse");
        continue;
      }
      std::string key = rec.value("key", "");
      auto data = store.Get(key);
      if (!data.ok()) {
        if (!data.status().IsNotFound()) return data.status();
        if (WriterIsGone(rec)) {
          // The record is written before the object: its ingest died in between.
          auto& f = Add("dead_ingest", o.key, "ingest record of an ingest that died before its object " +
                                                  key + " was written");
          if (repair) {
            RUNLAKE_RETURN_NOT_OK(store.Delete(o.key));
            f.repaired = true;
            f.action = "removed the record";
          } else {
            f.action = "`runlake check --repair` removes the record";
          }
          continue;
        }
        Add("bronze_sha256", key, "bronze object named by " + o.key + " is missing");
        continue;
      }
      std::string sha = Sha256::Of(*data);
      if (sha != rec.value("sha256", "")) {
        Add("bronze_sha256", key, "sha256 " + sha + " differs from its ingest record (" +
                                      rec.value("sha256", "") + ")")
            .action = "bronze is immutable: restore the object from its source file";
      }
    }
    return Status::OK();
  }

  // canonical_sources: every silver version has its table (a process that died between
  // the version and the table leaves it missing; external views then lag one version).
  Status CanonicalTables(const DatasetId& dataset) {
    RUNLAKE_ASSIGN_OR_RAISE(auto missing, MissingCanonicalTables(store, dataset));
    if (missing.empty()) return Status::OK();
    auto& f = Add("canonical_table_missing", CanonicalTablePrefix(dataset),
                  std::to_string(missing.size()) + " pointer version(s) lack their canonical_sources "
                  "table (first: version " + std::to_string(missing.front()) + ")");
    if (repair) {
      RUNLAKE_RETURN_NOT_OK(WriteMissingCanonicalTables(store, dataset).status());
      f.repaired = true;
      f.action = "wrote the missing canonical_sources tables";
    } else {
      f.action = "`runlake check --repair` writes them";
    }
    return Status::OK();
  }

  Status Pointers(const std::set<std::pair<std::string, std::string>>& logs) {
    for (const auto& [layer, dataset_path] : logs) {
      auto d = ParseDatasetId(dataset_path);
      if (!d.ok()) continue;
      PointerLog log(store, layer, *d);
      RUNLAKE_ASSIGN_OR_RAISE(auto objects, store.List(log.LogPrefix()));
      int64_t expect = 1, newest = 0;
      for (const auto& o : objects) {
        std::string name = o.key.substr(log.LogPrefix().size());
        if (name.size() != 15 || name.compare(10, 5, ".json") != 0) continue;
        int64_t v = std::stoll(name.substr(0, 10));
        if (v != expect) {
          Add("pointer_gap", o.key, "pointer log jumps from version " + std::to_string(expect - 1) + " to " +
                                        std::to_string(v))
              .action = "a version is missing (deleted by hand?); the log is never rewritten";
        }
        auto got = log.Get(v);
        if (!got.ok()) Add("pointer_corrupt", o.key, got.status().message());
        expect = v + 1;
        newest = v;
      }
      auto text = store.Get(log.LatestKey());
      if (text.ok()) {
        json j = json::parse(*text, nullptr, false);
        int64_t named = j.is_object() ? j.value("version", int64_t{0}) : 0;
        if (named > newest) {
          Add("latest_ahead", log.LatestKey(), "_LATEST.json names version " + std::to_string(named) +
                                                   ", the log ends at " + std::to_string(newest))
              .action = "restore version " + std::to_string(named) + " of the log; its number must never be reused";
          continue;
        }
      }
      if (newest == 0) continue;
      if (layer == "silver") RUNLAKE_RETURN_NOT_OK(CanonicalTables(*d));
      RUNLAKE_ASSIGN_OR_RAISE(LatestState state, log.CheckLatest());
      if (state == LatestState::kInSync || state == LatestState::kNoLog) continue;
      const char* what = state == LatestState::kMissing ? "is missing"
                         : state == LatestState::kBehind ? "is an older version (a crash between writes)"
                                                         : "differs from the newest log version (hand-edited)";
      auto& f = Add("latest_differs", log.LatestKey(), std::string("_LATEST.json ") + what);
      if (repair) {
        RUNLAKE_RETURN_NOT_OK(log.RepairLatest());
        f.repaired = true;
        f.action = "rewrote _LATEST.json from version " + std::to_string(newest);
      } else {
        f.action = "`runlake check --repair` rewrites it from the log";
      }
    }
    return Status::OK();
  }

  // Scratch folders ($TMPDIR) of this lake's canonical-table writers killed mid-write on
  // this machine (only this machine can tell their owner is gone).
  Status DeadScratch() {
    for (const auto& dir : Staging::DeadScratchDirs(store, kCanonicalScratchLabel)) {
      auto& f = Add("dead_scratch", dir, "scratch folder of a canonical_sources writer that is gone");
      if (repair) {
        RUNLAKE_RETURN_NOT_OK(Staging::RemoveScratchDir(dir));
        f.repaired = true;
        f.action = "removed";
      } else {
        f.action = "`runlake check --repair` removes it";
      }
    }
    return Status::OK();
  }

  // Whether run `rid` may still be writing: its claim names a live process, or another
  // host (which only that host can tell), or cannot be read.
  Result<bool> RunMayBeLive(const std::string& rid) {
    auto text = store.Get(layout::RunClaimKey(rid));
    if (!text.ok()) return text.status().IsNotFound() ? Result<bool>(false) : text.status();
    json claim = json::parse(*text, nullptr, false);
    return !claim.is_object() || !WriterIsGone(claim);
  }

  // `run_id=<RID>/` folders left empty on a local lake (S3 has no folders) by a run killed
  // between making the folder and placing its first file: no file in them names the run,
  // so deleting the run leaves them. Only of runs without a manifest and without a live
  // claim; the claim is read again right before each removal.
  Status EmptyRunFolders(const RunListing& listing) {
    auto marker = store.LocalPath("_lake.json");
    if (!marker) return Status::OK();
    const std::filesystem::path root = std::filesystem::path(*marker).parent_path();
    for (const auto& rel : EmptyRunDirs(root)) {
      std::string rid = std::filesystem::path(rel).filename().string().substr(7);
      if (!ValidateRunId(rid).ok() || listing.Find(rid) || listing.IsBroken(rid)) continue;
      RUNLAKE_ASSIGN_OR_RAISE(bool live, RunMayBeLive(rid));
      if (live) continue;
      auto& f = Add("empty_run_dir", rel, "empty folder of run " + rid +
                                              ", which has no manifest and no live claim (killed)");
      if (!repair) {
        f.action = "`runlake check --repair` removes it";
        continue;
      }
      std::error_code ec;
      if (!std::filesystem::remove(root / rel, ec) || ec) {
        f.action = "not removed: " + (ec ? ec.message() : std::string("already gone"));
        continue;
      }
      RemoveEmptyParents(root, (root / rel).parent_path());
      f.repaired = true;
      f.action = "removed";
    }
    return Status::OK();
  }

  Status Leftovers(const RunListing& listing) {
    RUNLAKE_ASSIGN_OR_RAISE(auto claims, store.List(layout::kRunClaimsPrefix));
    char host[256] = {0};
    gethostname(host, sizeof(host) - 1);
    for (const auto& o : claims) {
      std::string rid = o.key.substr(14, o.key.size() - 14 - 5);
      if (listing.Find(rid) || listing.IsBroken(rid)) continue;
      RUNLAKE_ASSIGN_OR_RAISE(std::string text, store.Get(o.key));
      json c = json::parse(text, nullptr, false);
      if (!c.is_object() || c.value("host", "") != host) continue;  // only this host can tell
      int64_t pid = c.value("pid", int64_t{0});
      if (pid <= 0 || kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
      auto& f = Add("dead_claim", o.key, "run " + rid + " was claimed by pid " + std::to_string(pid) +
                                             ", which is gone, and never committed");
      if (repair) {
        RUNLAKE_ASSIGN_OR_RAISE(auto out, DeleteRun(store, rid, false, PublishCanonicalTable));
        f.repaired = true;
        f.action = "deleted the claim and " + std::to_string(out.files_deleted) + " uncommitted files";
      } else {
        f.action = "`runlake check --repair` (or `runlake runs delete " + rid + "`) removes it";
      }
    }
    if (repair) {
      RUNLAKE_ASSIGN_OR_RAISE(auto swept, Staging::SweepDead(store));
      for (const auto& dir : swept) {
        auto& f = Add("dead_staging", dir, "staging directory of a process that is gone");
        f.repaired = true;
        f.action = "removed";
      }
    } else {
      for (const auto& dir : Staging::DeadDirs(store)) {
        Add("dead_staging", dir, "staging directory of a process that is gone").action =
            "`runlake check --repair` removes it";
      }
    }
    for (const auto& rel : Staging::DeadTempFiles(store)) {
      auto& f = Add("dead_temp", rel, "temp file of a writer that is gone (killed mid-write)");
      if (repair) {
        RUNLAKE_RETURN_NOT_OK(Staging::RemoveTempFile(store, rel));
        f.repaired = true;
        f.action = "removed";
      } else {
        f.action = "`runlake check --repair` removes it";
      }
    }
    if (!listing.index_problem.empty()) {
      auto& f = Add("run_index", kRunIndexKey, listing.index_problem);
      if (repair) {
        RUNLAKE_RETURN_NOT_OK(WriteRunIndex(store, listing));
        f.repaired = true;
        f.action = "rewrote the run index";
      }
    } else if (repair) {
      (void)WriteRunIndex(store, listing);  // a fresh checkpoint: readers fetch nothing
    }
    return Status::OK();
  }
};

}  // namespace

int CheckReport::unrepaired() const {
  int n = 0;
  for (const auto& f : findings) n += f.repaired ? 0 : 1;
  return n;
}

Result<CheckReport> CheckLake(ObjectStore& store, bool repair) {
  Checker c{store, repair, {}};
  RUNLAKE_ASSIGN_OR_RAISE(RunListing listing, ListRuns(store));
  RUNLAKE_RETURN_NOT_OK(c.Runs(listing));
  RUNLAKE_RETURN_NOT_OK(c.Bronze());
  std::set<std::pair<std::string, std::string>> logs;
  for (const char* layer : {"silver", "gold"}) {
    RUNLAKE_ASSIGN_OR_RAISE(auto objects, store.List(std::string(layer) + "/"));
    for (const auto& o : objects) {
      size_t at = o.key.find("/_pointer_log/");
      if (at == std::string::npos) at = o.key.find("/_LATEST.json");
      if (at == std::string::npos) continue;
      logs.insert({layer, o.key.substr(std::string(layer).size() + 1, at - std::string(layer).size() - 1)});
    }
  }
  RUNLAKE_RETURN_NOT_OK(c.Pointers(logs));
  RUNLAKE_RETURN_NOT_OK(c.Leftovers(listing));
  RUNLAKE_RETURN_NOT_OK(c.EmptyRunFolders(listing));
  RUNLAKE_RETURN_NOT_OK(c.DeadScratch());
  return c.report;
}

json CheckReportToJson(const CheckReport& r) {
  json findings = json::array();
  for (const auto& f : r.findings) {
    findings.push_back({{"kind", f.kind}, {"object", f.object}, {"problem", f.problem},
                        {"repaired", f.repaired}, {"action", f.action}});
  }
  return {{"ok", r.unrepaired() == 0}, {"unrepaired", r.unrepaired()}, {"findings", findings}};
}

}  // namespace runlake
