// Each folder of src/ is a room that may use only the rooms listed before it (DESIGN.md,
// "Modules"): common, contract, store, ingest, engine, ledger, pipeline, catalog, state,
// orchestrate, queue, backfill, serve, cli (contract, dataset contracts, uses only common, so
// every later room may read one); the pipeline (the write path) and the catalog (the read
// path) never see each other. Each public header include/runlake/X.h belongs to the room
// that implements it (kPublicHeaders), so `#include "runlake/X.h"` opens the same door as
// an include of that room, and the public headers themselves obey their room's order.
// Inside state/, each backend folder sees only the state core, never the other backend;
// the core sees no backend except open_state_store.cc, which picks one. Only engine/
// includes duckdb.h. These are read from the #include lines of every source file, so a
// door opened the wrong way fails here rather than in review.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kRooms = {"common",   "contract", "store",       "ingest", "engine",
                                         "ledger",   "pipeline", "catalog",     "state",  "orchestrate",
                                         "queue",    "backfill", "serve",       "cli"};

// Rooms of the same rank in all but name: neither may use the other.
const std::vector<std::pair<std::string, std::string>> kStrangers = {{"pipeline", "catalog"}};

// include/runlake/<file> -> the room that implements it.
const std::map<std::string, std::string> kPublicHeaders = {
    {"status.h", "common"},       {"version.h", "common"},      {"contract.h", "contract"},
    {"contract_diff.h", "contract"}, {"contract_evolution.h", "contract"},
    {"builtin_contracts.h", "contract"}, {"object_store.h", "store"}, {"lake_doctor.h", "store"},
    {"row_batch.h", "ingest"},    {"rules.h", "ingest"},        {"layout.h", "ledger"},
    {"run_manifest.h", "ledger"}, {"run_index.h", "ledger"},    {"pointer.h", "ledger"},
    {"promote.h", "ledger"},      {"run_delete.h", "ledger"},   {"dataset_revisions.h", "ledger"},   {"bronze.h", "pipeline"},
    {"ingest.h", "pipeline"},     {"run.h", "pipeline"},        {"sample.h", "pipeline"},
    {"derived_binding.h", "pipeline"},
    {"canonical_table.h", "catalog"}, {"check.h", "catalog"},   {"gold.h", "catalog"},
    {"run_diff.h", "catalog"},    {"backfill.h", "state"},      {"execution.h", "state"},
    {"task_queue.h", "state"},    {"state_store.h", "state"},   {"execution_store.h", "state"},
    {"log_store.h", "state"},     {"backfill_store.h", "state"}, {"task_store.h", "state"},
    {"reaping_reads.h", "state"}, {"lake_session.h", "state"}, {"clock.h", "common"},        {"catalog_export.h", "catalog"},
    {"execution_runner.h", "orchestrate"}, {"execution_stop.h", "orchestrate"},
    {"execution_recovery.h", "orchestrate"}, {"exec_log.h", "orchestrate"},
    {"task_runner.h", "queue"},   {"task_worker.h", "queue"},   {"backfill_controller.h", "backfill"},
    {"query_result.h", "engine"}, {"result_format.h", "engine"}, {"lake_query.h", "catalog"},
    {"dashboard_server.h", "serve"}, {"run_listing.h", "ledger"},
    {"backfill_plan.h", "backfill"}, {"backfill_report.h", "backfill"}, {"backfill_task.h", "backfill"},
};

int RankOf(const std::string& room) {
  for (size_t i = 0; i < kRooms.size(); ++i) {
    if (kRooms[i] == room) return static_cast<int>(i);
  }
  return -1;
}

