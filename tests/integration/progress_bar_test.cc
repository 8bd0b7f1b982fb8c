// `runlake run` shows a progress bar on a terminal and nothing of it otherwise (issue 14,
// "Progress on the terminal"). The terminal is a real pty from util-linux's `script`.

#include <gtest/gtest.h>

#include "cli_runner.h"

namespace runlake::it {
namespace {

TEST(ProgressBar, ARunOnATerminalDrawsItAndAPipeGetsNone) {
  ASSERT_TRUE(fs::exists("/usr/bin/script")) << "util-linux's script (bsdutils) is missing";
  TestLake lake;
  std::string gz = lake.Work("day.csv.gz");
  ASSERT_EQ(lake.Rl({"sample", gz, "--rows", "200000", "--date", "2024-01-15", "--seed", "5",
                     "--invalid-fraction", "0.01"}).exit_code, 0);
  std::string key = lake.Ingest(gz, "2024-01-15");
  WriteFile(lake.Work("tty.json"), InputJson("tty", key));
  WriteFile(lake.Work("pipe.json"), InputJson("pipe", key));

  // script -q -e -c CMD /dev/null: CMD gets a pty for stdin/stdout/stderr; everything it
  // writes there comes out on script's stdout.
  std::string cmd = Binary() + " --lake " + lake.lake() + " run --input " + lake.Work("tty.json");
  CmdResult tty;
  pid_t pid = Spawn({"/usr/bin/script", "-q", "-e", "-c", cmd, "/dev/null"}, lake.Work("tty.out"),
                    lake.Work("tty.err"), {"RUNLAKE_LAKE=", "RUNLAKE_STATE=", "TERM=xterm"}, lake.work());
  tty.exit_code = WaitExit(pid);
  tty.out = ReadFile(lake.Work("tty.out"));
  ASSERT_EQ(tty.exit_code, 0) << tty.out << ReadFile(lake.Work("tty.err"));
  EXPECT_NE(tty.out.find("rows/s"), std::string::npos) << tty.out;
  EXPECT_NE(tty.out.find("100%"), std::string::npos) << "the last draw is the whole object\n" << tty.out;
  EXPECT_NE(tty.out.find("rows, "), std::string::npos) << tty.out;
  EXPECT_NE(tty.out.find("ETA"), std::string::npos) << tty.out;
  EXPECT_NE(tty.out.find('\r'), std::string::npos) << "redrawn in place";
  EXPECT_NE(tty.out.find("SUCCEEDED"), std::string::npos) << "the summary follows the bar\n" << tty.out;

  CmdResult pipe = lake.Rl({"run", "--input", lake.Work("pipe.json")});
  ASSERT_EQ(pipe.exit_code, 0) << pipe.Describe();
  EXPECT_EQ(pipe.err.find("rows/s"), std::string::npos) << pipe.err;
  EXPECT_EQ(pipe.err.find('\r'), std::string::npos) << pipe.err;
}

}  // namespace
}  // namespace runlake::it
