// FuzzCorpusReplay.<target>: each fuzz target (tests/fuzz/*_fuzz.cc), built without
// libFuzzer into this binary (tests/fuzz/CMakeLists.txt renames its LLVMFuzzerTestOneInput
// to <target>_TestOneInput), is fed
//   - every file of its seeds, tests/fuzz/corpus/<target>/ (so a crash file dropped there
//     is replayed by every test run), then
//   - the newest files of its growing corpus, ~/.cache/runlake/fuzz/<target>/ (what
//     scripts/fuzz.sh found), when there is one: at most RUNLAKE_FUZZ_REPLAY_FILES files
//     (default 1000) and RUNLAKE_FUZZ_REPLAY_SECONDS seconds (default 2) per target, so
//     the test stays short however long the campaigns have run.
// The fuzzing itself (new inputs, coverage, ASan) is scripts/fuzz.sh's.
//
// Why a child process: a target reports a disagreement the way libFuzzer needs it, by
// printing "fuzz check failed: ..." and calling abort() (fuzz_check.h), and an input that
// finds a real bug crashes or hangs. Neither can be caught in the test's own process, and
// a death test per input would cost a fork and a re-run of the binary each. So the inputs
// run in a forked child, one after the other as in libFuzzer, while the parent watches:
// before each input the child writes its index to memory shared with the parent and arms a
// 10 s alarm (libFuzzer's -timeout=10 in scripts/fuzz.sh). When the child dies (abort,
// signal, timeout, exit), the parent fails the test naming that file (the child's stderr,
// with the target's message, is the test's) and forks a new child for the inputs after it,
// so one run reports every failing file. The parent never runs a target itself.

#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <new>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace fs = std::filesystem;
using TestOneInput = int (*)(const uint8_t*, size_t);

#define RUNLAKE_FUZZ_TARGET(name) extern "C" int name##_TestOneInput(const uint8_t*, size_t);
#include "fuzz_replay_targets.h"
#undef RUNLAKE_FUZZ_TARGET

namespace {

constexpr unsigned kTimeoutSeconds = 10;

struct Input {
  std::string path;
  std::string bytes;
};

// Written by the child, read by the parent once the child has ended.
struct Shared {
  size_t current;  // index of the input being run
  size_t stopped;  // the child stopped there: the time for the growing corpus ran out
  bool finished;   // the child got through (or stopped) without dying
  // When the time for the growing corpus runs out; set by the child that reaches it
  // first (seeds that time out do not eat into it).
  std::chrono::steady_clock::time_point cached_deadline;
};

long EnvOr(const char* name, long fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  char* end = nullptr;
  long n = std::strtol(v, &end, 10);
  return (*end == '\0' && n >= 0) ? n : fallback;
}

bool ReadFile(const fs::path& p, std::string* out) {
  std::ifstream f(p, std::ios::binary);
  if (!f) return false;
  out->assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  return !f.bad();
}

// Regular files under dir (libFuzzer reads corpus folders recursively too).
std::vector<fs::directory_entry> Files(const fs::path& dir) {
  std::vector<fs::directory_entry> files;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec)) files.push_back(*it);
  }
  return files;
}

std::string Describe(int status) {
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    if (sig == SIGALRM) return "timed out (over " + std::to_string(kTimeoutSeconds) + " s)";
    return std::string("killed by signal ") + std::to_string(sig) + " (" + strsignal(sig) + ")";
  }
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  return "ended with wait status " + std::to_string(status);
}

