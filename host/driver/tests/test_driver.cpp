// Pipeline driver: profile parsing and refusals, fingerprints, and resuming
// (finished stages skipped, missing or corrupt outputs redone with their
// dependants, failures keep the finished stages).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "concord/driver/fingerprint.hpp"
#include "concord/driver/ledger.hpp"
#include "concord/driver/plan.hpp"
#include "concord/driver/runner.hpp"
#include "concord/error.hpp"
#include "test_support.hpp"

namespace {

namespace fs = std::filesystem;
namespace cd = concord::driver;
using concord::test::TempDir;
using concord::test::write_file;

// simulate -> train_a, train_b (both after simulate) -> eval (after both).
const char* kProfile = R"(
[profile]
name = "mini"
description = "four stages"
run_dir = "runs/mini"

[[stage]]
name = "simulate"
command = ["simulate", "--out", "{run}/dataset"]
outputs = ["{run}/dataset"]

[[stage]]
name = "train_a"
command = ["train", "--run-dir", "{run}/a"]
outputs = ["{run}/a/best.pt"]
after = ["simulate"]

[[stage]]
name = "train_b"
command = ["train", "--run-dir", "{run}/b"]
outputs = ["{run}/b/best.pt"]
after = ["simulate"]

[[stage]]
name = "eval"
command = ["eval", "{run}/a", "{run}/b"]
outputs = ["{run}/eval.csv"]
after = ["train_a", "train_b"]

[summary]
evals = ["{run}/eval.csv"]
)";

// A fake `concord`: writes each stage's outputs and counts the calls.
struct FakeConcord {
  std::map<std::string, int> calls;
  std::string fail_at;
  int operator()(const cd::Stage& s) {
    ++calls[s.name];
    if (s.name == fail_at) return 3;
    for (const fs::path& out : s.outputs) {
      if (s.name == "simulate") {
        write_file(out / "train" / "0.pcd", "points");
        write_file(out / "test" / "1.pcd", "more points");
      } else {
        write_file(out, s.name + " output");
      }
    }
    return 0;
  }
};

cd::Plan mini_plan(const TempDir& dir) {
  write_file(dir.path() / "mini.toml", kProfile);
  return cd::load_plan(dir.path() / "mini.toml", dir.path() / "run");
}

TEST(DriverPlan, ReadsStagesAndSubstitutesTheRunDirectory) {
  TempDir dir;
  const cd::Plan plan = mini_plan(dir);
  EXPECT_EQ(plan.name, "mini");
  ASSERT_EQ(plan.stages.size(), 4u);
  const std::string run = (dir.path() / "run").string();
  EXPECT_EQ(plan.stages[1].command, (std::vector<std::string>{"train", "--run-dir", run + "/a"}));
  EXPECT_EQ(plan.stages[3].after, (std::vector<std::string>{"train_a", "train_b"}));
  ASSERT_EQ(plan.summary_evals.size(), 1u);
  EXPECT_EQ(plan.summary_evals[0], fs::path(run + "/eval.csv"));
  // Without an override, [profile] run_dir applies.
  EXPECT_EQ(cd::load_plan(dir.path() / "mini.toml").run_dir, fs::path("runs/mini"));
}

void expect_refused(const std::string& text, const std::string& expected) {
  TempDir dir;
  write_file(dir.path() / "bad.toml", text);
  try {
    cd::load_plan(dir.path() / "bad.toml");
    FAIL() << "accepted a profile that should fail with: " << expected;
  } catch (const concord::ConfigError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("bad.toml"), std::string::npos) << msg;
    EXPECT_NE(msg.find(expected), std::string::npos) << msg;
  }
}

TEST(DriverPlan, RefusesMalformedProfilesNamingTheKey) {
  const std::string head = "[profile]\nname = \"p\"\nrun_dir = \"r\"\n";
  expect_refused("[stage]\n", "[profile]: missing");
  expect_refused(head, "expected at least one stage");
  expect_refused(head + "[[stage]]\nname = \"a\"\ncommand = []\n", "expected a non-empty array");
  expect_refused(head + "[[stage]]\nname = \"Bad Name\"\ncommand = [\"x\"]\n", "must be lowercase");
  expect_refused(head + "[[stage]]\nname = \"a\"\ncommand = [\"x\"]\n" +
                     "[[stage]]\nname = \"a\"\ncommand = [\"y\"]\n",
                 "appears twice");
  expect_refused(head + "[[stage]]\nname = \"a\"\ncommand = [\"x\"]\nafter = [\"b\"]\n",
                 "\"b\" is not an earlier stage");
  expect_refused(head + "[[stage]]\nname = \"a\"\ncommand = \"x\"\n",
                 "stage \"a\".command: expected an array of strings");
  expect_refused("[profile]\nname = 3\n", "profile.name: expected a string");
}

