// The state fault sweep on PostgreSQL (issue 13, item 3): the commands that keep records in
// the state store, run with `--state postgres://…` ($RUNLAKE_IT_STATE), each statement of
// theirs in turn crashed before or after it, its connection killed by the server, or met
// by a full disk (statement_faults_internal.h); after the fault and after the recovery, no
// execution, backfill or task is lost, stuck or applied twice, and the lake's invariants
// hold as in the object-store sweep. Each point gets its own copy of the template's
// database (CREATE DATABASE … TEMPLATE …) and of its lake.
//
// Left out of the kinds: `ioerror` here means every statement from K on killed, which only
// spends pg::Session's 60 s retry budget before the command fails like `diskfull` does;
// `torn` is `crash` (a statement has no half).

#include <gtest/gtest.h>

#include <cstdlib>

#include "integration/fault_sweep_driver.h"
#include "pg/pg_test_db.h"

namespace runlake::it {
namespace {

using runlake::testing::PgAdmin;
using runlake::testing::PgDatabaseFor;
using runlake::testing::PgServerUri;
using runlake::testing::WithDatabase;

// A database per lake of the sweep: the template's, then one copy per point.
Layer PgLayer(const std::string& scenario) {
  Layer layer{"RUNLAKE_TEST_STATE_FAULT", true};
  layer.sqlite = false;
  layer.kinds = {"crash", "crash_after", "transient", "diskfull"};
  auto tmpl = std::make_shared<std::string>();
  auto copies = std::make_shared<int>(0);
  layer.next_state = [scenario, tmpl, copies](bool is_template) {
    std::string uri;
    if (is_template) {
      uri = PgDatabaseFor("PgStateFaultSweep." + scenario);
      *tmpl = uri.substr(uri.rfind('/') + 1);
      tmpl->erase(tmpl->find('?') == std::string::npos ? tmpl->size() : tmpl->find('?'));
    } else {
      std::string name = *tmpl + "_p" + std::to_string((*copies)++);
      Status dropped = PgAdmin("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
      ASSERT_TRUE(dropped.ok()) << dropped.ToString();
      // The template must have no session left: the last command's may still be closing.
      Status made;
      for (int i = 0; i < 50; ++i) {
        made = PgAdmin("CREATE DATABASE " + name + " TEMPLATE " + *tmpl);
        if (made.ok() || made.message().find("being accessed by other users") == std::string::npos) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      ASSERT_TRUE(made.ok()) << made.ToString();
      uri = WithDatabase(PgServerUri(), name);
    }
    setenv("RUNLAKE_IT_STATE", uri.c_str(), 1);
  };
  return layer;
}

// The commands that write to the state store: an execution record (a daily run, a
// multi-source run), a backfill with its controller and the task queue (on PostgreSQL a
// backfill always runs through the queue, so backfill_run_promote is this one too).
const char* const kPgScenarios[] = {"run_daily", "run_multi_source", "backfill_queue_worker"};

class PgStateFaultSweep : public ::testing::TestWithParam<int> {};

TEST_P(PgStateFaultSweep, NoExecutionBackfillOrTaskLostStuckOrAppliedTwice) {
  RUNLAKE_SKIP_WITHOUT_PG();
  const std::string name = kPgScenarios[GetParam()];
  for (const Scenario& sc : Scenarios()) {
    if (sc.name != name) continue;
    Sweep(sc, PgLayer(name));
  }
  unsetenv("RUNLAKE_IT_STATE");
}

INSTANTIATE_TEST_SUITE_P(Commands, PgStateFaultSweep, ::testing::Range(0, 3),
                         [](const ::testing::TestParamInfo<int>& i) { return std::string(kPgScenarios[i.param]); });

}  // namespace
}  // namespace runlake::it
