// `runlake dataset apply|list|show|diff` through the binary (DESIGN.md, "Revisions"): the
// revision log in the lake, the evolution rules at apply (refused: exit 1, nothing stored), a
// bad contract (exit 2 naming file, line and column), concurrent applies, `init`'s built-in
// revision 1, and the contract_revision/contract_sha256 a run records.

#include <gtest/gtest.h>

#include <set>

#include "cli_runner.h"
#include "common/sha256.h"

namespace runlake::it {
namespace {

const std::string kFxV1 =
    "dataset: treasury/fx_rates\n"
    "description: Daily reference rates\n"
    "partition_by: rate_date\n"
    "key: [rate_date, base, quote]\n"
    "schemas:\n"
    "  v1:\n"
    "    columns:\n"
    "      - {name: rate_date, from: RateDate, type: date, required: true}\n"
    "      - {name: base, from: Base, type: string, required: true, enum: iso4217}\n"
    "      - {name: quote, from: Quote, type: string, required: true, enum: iso4217}\n"
    "      - {name: rate, from: Rate, type: \"decimal(18,8)\", required: true, min: \"0.00000001\"}\n";

// v1 with a new version that adds a column, and a looser gate: an allowed evolution.
const std::string kFxV2 = kFxV1 +
    "  v2:\n"
    "    extends: v1\n"
    "    columns:\n"
    "      - {name: rate_type, from: RateType, type: string, required: true, enum: [MID, BID, ASK]}\n"
    "gate: {max_quarantine_rate: 0.1}\n";

const std::string kCsv =
    "TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp\n"
    "T1,ACC1,10.00,EUR,2024-01-15T10:00:00Z\n"
    "T2,ACC2,20.00,USD,2024-01-15T11:00:00Z\n";

class DatasetContract : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(lake_.Rl({"init"}).exit_code, 0); }
  std::string Write(const std::string& name, const std::string& text) {
    WriteFile(lake_.Work(name), text);
    return lake_.Work(name);
  }
  std::vector<std::string> DatasetKeys() { return ListFiles(lake_.Lake("_datasets")); }
  TestLake lake_;
};

TEST_F(DatasetContract, InitStoresTheBuiltinContractAsRevisionOne) {
  EXPECT_EQ(DatasetKeys(), std::vector<std::string>{"mortgages/transactions/0000000001.yaml"});
  ASSERT_EQ(lake_.Rl({"init"}).exit_code, 0);  // idempotent
  EXPECT_EQ(DatasetKeys().size(), 1u);
  json show = lake_.RlJson({"dataset", "show", "mortgages/transactions"});
  EXPECT_EQ(show["revision"], 1);
  EXPECT_NE(show["contract"].get<std::string>().find("key_reason: DUPLICATE_TRANSACTION_ID"), std::string::npos);
  EXPECT_EQ(show["contract_sha256"], Sha256::Of(show["contract"].get<std::string>()));
  // Text: the YAML exactly as stored, so applying it again is a no-op.
  CmdResult text = lake_.Rl({"dataset", "show", "mortgages/transactions"});
  ASSERT_EQ(text.exit_code, 0) << text.Describe();
  EXPECT_EQ(text.out, show["contract"].get<std::string>());
  CmdResult again = lake_.Rl({"dataset", "apply", Write("tx.yaml", text.out)});
  EXPECT_EQ(again.exit_code, 0) << again.Describe();
  EXPECT_NE(again.out.find("nothing stored"), std::string::npos) << again.Describe();
  EXPECT_EQ(DatasetKeys().size(), 1u);
}

