// The README's tour, pasted in order (issue 18, item 19): every ```sh block between "## A
// tour" and the next "## " heading, run as written by bash in a fresh folder that looks
// like a built clone (build/src/cli/runlake). An interactive shell expands aliases; a
// script needs `shopt -s expand_aliases` for the tour's `alias runlake=...`.

#include <gtest/gtest.h>

#include "cli_runner.h"

namespace runlake::it {
namespace {

std::string TourScript(const std::string& readme) {
  size_t begin = readme.find("\n## A tour");
  if (begin == std::string::npos) return "";
  size_t end = readme.find("\n## ", begin + 1);
  std::string tour = readme.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
  std::string script;
  size_t pos = 0;
  while ((pos = tour.find("```sh\n", pos)) != std::string::npos) {
    size_t body = pos + 6;
    size_t close = tour.find("\n```", body);
    if (close == std::string::npos) break;
    script += tour.substr(body, close - body + 1);
    pos = close + 4;
  }
  return script;
}

TEST(ReadmeTour, RunsAsWritten) {
  std::string script = TourScript(ReadFile(std::string(RUNLAKE_SOURCE_DIR) + "/README.md"));
  ASSERT_NE(script.find("runlake init"), std::string::npos) << "no tour found in README.md";
  TempDir clone;
  fs::create_directories(clone / "build/src/cli");
  fs::create_symlink(Binary(), clone / "build/src/cli/runlake");
  WriteFile(clone / "tour.sh", "set -e\nshopt -s expand_aliases\n" + script);
  std::string out = clone / "tour.out", err = clone / "tour.err";
  pid_t pid = Spawn({"/bin/bash", clone / "tour.sh"}, out, err,
                    {"RUNLAKE_LAKE=", "RUNLAKE_STATE=", "RUNLAKE_CACHE=off"}, clone.path());
  int rc = WaitExit(pid);
  EXPECT_EQ(rc, 0) << "--- script\n" << script << "\n--- stdout\n" << ReadFile(out) << "\n--- stderr\n"
                   << ReadFile(err);
  // The tour's own checks: the daily run published itself and the backfill was promoted.
  EXPECT_TRUE(fs::exists(clone / "lake/_runs/20240115T120000Z.json"));
  EXPECT_TRUE(fs::exists(clone / "lake/silver/mortgages/transactions/_pointer_log/0000000002.json"));
}

}  // namespace
}  // namespace runlake::it
