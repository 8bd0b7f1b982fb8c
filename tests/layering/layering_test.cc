// Each folder of src/ is a room that may use only the rooms listed before it (DESIGN.md,
// "Modules"): common, store, ingest, engine, lake, state, orchestrate, queue, backfill,
// serve, cli. Inside state/, each backend folder sees only the state core, never the other
// backend; the core sees no backend except open_state_store.cc, which picks one. Only
// engine/ includes duckdb.h. These are read from the #include lines of every source file,
// so a door opened the wrong way fails here rather than in review.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kRooms = {"common", "store",       "ingest", "engine",
                                         "lake",   "state",       "orchestrate", "queue",
                                         "backfill", "serve",     "cli"};

int RankOf(const std::string& room) {
  for (size_t i = 0; i < kRooms.size(); ++i) {
    if (kRooms[i] == room) return static_cast<int>(i);
  }
  return -1;
}

struct Include {
  std::string file;  // relative to src/
  int line;
  std::string target;  // the quoted path
};

std::vector<Include> IncludesUnder(const fs::path& src) {
  static const std::regex kInclude(R"re(^\s*#\s*include\s*[<"]([^">]+)[">])re");
  std::vector<Include> out;
  for (const auto& entry : fs::recursive_directory_iterator(src)) {
    if (!entry.is_regular_file()) continue;
    auto ext = entry.path().extension();
    if (ext != ".cc" && ext != ".h") continue;
    std::ifstream in(entry.path());
    std::string text;
    int n = 0;
    while (std::getline(in, text)) {
      ++n;
      std::smatch m;
      if (std::regex_search(text, m, kInclude)) {
        out.push_back({fs::relative(entry.path(), src).generic_string(), n, m[1].str()});
      }
    }
  }
  return out;
}

std::string FirstPart(const std::string& path) { return path.substr(0, path.find('/')); }

// The backend folder of a path under state/ ("sqlite", "postgres"), or "" for the core.
std::string BackendOf(const std::string& path) {
  if (path.rfind("state/", 0) != 0) return "";
  std::string rest = path.substr(6);
  size_t slash = rest.find('/');
  return slash == std::string::npos ? "" : rest.substr(0, slash);
}

// Every violation, one line each, so a failure names all of them at once.
std::vector<std::string> Violations(const std::vector<Include>& includes) {
  std::vector<std::string> bad;
  for (const Include& inc : includes) {
    const std::string where = inc.file + ":" + std::to_string(inc.line) + " includes " + inc.target;
    const std::string from = FirstPart(inc.file);
    if (inc.target == "duckdb.h" && from != "engine") bad.push_back(where + " (only engine/ uses DuckDB)");
    const std::string to = FirstPart(inc.target);
    int from_rank = RankOf(from), to_rank = RankOf(to);
    if (from_rank < 0) {
      bad.push_back(inc.file + ": not in any room of DESIGN.md");
      continue;
    }
    if (to_rank < 0 || inc.target.find('/') == std::string::npos) continue;  // runlake/, system
    if (to_rank > from_rank) {
      bad.push_back(where + " (" + from + " comes before " + to + ")");
      continue;
    }
    if (from == "state" && to == "state") {
      std::string from_backend = BackendOf(inc.file), to_backend = BackendOf(inc.target);
      if (!to_backend.empty() && to_backend != from_backend &&
          inc.file != "state/open_state_store.cc") {
        bad.push_back(where + (from_backend.empty() ? " (the state core sees no backend)"
                                                    : " (a backend sees only the state core)"));
      }
    }
  }
  return bad;
}

TEST(Layering, IncludesFollowTheRoomsOneWay) {
  const fs::path src = fs::path(RUNLAKE_SOURCE_DIR) / "src";
  auto includes = IncludesUnder(src);
  ASSERT_GT(includes.size(), 100u) << "no sources found under " << src;
  std::string report;
  for (const auto& v : Violations(includes)) report += v + "\n";
  EXPECT_TRUE(report.empty()) << report;
}

TEST(Layering, TheCheckCatchesEachKindOfWrongDoor) {
  std::vector<Include> wrong = {
      {"state/sqlite/store.cc", 3, "backfill/backfill_controller.h"},  // up the order
      {"state/sqlite/store.cc", 4, "state/postgres/conn_internal.h"},  // backend to backend
      {"state/backfill_values.cc", 5, "state/sqlite/db_internal.h"},   // core to backend
      {"queue/task_runner.cc", 6, "backfill/backfill_task.h"},         // queue before backfill
      {"lake/catalog.cc", 7, "duckdb.h"},                              // DuckDB outside engine
      {"misc/x.cc", 8, "common/clock.h"},                              // a folder of no room
  };
  EXPECT_EQ(Violations(wrong).size(), wrong.size());
  std::vector<Include> right = {
      {"state/sqlite/store.cc", 3, "state/state_store.h"},
      {"state/open_state_store.cc", 4, "state/sqlite/schema_internal.h"},
      {"backfill/backfill_task.cc", 5, "queue/task_runner.h"},
      {"engine/engine.cc", 6, "duckdb.h"},
      {"cli/main.cc", 7, "runlake/status.h"},
  };
  EXPECT_TRUE(Violations(right).empty());
}

}  // namespace
