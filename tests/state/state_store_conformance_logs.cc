// The StateStore conformance suite, execution log part: lines kept with the executions
// (AppendLogLines, SearchLogLines, LogTotals): order, literal search, paging, the cap.
// Every backend's test target compiles this file beside state_store_conformance.cc.

#include <thread>

#include "state/state_store_conformance.h"

namespace runlake::testing {
namespace {

using nlohmann::json;

// A log line as exec_log writes it, `ts` seconds into 2026-01-29T15:00.
StoredLogLine Line(const std::string& execution, int ts, const std::string& message,
                   const std::string& run_id = "run-1") {
  char stamp[32];
  std::snprintf(stamp, sizeof(stamp), "2026-01-29T15:%02d:%02d.000Z", ts / 60, ts % 60);
  json line = {{"timestamp", stamp}, {"level", "INFO"}, {"message", message},
               {"run_id", run_id},   {"execution", execution}};
  return {execution, run_id, stamp, line.dump()};
}

std::vector<std::string> Messages(const std::vector<StoredLogLine>& lines) {
  std::vector<std::string> out;
  for (const auto& l : lines) out.push_back(json::parse(l.text).value("message", ""));
  return out;
}

TEST_P(StateStoreConformanceTest, LogLinesComeBackInTimestampOrderFromAnyStore) {
  // Appended out of timestamp order (two processes' batches); ties keep insertion order.
  ASSERT_TRUE(store_->AppendLogLines({Line("e1", 3, "third"), Line("e1", 1, "first")}).ok());
  ASSERT_TRUE(store_->AppendLogLines({Line("e1", 3, "third again"), Line("e2", 2, "other")}).ok());
  auto other = OpenAnother();
  ASSERT_NE(other, nullptr);
  StoredLogQuery q;
  auto all = other->SearchLogLines(q);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(Messages(*all), (std::vector<std::string>{"first", "other", "third", "third again"}));
  q.execution = "e1";
  auto e1 = other->SearchLogLines(q);
  ASSERT_TRUE(e1.ok());
  EXPECT_EQ(Messages(*e1), (std::vector<std::string>{"first", "third", "third again"}));
  EXPECT_EQ((*e1)[0].execution, "e1");
  EXPECT_EQ((*e1)[0].run_id, "run-1");
  EXPECT_EQ((*e1)[0].timestamp, "2026-01-29T15:00:01.000Z");

  q.newest_first = true;
  q.limit = 2;
  auto tail = other->SearchLogLines(q);
  ASSERT_TRUE(tail.ok());
  EXPECT_EQ(Messages(*tail), (std::vector<std::string>{"third again", "third"}));

  auto totals = other->LogTotals({"e1", "e2", "never-logged"});
  ASSERT_TRUE(totals.ok());
  ASSERT_EQ(totals->size(), 2u);
  EXPECT_EQ(totals->at("e1").lines, 3);
  EXPECT_EQ(totals->at("e1").bytes,
            static_cast<int64_t>(Line("e1", 3, "third").text.size() + Line("e1", 1, "first").text.size() +
                                 Line("e1", 3, "third again").text.size()));
  EXPECT_FALSE(totals->at("e1").truncated);
}

TEST_P(StateStoreConformanceTest, LogSearchIsLiteralCaseSensitiveAndAllTerms) {
  ASSERT_TRUE(store_
                  ->AppendLogLines({Line("e", 1, "100% of rows"), Line("e", 2, "1000 of rows"),
                                    Line("e", 3, "a_b quality gate"), Line("e", 4, "axb Quality gate"),
                                    Line("e", 5, "quality check", "run-2")})
                  .ok());
  auto find = [&](std::vector<std::string> terms, const std::string& run_id = "") {
    StoredLogQuery q;
    q.terms = std::move(terms);
    q.run_id = run_id;
    auto r = store_->SearchLogLines(q);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? Messages(*r) : std::vector<std::string>{};
  };
  // '%' and '_' are themselves, not LIKE wildcards.
  EXPECT_EQ(find({"0%"}), (std::vector<std::string>{"100% of rows"}));
  EXPECT_EQ(find({"a_b"}), (std::vector<std::string>{"a_b quality gate"}));
  EXPECT_EQ(find({"quality", "gate"}), (std::vector<std::string>{"a_b quality gate"}));
  EXPECT_EQ(find({"quality"}), (std::vector<std::string>{"a_b quality gate", "quality check"}));
  EXPECT_EQ(find({"quality"}, "run-2"), (std::vector<std::string>{"quality check"}));
  EXPECT_EQ(find({"nowhere"}), std::vector<std::string>{});
  // Terms match the JSON text, field names included.
  EXPECT_EQ(find({"\"level\":\"INFO\"", "1000"}), (std::vector<std::string>{"1000 of rows"}));

  StoredLogQuery skip;
  skip.skip_executions = {"e"};
  auto none = store_->SearchLogLines(skip);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_P(StateStoreConformanceTest, LogOfOneExecutionIsCappedWithOneMarkerLine) {
  const std::string big(100 * 1024, 'x');  // ~100 KiB per line: the cap falls after line 10
  std::vector<StoredLogLine> batch;
  for (int i = 0; i < 8; ++i) batch.push_back(Line("capped", i, big));
  auto more = store_->AppendLogLines(batch);
  ASSERT_TRUE(more.ok()) << more.status().ToString();
  EXPECT_TRUE(*more);
  batch.clear();
  for (int i = 8; i < 14; ++i) batch.push_back(Line("capped", i, big));
  batch.push_back(Line("small", 20, "unaffected"));
  more = store_->AppendLogLines(batch);
  ASSERT_TRUE(more.ok());
  EXPECT_FALSE(*more) << "the cap was reached in this batch";
  more = store_->AppendLogLines({Line("capped", 30, "late"), Line("small", 31, "still kept")});
  ASSERT_TRUE(more.ok());
  EXPECT_FALSE(*more);

  StoredLogQuery q;
  q.execution = "capped";
  auto lines = store_->SearchLogLines(q);
  ASSERT_TRUE(lines.ok());
  const int64_t per_line = static_cast<int64_t>(Line("capped", 0, big).text.size());
  const int64_t kept = kMaxStoredLogBytesPerExecution / per_line;
  ASSERT_EQ(static_cast<int64_t>(lines->size()), kept + 1);
  auto marker = json::parse(lines->back().text);
  EXPECT_EQ(marker["level"], "WARN");
  EXPECT_EQ(marker["log_truncated"], true);
  EXPECT_EQ(marker["execution"], "capped");
  EXPECT_NE(marker["message"].get<std::string>().find("truncated"), std::string::npos);
  auto totals = store_->LogTotals({"capped", "small"});
  ASSERT_TRUE(totals.ok());
  EXPECT_TRUE(totals->at("capped").truncated);
  EXPECT_EQ(totals->at("capped").lines, kept + 1);
  EXPECT_LE(totals->at("capped").bytes, kMaxStoredLogBytesPerExecution + 1024);
  EXPECT_FALSE(totals->at("small").truncated);
  EXPECT_EQ(totals->at("small").lines, 2);
}

TEST_P(StateStoreConformanceTest, ConcurrentWritersOfOneLogLoseNoLine) {
  constexpr int kThreads = 4, kBatches = 10, kPerBatch = 5;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto store = OpenAnother();  // one connection each, as separate processes would have
      ASSERT_NE(store, nullptr);
      for (int b = 0; b < kBatches; ++b) {
        std::vector<StoredLogLine> batch;
        for (int i = 0; i < kPerBatch; ++i) {
          batch.push_back(Line("shared", b, "t" + std::to_string(t) + " b" + std::to_string(b) +
                                                " i" + std::to_string(i)));
        }
        auto r = store->AppendLogLines(batch);
        ASSERT_TRUE(r.ok()) << r.status().ToString();
      }
    });
  }
  for (auto& th : threads) th.join();
  StoredLogQuery q;
  q.execution = "shared";
  auto lines = store_->SearchLogLines(q);
  ASSERT_TRUE(lines.ok());
  EXPECT_EQ(lines->size(), static_cast<size_t>(kThreads * kBatches * kPerBatch));
  auto totals = store_->LogTotals({"shared"});
  ASSERT_TRUE(totals.ok());
  EXPECT_EQ(totals->at("shared").lines, kThreads * kBatches * kPerBatch);
}

}  // namespace
}  // namespace runlake::testing