TEST_F(DatasetContract, ApplyListShowDiffInTextAndJson) {
  CmdResult applied = lake_.Rl({"dataset", "apply", Write("fx1.yaml", kFxV1), "--reason", "onboard fx"});
  ASSERT_EQ(applied.exit_code, 0) << applied.Describe();
  EXPECT_NE(applied.out.find("treasury/fx_rates revision 1"), std::string::npos) << applied.out;
  json second = lake_.RlJson({"dataset", "apply", Write("fx2.yaml", kFxV2), "--reason", "rate types"});
  EXPECT_EQ(second["revision"], 2);
  EXPECT_EQ(second["applied"], true);
  EXPECT_EQ(second["contract_sha256"], Sha256::Of(kFxV2));
  // The same bytes again: a no-op that says so.
  json same = lake_.RlJson({"dataset", "apply", lake_.Work("fx2.yaml")});
  EXPECT_EQ(same["applied"], false);
  EXPECT_EQ(same["revision"], 2);
  EXPECT_EQ(DatasetKeys().size(), 3u);

  json list = lake_.RlJson({"dataset", "list"});
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]["dataset"], "mortgages/transactions");
  EXPECT_EQ(list[1]["dataset"], "treasury/fx_rates");
  EXPECT_EQ(list[1]["revision"], 2);
  EXPECT_EQ(list[1]["reason"], "rate types");
  EXPECT_EQ(list[1]["schemas"], json::array({"v1", "v2"}));
  EXPECT_FALSE(list[1].contains("contract"));
  for (const char* field : {"contract_sha256", "created_at", "created_by"}) {
    EXPECT_FALSE(list[1][field].get<std::string>().empty()) << field;
  }
  CmdResult table = lake_.Rl({"dataset", "list"});
  EXPECT_NE(table.out.find("DATASET"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("v1,v2"), std::string::npos) << table.out;

  json old = lake_.RlJson({"dataset", "show", "treasury/fx_rates", "--revision", "1"});
  EXPECT_EQ(old["contract"], kFxV1);
  EXPECT_EQ(old["reason"], "onboard fx");
  EXPECT_EQ(lake_.Rl({"dataset", "show", "treasury/fx_rates"}).out, kFxV2);
  EXPECT_EQ(lake_.Rl({"dataset", "show", "treasury/fx_rates", "--revision", "9"}).exit_code, 2);
  EXPECT_EQ(lake_.Rl({"dataset", "show", "treasury/fx_rates", "--revision", "0"}).exit_code, 2);

  json diff = lake_.RlJson({"dataset", "diff", "treasury/fx_rates", "1", "2"});
  EXPECT_EQ(diff["from"], 1);
  EXPECT_EQ(diff["to"], 2);
  std::set<std::string> paths;
  for (const auto& c : diff["changes"]) paths.insert(c["path"].get<std::string>());
  EXPECT_TRUE(paths.count("schemas.v2")) << diff.dump();
  EXPECT_TRUE(paths.count("gate.max_quarantine_rate")) << diff.dump();
  CmdResult text = lake_.Rl({"dataset", "diff", "treasury/fx_rates"});  // newest against the one before
  ASSERT_EQ(text.exit_code, 0) << text.Describe();
  EXPECT_NE(text.out.find("revision 1 -> 2"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("gate.max_quarantine_rate"), std::string::npos) << text.out;
}

TEST_F(DatasetContract, ABadContractExitsTwoNamingFileLineAndColumn) {
  const auto before = DatasetKeys();
  const std::string bad = Write("bad.yaml", kFxV1 + "      - {name: spread, type: float}\n");
  CmdResult r = lake_.Rl({"dataset", "apply", bad});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_NE(r.err.find(bad + ":12:"), std::string::npos) << r.Describe();
  EXPECT_NE(r.err.find("type"), std::string::npos) << r.Describe();
  json j = json::parse(lake_.Rl({"--json", "dataset", "apply", bad}).out);
  EXPECT_EQ(j["error"]["exit_code"], 2);
  EXPECT_EQ(lake_.Rl({"dataset", "apply", lake_.Work("missing.yaml")}).exit_code, 2);
  EXPECT_EQ(DatasetKeys(), before);
}

TEST_F(DatasetContract, ARefusedEvolutionExitsOneAndStoresNothing) {
  ASSERT_EQ(lake_.Rl({"dataset", "apply", Write("fx1.yaml", kFxV1)}).exit_code, 0);
  const auto before = ListFiles(lake_.lake());
  std::string changed = kFxV1;
  changed.replace(changed.find("decimal(18,8)"), 13, "decimal(20,8)");
  CmdResult r = lake_.Rl({"dataset", "apply", Write("fx-bad.yaml", changed)});
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  EXPECT_NE(r.err.find("schemas.v1.columns.rate"), std::string::npos) << r.Describe();
  // A second dataset named like the first's last segment: its views would collide.
  std::string twin = kFxV1;
  twin.replace(twin.find("treasury"), 8, "markets");
  CmdResult collide = lake_.Rl({"dataset", "apply", Write("twin.yaml", twin)});
  EXPECT_EQ(collide.exit_code, 1) << collide.Describe();
  const auto after = ListFiles(lake_.lake());
  std::vector<std::string> lake_only_before, lake_only_after;
  for (const auto& f : before) if (f.rfind("_state/", 0) != 0) lake_only_before.push_back(f);
  for (const auto& f : after) if (f.rfind("_state/", 0) != 0) lake_only_after.push_back(f);
  EXPECT_EQ(lake_only_after, lake_only_before);
}

TEST_F(DatasetContract, ConcurrentAppliesProduceConsecutiveRevisions) {
  ASSERT_EQ(lake_.Rl({"dataset", "apply", Write("fx1.yaml", kFxV1)}).exit_code, 0);
  constexpr int kProcesses = 4;
  std::vector<pid_t> pids;
  for (int i = 0; i < kProcesses; ++i) {
    std::string file = Write("fx-" + std::to_string(i) + ".yaml",
                             kFxV1 + "max_attempts: " + std::to_string(i + 4) + "\n");
    std::vector<std::string> args{Binary(), "--lake", lake_.lake(), "dataset", "apply", file};
    std::vector<std::string> env = HarnessEnv();
    pids.push_back(Spawn(args, lake_.Work("c" + std::to_string(i) + ".out"),
                         lake_.Work("c" + std::to_string(i) + ".err"), env));
  }
  for (int i = 0; i < kProcesses; ++i) {
    EXPECT_EQ(WaitExit(pids[i]), 0) << ReadFile(lake_.Work("c" + std::to_string(i) + ".err"));
  }
  std::set<std::string> shas;
  for (int n = 1; n <= kProcesses + 1; ++n) {
    CmdResult r = lake_.Rl({"--json", "dataset", "show", "treasury/fx_rates", "--revision", std::to_string(n)});
    ASSERT_EQ(r.exit_code, 0) << "revision " << n << " is missing: " << r.Describe();
    shas.insert(r.Json()["contract_sha256"].get<std::string>());
  }
  EXPECT_EQ(shas.size(), size_t{kProcesses + 1}) << "no apply lost, none stored twice";
  EXPECT_EQ(lake_.Rl({"dataset", "show", "treasury/fx_rates", "--revision", std::to_string(kProcesses + 2)}).exit_code, 2);
}

TEST_F(DatasetContract, ARunRecordsItsContractRevisionAndSha) {
  const std::string key = lake_.IngestText("a.csv", kCsv, "2024-01-15");
  CmdResult r = lake_.RunKey("daily-1", key);
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  json builtin = lake_.RlJson({"dataset", "show", "mortgages/transactions"});
  json m = lake_.Manifest("daily-1");
  EXPECT_EQ(m["contract_revision"], 1);
  EXPECT_EQ(m["contract_sha256"], builtin["contract_sha256"]);
  json success = json::parse(ReadFile(
      lake_.Lake("silver/mortgages/transactions/year=2024/month=01/schema_v=v1/run_id=daily-1/_SUCCESS")));
  EXPECT_EQ(success["contract_revision"], 1);
  EXPECT_EQ(success["contract_sha256"], builtin["contract_sha256"]);

  // --contract FILE: used and recorded, not applied (revision 0: it matches none stored).
  std::string edited = builtin["contract"].get<std::string>() + "# a comment is a new revision\n";
  CmdResult with_file = lake_.RunKey("daily-2", key, {"--contract", Write("tx2.yaml", edited)});
  ASSERT_EQ(with_file.exit_code, 0) << with_file.Describe();
  EXPECT_EQ(lake_.Manifest("daily-2")["contract_revision"], 0);
  EXPECT_EQ(lake_.Manifest("daily-2")["contract_sha256"], Sha256::Of(edited));
  EXPECT_EQ(DatasetKeys().size(), 1u) << "--contract does not apply";
  // --contract-revision N: that revision; one that does not exist is bad input.
  ASSERT_EQ(lake_.Rl({"dataset", "apply", lake_.Work("tx2.yaml")}).exit_code, 0);
  ASSERT_EQ(lake_.RunKey("daily-3", key, {"--contract-revision", "1"}).exit_code, 0);
  EXPECT_EQ(lake_.Manifest("daily-3")["contract_revision"], 1);
  ASSERT_EQ(lake_.RunKey("daily-4", key).exit_code, 0);
  EXPECT_EQ(lake_.Manifest("daily-4")["contract_revision"], 2);
  CmdResult missing = lake_.RunKey("daily-5", key, {"--contract-revision", "7"});
  EXPECT_EQ(missing.exit_code, 2) << missing.Describe();
  EXPECT_FALSE(lake_.HasManifest("daily-5"));
  // A bad contract file is refused before anything starts.
  CmdResult bad = lake_.RunKey("daily-6", key, {"--contract", Write("bad.yaml", "dataset: [\n")});
  EXPECT_EQ(bad.exit_code, 2) << bad.Describe();
  EXPECT_NE(bad.err.find("bad.yaml:"), std::string::npos) << bad.Describe();
  EXPECT_FALSE(lake_.HasManifest("daily-6"));
}

TEST_F(DatasetContract, BackfillPlanShowsTheRevisionAndWhatChangedAndTheRunsRecordIt) {
  for (const std::string date : {"2024-01-15", "2024-01-16"}) {
    std::string csv = kCsv;
    for (size_t at = csv.find("2024-01-15T"); at != std::string::npos; at = csv.find("2024-01-15T", at + 11)) {
      csv.replace(at, 11, date + "T");
    }
    const std::string key = lake_.IngestText("d" + date + ".csv", csv, date);
    ASSERT_EQ(lake_.RunKey("daily-" + date, key).exit_code, 0);
  }
  std::string evolved = lake_.RlJson({"dataset", "show", "mortgages/transactions"})["contract"];
  evolved.replace(evolved.find("max_attempts: 3"), 15, "max_attempts: 5");
  ASSERT_EQ(lake_.Rl({"dataset", "apply", Write("tx2.yaml", evolved)}).exit_code, 0);

  json plan = lake_.RlJson({"backfill", "plan", "--from", "2024-01-15", "--to", "2024-01-16"});
  EXPECT_EQ(plan["contract"]["revision"], 2) << plan.dump(2);
  EXPECT_EQ(plan["contract"]["canonical_revisions"], json::array({1}));
  EXPECT_EQ(plan["contract"]["compared_with"], 1);
  ASSERT_EQ(plan["contract"]["changes"].size(), 1u) << plan.dump(2);
  EXPECT_EQ(plan["contract"]["changes"][0]["path"], "max_attempts");
  CmdResult text = lake_.Rl({"backfill", "plan", "--from", "2024-01-15", "--to", "2024-01-16"});
  EXPECT_NE(text.out.find("changed since revision 1: 1 change"), std::string::npos) << text.Describe();
  json pinned = lake_.RlJson({"backfill", "plan", "--from", "2024-01-15", "--to", "2024-01-16",
                              "--contract-revision", "1"});
  EXPECT_EQ(pinned["contract"]["revision"], 1);
  EXPECT_TRUE(pinned["contract"]["changes"].empty());

  CmdResult run = lake_.Rl({"backfill", "run", "--from", "2024-01-15", "--to", "2024-01-16",
                            "--contract-revision", "1", "--concurrency", "1"});
  ASSERT_EQ(run.exit_code, 0) << run.Describe();
  int backfill_runs = 0;
  for (const auto& f : ListFiles(lake_.Lake("_runs"))) {
    if (f.rfind("backfill-", 0) != 0) continue;
    ++backfill_runs;
    EXPECT_EQ(json::parse(ReadFile(lake_.Lake("_runs/" + f)))["contract_revision"], 1) << f;
  }
  EXPECT_EQ(backfill_runs, 2);
  CmdResult missing = lake_.Rl({"backfill", "run", "--from", "2024-01-15", "--to", "2024-01-16",
                                "--contract-revision", "9"});
  EXPECT_EQ(missing.exit_code, 2) << missing.Describe();
}

TEST_F(DatasetContract, AManifestWithoutContractFieldsStillLoads) {
  const std::string key = lake_.IngestText("a.csv", kCsv, "2024-01-15");
  ASSERT_EQ(lake_.RunKey("old-run", key).exit_code, 0);
  json m = lake_.Manifest("old-run");
  m.erase("contract_revision");
  m.erase("contract_sha256");
  WriteFile(lake_.Lake("_runs/old-run.json"), m.dump(2));
  CmdResult show = lake_.Rl({"--json", "runs", "show", "old-run"});
  EXPECT_EQ(show.exit_code, 0) << show.Describe();
  EXPECT_EQ(lake_.Scalar("SELECT count(*) FROM silver_current"), "2");
}

}  // namespace
}  // namespace runlake::it