TEST(DriverPlan, SubstitutesVariablesAndRefusesUnknownOnes) {
  TempDir dir;
  const std::string text =
      "[profile]\nname = \"p\"\nrun_dir = \"r\"\nledger = \"r/p\"\n[[stage]]\nname = \"a\"\n"
      "command = [\"train\", \"--data-root\", \"{data_root}/x\", \"--out\", \"{run}/a\"]\n"
      "outputs = [\"{run}/a\"]\n";
  write_file(dir.path() / "p.toml", text);
  const cd::Plan plan = cd::load_plan(dir.path() / "p.toml", {}, {{"data_root", "/d"}});
  EXPECT_EQ(plan.stages[0].command,
            (std::vector<std::string>{"train", "--data-root", "/d/x", "--out", "r/a"}));
  EXPECT_EQ(plan.ledger_dir, fs::path("r/p"));
  try {
    cd::load_plan(dir.path() / "p.toml");
    FAIL() << "{data_root} without a value was accepted";
  } catch (const concord::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("{data_root} has no value"), std::string::npos)
        << e.what();
  }
}

TEST(DriverFingerprint, FilesByContentFoldersByListing) {
  TempDir dir;
  EXPECT_EQ(cd::fingerprint(dir.path() / "absent"), "");
  write_file(dir.path() / "f", "abc");
  // FNV-1a 64 of "abc" (hand-checked against the reference constants).
  EXPECT_EQ(cd::fingerprint(dir.path() / "f"), "file 3 e71fa2190541574b");
  write_file(dir.path() / "f", "abd");
  EXPECT_NE(cd::fingerprint(dir.path() / "f"), "file 3 e71fa2190541574b");
  write_file(dir.path() / "d" / "x", "12");
  write_file(dir.path() / "d" / "sub" / "y", "345");
  const std::string before = cd::fingerprint(dir.path() / "d");
  EXPECT_EQ(before.rfind("dir 2 5 ", 0), 0u) << before;
  write_file(dir.path() / "d" / "sub" / "y", "34");  // truncated
  EXPECT_NE(cd::fingerprint(dir.path() / "d"), before);
}

TEST(DriverRunner, SecondRunSkipsEveryFinishedStage) {
  TempDir dir;
  const cd::Plan plan = mini_plan(dir);
  FakeConcord fake;
  auto exec = [&](const cd::Stage& s) { return fake(s); };
  const auto first = cd::run_plan(plan, exec);
  EXPECT_EQ(first.ran, 4);
  EXPECT_EQ(first.skipped, 0);
  const auto second = cd::run_plan(plan, exec);
  EXPECT_EQ(second.ran, 0);
  EXPECT_EQ(second.skipped, 4);
  for (const auto& [stage, n] : fake.calls) EXPECT_EQ(n, 1) << stage;
  // stages.csv lists every stage as done.
  std::ifstream csv(plan.run_dir / "stages.csv");
  std::string text((std::istreambuf_iterator<char>(csv)), {});
  EXPECT_EQ(text.rfind("stage,status,seconds\nsimulate,done,", 0), 0u) << text;
  EXPECT_NE(text.find("\neval,done,"), std::string::npos) << text;
}

TEST(DriverRunner, MissingOutputRedoesTheStageAndItsDependantsOnly) {
  TempDir dir;
  const cd::Plan plan = mini_plan(dir);
  FakeConcord fake;
  auto exec = [&](const cd::Stage& s) { return fake(s); };
  cd::run_plan(plan, exec);
  fs::remove(plan.run_dir / "a" / "best.pt");
  std::vector<std::string> log;
  cd::RunOptions o;
  o.log = [&](const std::string& l) { log.push_back(l); };
  const auto r = cd::run_plan(plan, exec, o);
  EXPECT_EQ(r.ran, 2);  // train_a, then eval (after it)
  EXPECT_EQ(fake.calls["simulate"], 1);
  EXPECT_EQ(fake.calls["train_a"], 2);
  EXPECT_EQ(fake.calls["train_b"], 1);
  EXPECT_EQ(fake.calls["eval"], 2);
  bool said_missing = false;
  for (const auto& l : log) said_missing |= l.find("best.pt is missing") != std::string::npos;
  EXPECT_TRUE(said_missing);
}