struct Include {
  std::string file;  // relative to src/ (a public header: "runlake/<file>")
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

// The room a path belongs to: its first folder, or for runlake/<file> the room that
// implements the header ("" when the table does not know it).
std::string RoomOf(const std::string& path) {
  std::string first = FirstPart(path);
  if (first != "runlake") return first;
  auto it = kPublicHeaders.find(path.substr(first.size() + 1));
  return it == kPublicHeaders.end() ? "" : it->second;
}

bool Strangers(const std::string& a, const std::string& b) {
  for (const auto& [x, y] : kStrangers) {
    if ((a == x && b == y) || (a == y && b == x)) return true;
  }
  return false;
}

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
    const std::string from = RoomOf(inc.file);
    if (inc.target == "duckdb.h" && from != "engine") bad.push_back(where + " (only engine/ uses DuckDB)");
    int from_rank = RankOf(from);
    if (from_rank < 0) {
      bad.push_back(inc.file + ": not in any room of DESIGN.md");
      continue;
    }
    if (inc.target.find('/') == std::string::npos) continue;  // system and library headers
    const std::string to = RoomOf(inc.target);
    // The API is include/runlake/: a public header opens no room's private door, and the
    // CLI, which only parses and prints, uses nothing else (its own cli/ helpers aside).
    const bool into_room = RankOf(FirstPart(inc.target)) >= 0;
    if (FirstPart(inc.file) == "runlake" && into_room) {
      bad.push_back(where + " (a public header includes only runlake/ and library headers)");
      continue;
    }
    if (from == "cli" && into_room && FirstPart(inc.target) != "cli") {
      bad.push_back(where + " (the CLI uses only the public API in include/runlake/)");
      continue;
    }
    if (FirstPart(inc.target) == "runlake" && to.empty()) {
      if (inc.target != "runlake/git_commit.h") {  // generated at build time, in common
        bad.push_back(where + " (a public header that kPublicHeaders does not place in a room)");
      }
      continue;
    }
    int to_rank = RankOf(to);
    if (to_rank < 0) continue;  // a library's folder (nlohmann/, CLI/, gtest/)
    if (to_rank > from_rank) {
      bad.push_back(where + " (" + from + " comes before " + to + ")");
      continue;
    }
    if (Strangers(from, to)) {
      bad.push_back(where + " (" + from + " and " + to + " never see each other)");
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
  // The public headers, as runlake/<file>.
  for (Include inc : IncludesUnder(fs::path(RUNLAKE_SOURCE_DIR) / "include")) includes.push_back(inc);
  std::string report;
  for (const auto& v : Violations(includes)) report += v + "\n";
  EXPECT_TRUE(report.empty()) << report;
}

TEST(Layering, TheCheckCatchesEachKindOfWrongDoor) {
  std::vector<Include> wrong = {
      {"state/sqlite/store.cc", 3, "runlake/backfill_controller.h"},  // up the order
      {"state/sqlite/store.cc", 4, "state/postgres/conn_internal.h"},  // backend to backend
      {"state/backfill_values.cc", 5, "state/sqlite/db_internal.h"},   // core to backend
      {"queue/task_runner.cc", 6, "runlake/backfill_task.h"},         // queue before backfill
      {"ledger/pointer.cc", 7, "duckdb.h"},                            // DuckDB outside engine
      {"misc/x.cc", 8, "runlake/clock.h"},                              // a folder of no room
      {"ledger/pointer.cc", 9, "runlake/canonical_table.h"},           // a public header up
      {"pipeline/run_pipeline.cc", 10, "catalog/catalog.h"},           // write path to read path
      {"catalog/gold.cc", 11, "runlake/run.h"},                        // read path to write path
      {"runlake/pointer.h", 12, "runlake/run_diff.h"},                 // public header up
      {"cli/main.cc", 13, "runlake/nowhere.h"},                        // a header of no room
      {"contract/parse_contract.cc", 14, "ingest/timestamp_format.h"},  // contract: common only
      {"runlake/contract.h", 15, "runlake/rules.h"},                   // the same, in public
      {"cli/cmd_query.cc", 16, "catalog/catalog.h"},                   // the CLI past the API
      {"runlake/run_diff.h", 17, "catalog/catalog.h"},                 // a public header inward
  };
  EXPECT_EQ(Violations(wrong).size(), wrong.size());
  std::vector<Include> right = {
      {"state/sqlite/store.cc", 3, "runlake/state_store.h"},
      {"state/open_state_store.cc", 4, "state/sqlite/schema_internal.h"},
      {"backfill/backfill_task.cc", 5, "runlake/task_runner.h"},
      {"engine/engine.cc", 6, "duckdb.h"},
      {"cli/main.cc", 7, "runlake/status.h"},
      {"cli/cmd_query.cc", 12, "cli/cli_context.h"},
      {"catalog/check.cc", 8, "runlake/run_delete.h"},
      {"runlake/promote.h", 9, "runlake/pointer.h"},
      {"contract/contract.cc", 10, "common/sha256.h"},
      {"ingest/transform.cc", 11, "runlake/contract.h"},
  };
  EXPECT_TRUE(Violations(right).empty());
}

}  // namespace