// Runs inputs[start..] in a child; returns its wait status, or -1 when there is no child.
// Inputs from first_cached on (the growing corpus) get cached_seconds in all.
int RunChild(TestOneInput fn, const std::vector<Input>& inputs, size_t start,
             size_t first_cached, long cached_seconds, Shared* shared) {
  shared->current = start;
  shared->stopped = inputs.size();
  shared->finished = false;
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) {
    ADD_FAILURE() << "fork: " << std::strerror(errno);
    return -1;
  }
  if (pid == 0) {
    for (size_t i = start; i < inputs.size(); ++i) {
      if (i >= first_cached) {
        const auto now = std::chrono::steady_clock::now();
        if (shared->cached_deadline == std::chrono::steady_clock::time_point{}) {
          shared->cached_deadline = now + std::chrono::seconds(cached_seconds);
        }
        if (now >= shared->cached_deadline) {
          shared->stopped = i;
          break;
        }
      }
      shared->current = i;
      alarm(kTimeoutSeconds);
      const std::string& b = inputs[i].bytes;
      fn(reinterpret_cast<const uint8_t*>(b.data()), b.size());
      alarm(0);
    }
    shared->finished = true;
    std::fflush(nullptr);
    _exit(0);  // not exit(): the parent's atexit handlers and statics are the parent's
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

void Replay(const std::string& target, TestOneInput fn) {
  const auto started = std::chrono::steady_clock::now();
  std::vector<Input> inputs;

  const fs::path seeds = fs::path(RUNLAKE_SOURCE_DIR) / "tests/fuzz/corpus" / target;
  ASSERT_TRUE(fs::is_directory(seeds)) << seeds << " is missing: every target has seeds";
  auto seed_files = Files(seeds);
  std::sort(seed_files.begin(), seed_files.end(),
            [](const auto& a, const auto& b) { return a.path() < b.path(); });
  for (const auto& f : seed_files) {
    Input in{f.path().string(), ""};
    EXPECT_TRUE(ReadFile(f.path(), &in.bytes)) << "cannot read " << in.path;
    inputs.push_back(std::move(in));
  }
  const size_t first_cached = inputs.size();

  // The growing corpus, newest first (the inputs that last added coverage), capped. A file
  // that cannot be read is skipped: a campaign running beside the test may be replacing it.
  const long max_files = EnvOr("RUNLAKE_FUZZ_REPLAY_FILES", 1000);
  const long max_seconds = EnvOr("RUNLAKE_FUZZ_REPLAY_SECONDS", 2);
  size_t cached_total = 0;
  if (const char* home = std::getenv("HOME"); home != nullptr && max_files > 0) {
    const fs::path cache = fs::path(home) / ".cache/runlake/fuzz" / target;
    auto files = Files(cache);
    cached_total = files.size();
    std::vector<std::pair<fs::file_time_type, fs::path>> by_age;
    for (const auto& f : files) {
      std::error_code ec;
      auto t = f.last_write_time(ec);
      if (!ec) by_age.emplace_back(t, f.path());
    }
    std::sort(by_age.begin(), by_age.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    if (by_age.size() > static_cast<size_t>(max_files)) by_age.resize(max_files);
    for (const auto& entry : by_age) {
      Input in{entry.second.string(), ""};
      if (ReadFile(entry.second, &in.bytes)) inputs.push_back(std::move(in));
    }
  }

  // The child's reports come back through an anonymous shared mapping.
  void* mem = mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                   -1, 0);
  ASSERT_NE(mem, MAP_FAILED) << std::strerror(errno);
  Shared* shared = new (mem) Shared{};
  size_t start = 0, failures = 0, replayed = inputs.size();
  while (start < inputs.size()) {
    int status = RunChild(fn, inputs, start, first_cached, max_seconds, shared);
    if (status == -1) break;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && shared->finished) {
      replayed = shared->stopped;
      break;
    }
    const size_t at = shared->current;
    ++failures;
    ADD_FAILURE() << target << " fails on " << inputs[at].path << ": " << Describe(status)
                  << " (its message, if any, is above; reproduce with scripts/fuzz.sh's "
                     "build-fuzz/tests/fuzz/"
                  << target << " " << inputs[at].path << ")";
    start = at + 1;
  }
  munmap(mem, sizeof(Shared));

  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const size_t cached_run = replayed > first_cached ? replayed - first_cached : 0;
  std::ostringstream summary;
  summary << target << ": " << first_cached << " seeds, " << cached_run << " of "
          << cached_total << " files of ~/.cache/runlake/fuzz/" << target << ", " << failures
          << " failing, " << seconds << " s";
  std::printf("%s\n", summary.str().c_str());
  ::testing::Test::RecordProperty("replayed", std::to_string(replayed));
}

}  // namespace

#define RUNLAKE_FUZZ_TARGET(name) \
  TEST(FuzzCorpusReplay, name) { Replay(#name, name##_TestOneInput); }
#include "fuzz_replay_targets.h"
#undef RUNLAKE_FUZZ_TARGET