TEST(DriverRunner, CorruptOutputIsRedoneFromScratch) {
  TempDir dir;
  const cd::Plan plan = mini_plan(dir);
  FakeConcord fake;
  auto exec = [&](const cd::Stage& s) { return fake(s); };
  cd::run_plan(plan, exec);
  write_file(plan.run_dir / "b" / "best.pt", "train_b outpu");  // truncated by a byte
  // The redo must start from scratch: the stale file is gone when the command runs.
  bool stale_seen = true;
  auto checking = [&](const cd::Stage& s) {
    if (s.name == "train_b") stale_seen = fs::exists(plan.run_dir / "b" / "best.pt");
    return fake(s);
  };
  const auto r = cd::run_plan(plan, checking);
  EXPECT_EQ(r.ran, 2);  // train_b, eval
  EXPECT_FALSE(stale_seen);
  EXPECT_EQ(fake.calls["train_a"], 1);
  EXPECT_EQ(fake.calls["train_b"], 2);
}

TEST(DriverRunner, FailureKeepsFinishedStagesAndRerunResumesThere) {
  TempDir dir;
  const cd::Plan plan = mini_plan(dir);
  FakeConcord fake;
  fake.fail_at = "train_b";
  auto exec = [&](const cd::Stage& s) { return fake(s); };
  try {
    cd::run_plan(plan, exec);
    FAIL() << "a failing stage did not stop the run";
  } catch (const concord::Error& e) {
    EXPECT_NE(std::string(e.what()).find("stage train_b failed (exit code 3)"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(fake.calls.count("eval"), 0u);
  const cd::Ledger ledger(plan.run_dir);
  EXPECT_TRUE(ledger.read("train_a").has_value());
  EXPECT_FALSE(ledger.read("train_b").has_value());
  fake.fail_at.clear();
  const auto r = cd::run_plan(plan, exec);
  EXPECT_EQ(r.skipped, 2);  // simulate, train_a
  EXPECT_EQ(r.ran, 2);      // train_b, eval
  EXPECT_EQ(fake.calls["train_a"], 1);
}

TEST(DriverRunner, StageThatWritesNothingIsNotRecorded) {
  TempDir dir;
  const cd::Plan plan = mini_plan(dir);
  auto lazy = [](const cd::Stage&) { return 0; };
  try {
    cd::run_plan(plan, lazy);
    FAIL() << "a stage without its output was recorded as done";
  } catch (const concord::Error& e) {
    EXPECT_NE(std::string(e.what()).find("stage simulate finished but did not write"),
              std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(cd::Ledger(plan.run_dir).read("simulate").has_value());
}

TEST(DriverRunner, FreshRedoesEverything) {
  TempDir dir;
  const cd::Plan plan = mini_plan(dir);
  FakeConcord fake;
  auto exec = [&](const cd::Stage& s) { return fake(s); };
  cd::run_plan(plan, exec);
  cd::RunOptions o;
  o.fresh = true;
  EXPECT_EQ(cd::run_plan(plan, exec, o).ran, 4);
}

// Two lanes: train_a and train_b (both only after simulate) run at the same time;
// eval starts only after both finished. Each of them waits (up to 5 s) for the other
// to start, so a sequential runner shows up as a maximum of one running stage.
TEST(DriverRunner, TwoJobsRunIndependentStagesTogether) {
  TempDir dir;
  const cd::Plan plan = mini_plan(dir);
  FakeConcord fake;
  std::mutex m;
  std::condition_variable cv;
  std::set<std::string> started, finished;
  int running = 0, most = 0;
  bool eval_after_both = false;
  auto exec = [&](const cd::Stage& s) {
    {
      std::unique_lock<std::mutex> lock(m);
      started.insert(s.name);
      most = std::max(most, ++running);
      if (s.name == "eval")
        eval_after_both = finished.count("train_a") && finished.count("train_b");
      cv.notify_all();
      if (s.name == "train_a" || s.name == "train_b") {
        const std::string other = s.name == "train_a" ? "train_b" : "train_a";
        cv.wait_for(lock, std::chrono::seconds(5), [&] { return started.count(other) > 0; });
      }
    }
    const int rc = fake(s);
    std::lock_guard<std::mutex> lock(m);
    --running;
    finished.insert(s.name);
    return rc;
  };
  cd::RunOptions o;
  o.jobs = 2;
  const auto r = cd::run_plan(plan, exec, o);
  EXPECT_EQ(r.ran, 4);
  EXPECT_EQ(most, 2);
  EXPECT_TRUE(eval_after_both);
  EXPECT_GT(r.seconds, 0.0);
  // The ledger is the same as a sequential run's: a second run skips everything.
  EXPECT_EQ(cd::run_plan(plan, exec, o).skipped, 4);
}

// The executor learns how many stages share the cores: simulate starts alone with
// nothing else ready (1), the two trainings start as a pair (2), and eval, which
// waits for both, again alone (1). With one job every stage runs alone.
TEST(DriverRunner, StagesStartingAloneAreToldSo) {
  TempDir dir;
  const cd::Plan plan = mini_plan(dir);
  FakeConcord fake;
  std::mutex m;
  std::map<std::string, int> sharing;
  auto exec = [&](const cd::Stage& s, int share) {
    std::lock_guard<std::mutex> lock(m);
    sharing[s.name] = share;
    return fake(s);
  };
  cd::RunOptions o;
  o.jobs = 2;
  cd::run_plan(plan, cd::SharingStageExecutor(exec), o);
  EXPECT_EQ(sharing, (std::map<std::string, int>{
                         {"simulate", 1}, {"train_a", 2}, {"train_b", 2}, {"eval", 1}}));
  o.jobs = 1;
  o.fresh = true;
  sharing.clear();
  cd::run_plan(plan, cd::SharingStageExecutor(exec), o);
  EXPECT_EQ(sharing, (std::map<std::string, int>{
                         {"simulate", 1}, {"train_a", 1}, {"train_b", 1}, {"eval", 1}}));
}

// With two lanes a failing stage stops new stages but lets the running one finish
// and be recorded.
TEST(DriverRunner, TwoJobsFailureLetsTheRunningStageFinish) {
  TempDir dir;
  const cd::Plan plan = mini_plan(dir);
  FakeConcord fake;
  fake.fail_at = "train_b";
  std::mutex m;
  auto exec = [&](const cd::Stage& s) {
    if (s.name == "train_a") std::this_thread::sleep_for(std::chrono::milliseconds(200));
    std::lock_guard<std::mutex> lock(m);
    return fake(s);
  };
  cd::RunOptions o;
  o.jobs = 2;
  EXPECT_THROW(cd::run_plan(plan, exec, o), concord::Error);
  EXPECT_EQ(fake.calls.count("eval"), 0u);
  const cd::Ledger ledger(plan.run_dir);
  EXPECT_TRUE(ledger.read("train_a").has_value());
  EXPECT_FALSE(ledger.read("train_b").has_value());
}

// Every shipped profile parses, names only existing config files and known
// subcommands, and writes each output from one stage only.
TEST(DriverPlan, ShippedProfilesReferToExistingConfigs) {
  const fs::path root = CONCORD_SOURCE_DIR;
  int profiles = 0;
  for (const auto& e : fs::directory_iterator(root / "configs" / "profiles")) {
    if (e.path().extension() != ".toml") continue;
    ++profiles;
    const cd::Plan plan = cd::load_plan(e.path(), {}, {{"data_root", "/data/dair"}});
    std::set<std::string> outputs;
    for (const cd::Stage& s : plan.stages) {
      static const std::set<std::string> known{"simulate", "train",  "eval",   "negotiate", "adapt",
                                               "join",     "report", "kl-gap", "costs"};
      EXPECT_TRUE(known.count(s.command.front())) << e.path() << ": " << s.name;
      for (size_t i = 0; i + 1 < s.command.size(); ++i) {
        if (s.command[i] == "--config") {
          EXPECT_TRUE(fs::exists(root / s.command[i + 1]))
              << e.path() << ": stage " << s.name << " names " << s.command[i + 1];
        }
      }
      EXPECT_FALSE(s.outputs.empty()) << e.path() << ": " << s.name;
      for (const fs::path& o : s.outputs)
        EXPECT_TRUE(outputs.insert(o.string()).second) << e.path() << ": " << o << " twice";
    }
  }
  EXPECT_GE(profiles, 3);  // demo, demo_dair and default
}

}  // namespace
