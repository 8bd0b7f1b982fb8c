#pragma once
// The fault sweep's driver (issue 13): the commands it faults (Scenarios), where the faults
// go (Layer), one (k, kind) point (RunPoint) and the sweep of one command (Sweep). Used by
// tests/integration/fault_sweep_test.cc (object store and SQLite state store) and
// tests/pg/pg_state_fault_test.cc (PostgreSQL state store).

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <iostream>

#include "integration/fault_sweep.h"
#include "integration/fault_sweep_support.h"

namespace runlake::it {

inline const char* const kKinds[] = {"crash", "crash_after", "torn", "ioerror", "transient", "diskfull"};
inline constexpr int kNumKinds = 6;
inline constexpr int kSampledPoints = 10;

// Where the faults go: the object store's mutating ops, or the state store's writes.
struct Layer {
  const char* env;  // the spec variable the binary reads
  bool state;       // also check StateInvariants after recovery
  bool sqlite = true;  // the state store is the lake's SQLite file (copied with the lake)
  // Gives the next lake (the template, then each point's copy) its own state store when
  // it does not live in the lake: $RUNLAKE_IT_STATE for every command that follows.
  std::function<void(bool is_template)> next_state = [](bool) {};
  std::vector<const char*> kinds = {kKinds, kKinds + kNumKinds};
};
inline const Layer kObjectLayer{"RUNLAKE_TEST_FAULT", false};
inline const Layer kStateLayer{"RUNLAKE_TEST_STATE_FAULT", true};

struct Scenario {
  std::string name;
  // Builds the lake the command starts from (once; each point gets a copy).
  std::function<void(const TestLake&)> setup;
  std::function<std::vector<std::string>(const TestLake&)> command;
  // Runs the recovery on the faulted copy and checks what it promises.
  std::function<void(const TestLake&, Invariants&)> recover;
  // Pre-existing files the command may remove (a deleted run's).
  std::function<bool(const std::string&)> may_go = [](const std::string&) { return false; };
  // Run the command beside a `runlake worker` (same fault spec and count file: one
  // numbering over both processes).
  bool with_worker = false;
};

// The command of a point: alone, or beside a worker.
inline CmdResult RunCommand(const Scenario& sc, const TestLake& tmpl, const TestLake& lake,
                     const std::vector<std::string>& env) {
  std::vector<std::string> args = sc.command(tmpl);
  if (sc.with_worker) return RunWithWorker(lake, args, env);
  return RunAlone(lake, args, env);
}

inline std::vector<Scenario> Scenarios() {
  std::vector<Scenario> s;
  auto daily = [](const TestLake& l) {
    return std::vector<std::string>{"run", "--input", l.Work("daily-16.json")};
  };
  s.push_back({"run_daily",
               [](const TestLake& l) {
                 BaseLake(l);
                 WriteInput(l, "daily-16.json", Input("daily-16", Keys(l)[0], "integration-test"));
               },
               daily,
               [daily](const TestLake& l, Invariants& inv) {
                 l.Rl(daily(l));  // FAILED before its commit stays FAILED (names are unique)
                 ExpectPublishedIfCommitted(l, inv, "daily-16", {"2024-01-16"});
               }});
  auto multi = [](const TestLake& l) {
    return std::vector<std::string>{"run", "--input", l.Work("multi.json")};
  };
  s.push_back({"run_multi_source",
               [](const TestLake& l) {
                 BaseLake(l);
                 json keys = Keys(l);
                 WriteInput(l, "multi.json", Input("multi-1", keys, "integration-test"));
               },
               multi,
               [multi](const TestLake& l, Invariants& inv) {
                 l.Rl(multi(l));
                 ExpectPublishedIfCommitted(l, inv, "multi-1", {"2024-01-16", "2024-01-17"});
               }});
  const std::string bf = "backfill-2024-01-15-20260129T150000Z";
  auto backfill_run = [bf](const TestLake& l) {
    json j = Input(bf, ReadFile(l.Work("key15.txt")), "manual_backfill");
    CmdResult r = l.Rl({"run", "--input", WriteInput(l, "bf.json", j)});
    if (r.exit_code != 0) throw std::runtime_error("setup backfill run failed: " + r.Describe());
  };
  auto base_with_key15 = [](const TestLake& l) {
    WriteFile(l.Work("key15.txt"), BaseLake(l)[0]);
  };
  s.push_back({"promote",
               [=](const TestLake& l) {
                 base_with_key15(l);
                 backfill_run(l);
               },
               [bf](const TestLake&) { return std::vector<std::string>{"promote", bf, "--reason", "r"}; },
               [bf](const TestLake& l, Invariants& inv) {
                 Expect0(inv, "promote", l.Rl({"promote", bf, "--reason", "again"}));
                 if (Sources(inv).value("2024-01-15", "") != bf) inv.Fail("promote did not take");
               }});
  s.push_back({"rollback",
               [=](const TestLake& l) {
                 base_with_key15(l);
                 backfill_run(l);
                 CmdResult r = l.Rl({"promote", bf});
                 if (r.exit_code != 0) throw std::runtime_error("setup promote: " + r.Describe());
               },
               [](const TestLake&) { return std::vector<std::string>{"rollback"}; },
               [](const TestLake& l, Invariants& inv) {
                 Expect0(inv, "check --repair", l.Rl({"check", "--repair"}));
                 std::string now = Sources(inv).value("2024-01-15", "");
                 if (now != "daily-15" && now.rfind("backfill-", 0) != 0) {
                   inv.Fail("after rollback 2024-01-15 maps to '" + now + "'");
                 }
               }});
  auto backfill_cmd = [](const TestLake&) {
    return std::vector<std::string>{"backfill", "run", "--from", "2024-01-15", "--to", "2024-01-17",
                                    "--concurrency", "1", "--promote", "--reason", "sweep"};
  };
  s.push_back({"backfill_run_promote", [](const TestLake& l) { BaseLake(l); }, backfill_cmd,
               [backfill_cmd](const TestLake& l, Invariants& inv) {
                 json list = l.RlJson({"backfill", "list"});
                 CmdResult r = list.empty() ? l.Rl(backfill_cmd(l))
                                            : l.Rl({"backfill", "resume", list.back().value("id", "")});
                 Expect0(inv, "backfill resume", r);
                 json src = Sources(inv);
                 for (const char* d : {"2024-01-15", "2024-01-16", "2024-01-17"}) {
                   if (src.value(d, "").rfind("backfill-", 0) != 0) {
                     inv.Fail(std::string("after resume ") + d + " is not a backfill run: " + src.dump());
                   }
                 }
               }});
  // The same backfill through the task queue: the dates run in a `runlake worker`
  // process, the promote in the command; a fault may hit either.
  auto queue_cmd = [backfill_cmd](const TestLake& l) {
    auto args = backfill_cmd(l);
    args.push_back("--queue");
    return args;
  };
  Scenario queued{"backfill_queue_worker", [](const TestLake& l) { BaseLake(l); }, queue_cmd,
                  [queue_cmd](const TestLake& l, Invariants& inv) {
                    json list = l.RlJson({"backfill", "list"});
                    std::vector<std::string> again =
                        list.empty() ? queue_cmd(l)
                                     : std::vector<std::string>{"backfill", "resume",
                                                                list.back().value("id", ""), "--queue"};
                    Expect0(inv, "backfill resume --queue", RunWithWorker(l, again, {}));
                    json src = Sources(inv);
                    for (const char* d : {"2024-01-15", "2024-01-16", "2024-01-17"}) {
                      if (src.value(d, "").rfind("backfill-", 0) != 0) {
                        inv.Fail(std::string("after resume ") + d + " is not a backfill run: " + src.dump());
                      }
                    }
                  }};
  queued.with_worker = true;
  s.push_back(queued);
  // Not in the list, but it writes the lake too: bronze record, then object.
  s.push_back({"ingest",
               [](const TestLake& l) {
                 BaseLake(l);
                 WriteFile(l.Work("day8.csv"), Csv(8, 40));
               },
               [](const TestLake& l) {
                 return std::vector<std::string>{"ingest", l.Work("day8.csv"), "--date", "2024-01-18"};
               },
               [](const TestLake& l, Invariants& inv) {
                 WriteFile(l.Work("day8.csv"), Csv(8, 40));  // this copy's own work folder
                 Expect0(inv, "ingest", l.Rl({"ingest", l.Work("day8.csv"), "--date", "2024-01-18"}));
                 Expect0(inv, "bronze list", l.Rl({"bronze", "list", "--date", "2024-01-18"}));
                 Expect0(inv, "backfill plan",
                         l.Rl({"backfill", "plan", "--from", "2024-01-18", "--to", "2024-01-18"}));
               }});
  s.push_back({"gold_build", [](const TestLake& l) { BaseLake(l); },
               [](const TestLake&) {
                 return std::vector<std::string>{"gold", "build", "--run-id", "gold-1"};
               },
               [](const TestLake& l, Invariants& inv) {
                 Expect0(inv, "gold build", l.Rl({"gold", "build", "--run-id", "gold-2"}));
                 inv.PointerLog("gold/mortgages/account_balances", true);
                 CmdResult q = l.Rl({"query", "SELECT DISTINCT run_id FROM gold_account_balances",
                                     "--format", "csv"});
                 auto committed = CommittedRuns(l.lake());
                 std::stringstream ss(q.out);
                 std::string line;
                 std::getline(ss, line);
                 while (std::getline(ss, line)) {
                   if (!committed.count(line)) inv.Fail("gold shows uncommitted run " + line);
                 }
               }});
  s.push_back({"runs_delete",
               [=](const TestLake& l) {
                 base_with_key15(l);
                 backfill_run(l);
               },
               [bf](const TestLake&) { return std::vector<std::string>{"runs", "delete", bf}; },
               [bf](const TestLake& l, Invariants& inv) {
                 // Again; "does not exist" (exit 2) is the right answer when the faulted
                 // delete had finished before it died.
                 CmdResult again = l.Rl({"runs", "delete", bf});
                 if (again.exit_code != 0 && again.err.find("does not exist") == std::string::npos) {
                   Expect0(inv, "runs delete", again);
                 }
                 for (const auto& rel : ListFiles(l.lake())) {
                   if (RunIdOfPath(rel) == bf || rel == "_runs/" + bf + ".json") {
                     inv.Fail("deleted run's file left: " + rel);
                   }
                 }
               },
               [bf](const std::string& rel) {
                 return RunIdOfPath(rel) == bf || rel == "_runs/" + bf + ".json";
               }});
  s.push_back({"check_repair",
               [](const TestLake& l) {
                 BaseLake(l);
                 // Something to repair: a run killed before its manifest (dead claim and
                 // uncommitted files, a torn temp), and _LATEST.json a version behind (as
                 // a publish killed before the copy leaves it).
                 WriteInput(l, "dead.json", Input("dead-16", Keys(l)[0], "integration-test"));
                 l.Rl({"run", "--input", l.Work("dead.json")},
                      {"RUNLAKE_TEST_FAULT=at=4,kind=torn"});
                 WriteInput(l, "late.json", Input("late-17", Keys(l)[1], "integration-test"));
                 CmdResult r = l.Rl({"run", "--input", l.Work("late.json")});
                 if (r.exit_code != 0) throw std::runtime_error("setup run failed: " + r.Describe());
                 fs::copy_file(l.Lake(kSilver + "/_pointer_log/0000000001.json"),
                               l.Lake(kSilver + "/_LATEST.json"),
                               fs::copy_options::overwrite_existing);
               },
               [](const TestLake&) { return std::vector<std::string>{"check", "--repair"}; },
               [](const TestLake& l, Invariants& inv) {
                 Expect0(inv, "check --repair", l.Rl({"check", "--repair"}));
               },
               [](const std::string& rel) { return RunIdOfPath(rel) == "dead-16"; }});
  return s;
}

struct SweepStats {
  int points = 0, failed_points = 0;
};

// One (k, kind) point on a fresh copy of the template lake; `versions` is the silver pointer
// log's length after a clean command and its recovery.
inline void RunPoint(const Scenario& sc, const Layer& layer, const TestLake& tmpl, int k, const char* kind,
              size_t versions, SweepStats& stats) {
  TestLake lake;
  fs::remove_all(lake.lake());
  fs::copy(tmpl.lake(), lake.lake(), fs::copy_options::recursive);
  layer.next_state(false);
  auto before = SnapshotLake(lake.lake());
  auto committed_before = CommittedRuns(lake.lake());
  auto may_go = [&](const std::string& rel) {
    std::string rid = RunIdOfPath(rel);
    return sc.may_go(rel) || (!rid.empty() && !committed_before.count(rid));
  };
  std::string trace = "at=" + std::to_string(k) + ",kind=" + kind + ",count=" + lake.Work("ops.txt");
  CmdResult faulted = RunCommand(sc, tmpl, lake, {std::string(layer.env) + "=" + trace});

  Invariants inv{lake, {}};
  if (faulted.err.find(kHungMark) != std::string::npos) inv.Fail("the faulted command hung");
  inv.Unchanged(before, may_go);
  inv.CommittedWhole();
  inv.Views(inv.PointerLog(kSilver, false));
  inv.Executions();
  inv.OnlyRepairable();
  std::vector<std::string> after_fault = std::move(inv.problems);
  inv.problems.clear();

  sc.recover(lake, inv);
  inv.Unchanged(before, may_go);
  inv.CommittedWhole();
  inv.Views(inv.PointerLog(kSilver, false));
  inv.Executions();
  // A failed or crashed _LATEST.json copy is by design left to `check --repair` (or the
  // next pointer change): the pointer log is the commit, the copy is a convenience.
  CmdResult repair = lake.Rl({"--json", "check", "--repair"});
  if (repair.exit_code != 0) inv.Fail("check --repair after recovery: " + repair.Describe());
  inv.PointerLog(kSilver, true);
  inv.Clean();
  if (layer.state) StateInvariants(inv, versions, layer.sqlite);
  ++stats.points;
  if (after_fault.empty() && inv.problems.empty()) return;
  std::vector<std::string> all_problems = after_fault;
  all_problems.insert(all_problems.end(), inv.problems.begin(), inv.problems.end());
  ++stats.failed_points;
  std::string all;
  for (const auto& p : after_fault) all += "\n  after the fault: " + p;
  for (const auto& p : inv.problems) all += "\n  after recovery:  " + p;
  std::string op = ReadFile(lake.Work("ops.txt"));
  size_t line_start = 0;
  for (int i = 1; i < k && line_start != std::string::npos; ++i) line_start = op.find('\n', line_start) + 1;
  std::string which = line_start < op.size() ? op.substr(line_start, op.find('\n', line_start) - line_start) : "?";
  ADD_FAILURE() << sc.name << " " << layer.env << " k=" << k << " (" << which << ") kind=" << kind << " exit "
                << faulted.exit_code << all << "\n--- faulted stderr\n" << faulted.err;
}

inline void Sweep(const Scenario& sc, const Layer& layer) {
  auto t0 = std::chrono::steady_clock::now();
  TestLake tmpl;
  layer.next_state(true);
  sc.setup(tmpl);
  // The count: the command once on a copy, with every op traced; then its recovery, which
  // after a clean command must change nothing the invariants see, and the pointer log's
  // length then (no fault may make the command's promotions happen twice).
  int n = 0;
  size_t versions = 0;
  {
    TestLake counted;
    fs::remove_all(counted.lake());
    fs::copy(tmpl.lake(), counted.lake(), fs::copy_options::recursive);
    layer.next_state(false);
    CmdResult r = RunCommand(sc, tmpl, counted, {std::string(layer.env) + "=count=" + counted.Work("ops.txt")});
    ASSERT_EQ(r.exit_code, 0) << r.Describe();
    std::stringstream ops(ReadFile(counted.Work("ops.txt")));
    for (std::string l; std::getline(ops, l);) ++n;
    Invariants inv{counted, {}};
    sc.recover(counted, inv);
    versions = PointerVersions(counted, kSilver);
    if (layer.state) StateInvariants(inv, versions, layer.sqlite);
    for (const auto& p : inv.problems) ADD_FAILURE() << sc.name << ": after a clean run: " << p;
  }
  if (layer.state && n == 0) {
    std::cout << "[ sweep    ] " << sc.name << ": writes nothing to the state store\n";
    return;
  }
  ASSERT_GT(n, 0) << sc.name << " made no mutating operation";
  const char* mode = std::getenv("RUNLAKE_FAULT_SWEEP");
  const bool full = mode && std::string(mode) == "full";
  // RUNLAKE_FAULT_SWEEP=<number>: a sample of that many points instead of kSampledPoints.
  const int sampled = mode && std::atoi(mode) > 1 ? std::atoi(mode) : kSampledPoints;
  // Sampled: kSampledPoints points spread evenly over k = 1..n, the kinds taking turns
  // (starting at a different kind for each command), so every kind and the first and last
  // ops come up in each run of the test command.
  const int kinds = static_cast<int>(layer.kinds.size());
  const int total = n * kinds;
  std::vector<std::pair<int, int>> points;
  const char* one = std::getenv("RUNLAKE_FAULT_SWEEP_POINT");  // "K:KIND": that point alone
  if (one != nullptr && *one != '\0') {
    std::string spec = one;
    const std::string kind = spec.substr(spec.find(':') + 1);
    for (int i = 0; i < kinds; ++i) {
      if (kind == layer.kinds[i]) points.push_back({std::stoi(spec), i});
    }
  } else if (full || total <= sampled) {
    for (int i = 0; i < total; ++i) points.push_back({i / kinds + 1, i % kinds});
  } else {
    const int offset = static_cast<int>(sc.name.size()) % kinds;
    for (int j = 0; j < sampled; ++j) {
      int k = 1 + (j * (n - 1) + (sampled - 1) / 2) / (sampled - 1);
      points.push_back({k, (j + offset) % kinds});
    }
  }
  SweepStats stats;
  for (const auto& [k, kind] : points) RunPoint(sc, layer, tmpl, k, layer.kinds[kind], versions, stats);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cout << "[ sweep    ] " << sc.name << (layer.state ? " (state)" : "") << ": N=" << n << " ops, " << stats.points << " of " << total
            << " (k, kind) points, " << stats.failed_points << " broke an invariant, "
            << secs << " s\n";
}

}  // namespace runlake::it
