// The queue tests through the binary (tests/queue/), built a second time against
// PostgreSQL: each test gets its own database (queue_util.h); without a server they skip.

#include <gtest/gtest.h>

#include "pg/pg_test_db.h"

namespace {

class NeedsPostgres : public ::testing::Environment {
 public:
  void SetUp() override {
    if (runlake::testing::PgServerUri().empty()) {
      GTEST_SKIP() << "RUNLAKE_TEST_PG is unset: start a server with `eval "
                      "\"$(scripts/pg-server.sh start)\"` (scripts/test.sh does)";
    }
  }
};

const auto* const kEnvironment = ::testing::AddGlobalTestEnvironment(new NeedsPostgres);

}  // namespace
