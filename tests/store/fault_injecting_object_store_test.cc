// The fault-injecting decorator itself: spec parsing, one numbering across stores through
// the count file, and what each kind does (the crashes in a forked child, since they
// _exit the process).

#include "store/fault_injecting_object_store.h"

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace runlake {
namespace {

namespace fs = std::filesystem;

class FaultStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("fault-store-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "lake");
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<ObjectStore> Open(const std::string& spec) {
    auto parsed = ParseFaultSpec(spec + ",count=" + Count());
    EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
    return NewFaultInjectingObjectStore(NewLocalObjectStore((dir_ / "lake").string()), *parsed);
  }
  std::string Count() const { return (dir_ / "ops.txt").string(); }
  std::vector<std::string> Lines() const {
    std::ifstream f(Count());
    std::vector<std::string> out;
    for (std::string l; std::getline(f, l);) out.push_back(l);
    return out;
  }
  // Runs `body` in a child; returns its exit code.
  template <typename F>
  int InChild(F body) {
    pid_t pid = fork();
    if (pid == 0) {
      body();
      _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  fs::path dir_;
};

TEST(FaultSpec, ParsesAndRejects) {
  auto s = ParseFaultSpec("at=3,kind=torn,count=/tmp/x");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->at, 3u);
  EXPECT_EQ(s->kind, FaultKind::kTorn);
  EXPECT_EQ(s->count_path, "/tmp/x");
  EXPECT_TRUE(ParseFaultSpec("count=/tmp/x").ok());
  for (const char* bad : {"", "at=0,kind=crash", "at=2", "kind=crash", "at=x,kind=crash",
                          "at=1,kind=meteor", "count=", "colour=red", "at"}) {
    auto r = ParseFaultSpec(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) EXPECT_TRUE(r.status().IsInvalidArgument()) << bad;
  }
}

TEST_F(FaultStoreTest, CountsMutatingOpsAcrossStoresInOneNumbering) {
  auto a = Open("at=99,kind=crash");
  auto b = Open("at=99,kind=crash");
  ASSERT_TRUE(a->Put("x/one", "1").ok());
  ASSERT_TRUE(b->PutIfAbsent("x/two", "2").ok());
  ASSERT_TRUE(a->Get("x/one").ok());  // reads are not counted
  ASSERT_TRUE(a->Delete("x/one").ok());
  std::ofstream(dir_ / "local.bin") << "abc";
  ASSERT_TRUE(b->PutFile("x/three", (dir_ / "local.bin").string()).ok());
  EXPECT_EQ(Lines(), (std::vector<std::string>{"Put x/one", "PutIfAbsent x/two", "Delete x/one",
                                               "PutFile x/three"}));
}

TEST_F(FaultStoreTest, IOErrorIsStickyTransientFailsOnceDiskFullIsNotIOError) {
  auto sticky = Open("at=2,kind=ioerror");
  EXPECT_TRUE(sticky->Put("a", "1").ok());
  EXPECT_TRUE(sticky->Put("b", "2").IsIOError());
  EXPECT_TRUE(sticky->Put("c", "3").IsIOError());
  EXPECT_FALSE(fs::exists(dir_ / "lake/b"));
  fs::remove(Count());
  auto once = Open("at=1,kind=transient");
  EXPECT_TRUE(once->Put("d", "4").IsUnavailable());
  EXPECT_TRUE(once->Put("d", "4").ok());
  fs::remove(Count());
  auto full = Open("at=1,kind=diskfull");
  Status st = full->PutIfAbsent("e", "5");
  EXPECT_EQ(st.code(), StatusCode::kResourceExhausted) << st.ToString();
  EXPECT_TRUE(full->PutIfAbsent("e", "5").ok());
}

TEST_F(FaultStoreTest, CrashBeforeAndAfterTheOp) {
  EXPECT_EQ(InChild([&] { (void)Open("at=1,kind=crash")->Put("k", "v"); }), 137);
  EXPECT_FALSE(fs::exists(dir_ / "lake/k"));
  fs::remove(Count());
  EXPECT_EQ(InChild([&] { (void)Open("at=1,kind=crash_after")->Put("k", "v"); }), 137);
  EXPECT_TRUE(fs::exists(dir_ / "lake/k"));
}

TEST_F(FaultStoreTest, TornLeavesHalfATempFileTheBackendSkips) {
  const std::string data(1000, 'x');
  EXPECT_EQ(InChild([&] { (void)Open("at=1,kind=torn")->Put("d/obj", data); }), 137);
  EXPECT_FALSE(fs::exists(dir_ / "lake/d/obj"));
  std::vector<fs::path> temps;
  for (const auto& e : fs::directory_iterator(dir_ / "lake/d")) temps.push_back(e.path());
  ASSERT_EQ(temps.size(), 1u);
  EXPECT_EQ(temps[0].filename().string().rfind(".tmp-obj.", 0), 0u) << temps[0];
  EXPECT_EQ(fs::file_size(temps[0]), 500u);
  auto listed = NewLocalObjectStore((dir_ / "lake").string())->List("d/");
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->empty());
}

}  // namespace
}  // namespace runlake
