#include "runlake/run_index.h"

#include <algorithm>
#include <unordered_map>

#include "runlake/clock.h"
#include "common/parallel.h"

namespace runlake {

using nlohmann::json;

namespace {

struct IndexEntry {
  uint64_t size = 0;
  std::string etag;
  const json* manifest = nullptr;
};

std::string Tag(const ObjectInfo& o) { return o.etag + "-" + std::to_string(o.size); }

// The run_id a key of _runs/ names, "" for bookkeeping (claims, the index, other files).
std::string RunIdOfKey(const std::string& key) {
  std::string rest = key.substr(std::string(layout::kRunsPrefix).size());
  if (rest.find('/') != std::string::npos || rest.size() <= 5 ||
      rest.compare(rest.size() - 5, 5, ".json") != 0) {
    return "";
  }
  std::string rid = rest.substr(0, rest.size() - 5);
  return ValidateRunId(rid).ok() ? rid : "";
}

// Parses one manifest's text; a problem string instead when it is not a manifest of `rid`.
Result<RunManifest> ParseManifest(const std::string& text, const std::string& key,
                                  const std::string& rid) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::Corruption(key + ": not valid JSON");
  RUNLAKE_ASSIGN_OR_RAISE(RunManifest m, ManifestFromJson(j, key));
  if (m.run_id != rid) return Status::Corruption(key + ": names run '" + m.run_id + "'");
  return m;
}

}  // namespace

const RunManifest* RunListing::Find(const std::string& run_id) const {
  auto it = std::lower_bound(runs.begin(), runs.end(), run_id,
                             [](const RunManifest& m, const std::string& r) { return m.run_id < r; });
  return it != runs.end() && it->run_id == run_id ? &*it : nullptr;
}

bool RunListing::IsBroken(const std::string& run_id) const {
  return std::any_of(broken.begin(), broken.end(),
                     [&](const BrokenRun& b) { return b.run_id == run_id; });
}

Result<RunListing> ListRuns(ObjectStore& store) {
  RUNLAKE_ASSIGN_OR_RAISE(auto objects, store.List(layout::kRunsPrefix));
  RunListing out;
  json index;
  std::unordered_map<std::string, IndexEntry> entries;
  bool any_etag = std::any_of(objects.begin(), objects.end(),
                              [](const ObjectInfo& o) { return !o.etag.empty(); });
  if (any_etag) {
    auto text = store.Get(kRunIndexKey);
    if (text.ok()) {
      index = json::parse(*text, nullptr, false);
      if (index.is_object() && index.value("format", "") == "runlake-run-index" &&
          index.contains("runs") && index["runs"].is_array()) {
        out.index_used = true;
        for (const auto& e : index["runs"]) {
          if (!e.is_object() || !e.contains("manifest") || !e["run_id"].is_string()) continue;
          entries[e["run_id"].get<std::string>()] =
              IndexEntry{e.value("size", uint64_t{0}), e.value("etag", ""), &e["manifest"]};
        }
      } else {
        out.index_problem = std::string(kRunIndexKey) + " is not a run index";
      }
    } else if (!text.status().IsNotFound()) {
      return text.status();
    }
  }

  struct Slot {
    std::string rid, key;
    std::optional<RunManifest> manifest;
    std::string problem;
    bool fetch = false;
    Status io;
  };
  std::vector<Slot> slots;
  for (const auto& o : objects) {
    std::string rid = RunIdOfKey(o.key);
    if (rid.empty()) continue;
    out.tags[rid] = Tag(o);
    Slot s{rid, o.key};
    auto it = entries.find(rid);
    if (it != entries.end() && !o.etag.empty() && it->second.etag == o.etag &&
        it->second.size == o.size) {
      auto m = ManifestFromJson(*it->second.manifest, o.key);
      if (m.ok() && m->run_id == rid) s.manifest = std::move(*m);
    }
    s.fetch = !s.manifest;
    slots.push_back(std::move(s));
  }
  ParallelFor(slots.size(), kParallelRequests, [&](size_t i) {
    Slot& s = slots[i];
    if (!s.fetch) return;
    auto text = store.Get(s.key);
    if (!text.ok()) {
      // Deleted between the LIST and the GET: the run is gone, not broken.
      if (!text.status().IsNotFound()) s.io = text.status();
      return;
    }
    auto m = ParseManifest(*text, s.key, s.rid);
    if (m.ok()) s.manifest = std::move(*m);
    else s.problem = m.status().message();
  });
  for (auto& s : slots) {
    RUNLAKE_RETURN_NOT_OK(s.io);
    out.manifests_fetched += s.fetch ? 1 : 0;
    if (s.manifest) out.runs.push_back(std::move(*s.manifest));
    else if (!s.problem.empty()) out.broken.push_back(BrokenRun{s.rid, s.problem});
    else out.tags.erase(s.rid);
  }
  std::sort(out.runs.begin(), out.runs.end(),
            [](const RunManifest& a, const RunManifest& b) { return a.run_id < b.run_id; });
  return out;
}

Status WriteRunIndex(ObjectStore& store, const RunListing& listing,
                     const std::vector<RunManifest>& extra) {
  // The index needs each manifest's current (size, ETag): one LIST gives them all.
  RUNLAKE_ASSIGN_OR_RAISE(auto objects, store.List(layout::kRunsPrefix));
  std::unordered_map<std::string, const RunManifest*> known;
  for (const auto& m : listing.runs) known[m.run_id] = &m;
  for (const auto& m : extra) known[m.run_id] = &m;
  json runs = json::array();
  for (const auto& o : objects) {
    std::string rid = RunIdOfKey(o.key);
    auto it = known.find(rid);
    if (rid.empty() || it == known.end() || o.etag.empty()) continue;
    // A run deleted and committed again since `listing` has a new tag: leave it out.
    auto tag = listing.tags.find(rid);
    if (tag != listing.tags.end() && tag->second != Tag(o)) continue;
    runs.push_back({{"run_id", rid}, {"size", o.size}, {"etag", o.etag},
                    {"manifest", ManifestToJson(*it->second)}});
  }
  if (runs.empty()) return Status::OK();
  json doc = {{"format", "runlake-run-index"}, {"version", 1}, {"written_at", NowIso8601Utc()},
              {"runs", runs}};
  return store.Put(kRunIndexKey, doc.dump());
}

}  // namespace runlake
