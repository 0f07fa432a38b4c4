// The `concord` binary end to end: listing, inspecting, refusals, config checks, exit codes.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <fstream>
#include <sstream>

#include "test_support.hpp"

namespace {

using concord::test::TempDir;
using concord::test::write_file;

struct CliResult {
  int code = -1;
  std::string out, err;
};

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// concord_cli run from the folder `cwd` (profiles are found below the working directory).
CliResult concord_cli_in(const std::filesystem::path& cwd, const std::string& args) {
  TempDir dir;
  const std::string cmd = "cd " + cwd.string() + " && env -u CONCORD_PLUGIN_PATH " + CONCORD_EXE +
                          " " + args + " >" + (dir.path() / "out").string() + " 2>" +
                          (dir.path() / "err").string() + " </dev/null";
  int status = std::system(cmd.c_str());
  CliResult r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(dir.path() / "out");
  r.err = slurp(dir.path() / "err");
  return r;
}

CliResult concord_cli(const std::string& args) {
  return concord_cli_in(".", args);
}

int count_lines(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

const std::string kFixtures = std::string("--plugin-dir ") + CONCORD_TEST_FIXTURE_DIR;

TEST(Cli, PluginsListShowsBuiltPluginsWithKindNameVersion) {
  CliResult r = concord_cli("plugins list");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("fusion     max              1       max_fusion 1.0.0"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("head       anchor           1       anchor_head 1.0.0"), std::string::npos);
  EXPECT_NE(r.out.find("sender     identity         1       identity 1.0.0"), std::string::npos);
  EXPECT_EQ(r.out.find("test_good"), std::string::npos)
      << "test plugins are not on the default path";
}

TEST(Cli, PluginDirAddsFolders) {
  CliResult r = concord_cli("plugins list --params " + kFixtures);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("encoder    constant         2       test_good 1.2.3"), std::string::npos);
  EXPECT_NE(r.out.find("channels (int, channels) default 8 range [1, 256]"), std::string::npos);
}

TEST(Cli, InspectLoadsAndShowsTheDescriptor) {
  CliResult r = concord_cli("plugins inspect test_good " + kFixtures);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("plugin        test_good 1.2.3"), std::string::npos);
  EXPECT_NE(r.out.find("(matches host)"), std::string::npos);
  EXPECT_NE(r.out.find("encoder    constant v2"), std::string::npos);
}

TEST(Cli, EachRefusalIsOneClearLineAndExitCodeOne) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"test_abi_major", "ABI major mismatch: expected 2, found 3"},
      {"test_abi_minor", "ABI minor too new"},
      {"test_fingerprint", "build fingerprint mismatch"},
      {"test_no_entry", "missing entry point concord_plugin_descriptor_v1"},
      {"test_throws", "registration failed: model weights file missing"},
  };
  for (const auto& [plugin, expected] : cases) {
    CliResult r = concord_cli("plugins inspect " + plugin + " " + kFixtures);
    EXPECT_EQ(r.code, 1) << plugin;
    EXPECT_EQ(count_lines(r.err), 1) << plugin << ": " << r.err;
    EXPECT_NE(r.err.find(expected), std::string::npos) << plugin << ": " << r.err;
    EXPECT_NE(r.err.find("lib" + plugin + ".so"), std::string::npos) << "names the file";
  }
}

TEST(Cli, ConfigCheckReportsPositionsAndExitCode) {
  TempDir dir;
  write_file(dir.path() / "bad.toml", "[agent]\nname = \"m1\"\n[sensr]\nkind = 1\n");
  CliResult bad = concord_cli("config check " + (dir.path() / "bad.toml").string());
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("bad.toml:3:1: unknown section 'sensr'"), std::string::npos) << bad.err;
  CliResult good =
      concord_cli(std::string("config check ") + CONCORD_SOURCE_DIR + "/configs/agents/m1.toml");
  EXPECT_EQ(good.code, 0) << good.err;
  EXPECT_NE(good.out.find("ok "), std::string::npos);
}

TEST(Cli, UsageErrorsExitTwo) {
  EXPECT_EQ(concord_cli("frobnicate").code, 2);
  EXPECT_EQ(concord_cli("plugins").code, 2);
  EXPECT_EQ(concord_cli("plugins list --no-such-flag").code, 2);
  CliResult lvl = concord_cli("plugins list --log-level loud");
  EXPECT_EQ(lvl.code, 1);
  EXPECT_NE(lvl.err.find("--log-level: expected trace|debug|info|warn|error|critical|off"),
            std::string::npos);
  CliResult dev = concord_cli("plugins list --device tpu");
  EXPECT_EQ(dev.code, 1);
  EXPECT_NE(dev.err.find("--device: expected cpu, cuda or cuda:N, got \"tpu\""), std::string::npos);
  EXPECT_EQ(concord_cli("plugins --help").code, 0);
  EXPECT_EQ(concord_cli("--help").code, 0);
}

// --epochs / --max-samples of the training commands: a bad value is one line naming
// the option and the schedule, before any data is read.
TEST(Cli, ScheduleOverridesRefuseBadValuesInOneLine) {
  const std::string config =
      std::string(" --config ") + CONCORD_SOURCE_DIR + "/configs/experiments/negocollab_m1m2.toml";
  CliResult e = concord_cli("negotiate" + config + " --epochs 0");
  EXPECT_EQ(e.code, 1);
  EXPECT_EQ(count_lines(e.err), 1) << e.err;
  EXPECT_NE(e.err.find("--epochs 0 for [negotiate]: expected at least 1"), std::string::npos)
      << e.err;
  CliResult s = concord_cli("join --config " + std::string(CONCORD_SOURCE_DIR) +
                            "/configs/experiments/join_m3.toml --max-samples -4");
  EXPECT_EQ(s.code, 1);
  EXPECT_NE(s.err.find("--max-samples -4 for [join]: expected 0 (all) or more"), std::string::npos)
      << s.err;
  EXPECT_EQ(concord_cli("adapt" + config + " --epochs two").code, 2);  // not a number: usage
  CliResult v = concord_cli("adapt" + config + " --val-samples -1");
  EXPECT_EQ(v.code, 1);
  EXPECT_NE(v.err.find("--val-samples -1 for [adapt]: expected 0 (all) or more"), std::string::npos)
      << v.err;
  CliResult c = concord_cli("eval" + config + " --cache-mib -5");
  EXPECT_EQ(c.code, 1);
  EXPECT_EQ(count_lines(c.err), 1) << c.err;
  EXPECT_NE(c.err.find("--cache-mib -5: expected 0 (off) or more"), std::string::npos) << c.err;
}

// `reproduce --jobs 2` on a two-stage profile in a scratch folder: both stages run as
// child processes whose output goes to <run>/stages/<stage>.log (the stages' declared
// outputs here), a failing stage's one-line error lands in its log and the command
// fails naming it, and the rerun skips the finished stage.
TEST(Cli, ReproduceWithJobsWritesStageLogsAndResumes) {
  TempDir dir;
  const std::string src = CONCORD_SOURCE_DIR;
  write_file(dir.path() / "bad.toml", "[agent]\nname = \"m1\"\n[sensr]\nkind = 1\n");
  const auto profile = [&](const std::string& second) {
    write_file(dir.path() / "configs" / "profiles" / "lanes.toml",
               "[profile]\nname = \"lanes\"\ndescription = \"two checks\"\nrun_dir = \"run\"\n\n"
               "[[stage]]\nname = \"check_a\"\nsummary = \"a\"\n"
               "command = [\"config\", \"check\", \"" +
                   src +
                   "/configs/agents/m1.toml\"]\noutputs = [\"{run}/stages/check_a.log\"]\n\n"
                   "[[stage]]\nname = \"check_b\"\nsummary = \"b\"\n"
                   "command = [\"config\", \"check\", \"" +
                   second + "\"]\noutputs = [\"{run}/stages/check_b.log\"]\n");
  };
  profile((dir.path() / "bad.toml").string());
  CliResult bad = concord_cli_in(dir.path(), "reproduce --profile lanes --jobs 2");
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("stage check_b failed (exit code 1)"), std::string::npos) << bad.err;
  EXPECT_NE(slurp(dir.path() / "run" / "stages" / "check_b.log").find("unknown section 'sensr'"),
            std::string::npos);
  EXPECT_NE(slurp(dir.path() / "run" / "stages" / "check_a.log").find("ok "), std::string::npos);
  profile(src + "/configs/agents/m2.toml");
  CliResult good = concord_cli_in(dir.path(), "reproduce --profile lanes --jobs 2");
  EXPECT_EQ(good.code, 0) << good.err;
  EXPECT_NE(good.out.find("1 stages run, 1 skipped"), std::string::npos) << good.out;
  EXPECT_NE(slurp(dir.path() / "run" / "stages" / "check_b.log").find("ok "), std::string::npos);
  EXPECT_EQ(concord_cli_in(dir.path(), "reproduce --profile lanes --jobs 0").code, 1);
}

}  // namespace

// Step-0 training is repeatable: two `concord train` runs of the shipped m1 agent on
// a one-frame-per-split simulated dataset (one epoch, one thread) write
// byte-identical checkpoints. Before the model was built from the experiment's seed,
// the initial weights drew on the default generator's state at that point, which
// differed run to run.
TEST(Cli, TrainTwiceWritesIdenticalCheckpoints) {
  TempDir dir;
  const std::string src = CONCORD_SOURCE_DIR;
  write_file(dir.path() / "sim.toml",
             "seed = 7\n[splits]\ntrain_scenarios = 1\nvalidate_scenarios = 1\n"
             "test_scenarios = 1\n[scenario]\nframes = 1\ncavs_min = 2\ncavs_max = 2\n");
  const auto data = dir.path() / "dataset";
  CliResult sim = concord_cli("simulate --threads 1 --config " +
                              (dir.path() / "sim.toml").string() + " --out " + data.string());
  ASSERT_EQ(sim.code, 0) << sim.err;
  std::string exp = slurp(src + "/configs/experiments/step0_m1.toml");
  const auto replace = [&](const std::string& from, const std::string& to) {
    const size_t at = exp.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    exp.replace(at, from.size(), to);
  };
  replace("\"../agents/m1.toml\"", "\"" + src + "/configs/agents/m1.toml\"");
  replace("root = \"runs/default/dataset\"", "root = \"" + data.string() + "\"");
  replace("epochs = 5", "epochs = 1");
  write_file(dir.path() / "exp.toml", exp);
  std::string weights[2];
  for (int run = 0; run < 2; ++run) {
    const auto out = dir.path() / ("run" + std::to_string(run));
    CliResult r = concord_cli("train --threads 1 --config " + (dir.path() / "exp.toml").string() +
                              " --run-dir " + out.string());
    ASSERT_EQ(r.code, 0) << r.err;
    weights[run] = slurp(out / "checkpoints" / "latest.pt");
  }
  ASSERT_FALSE(weights[0].empty());
  EXPECT_TRUE(weights[0] == weights[1]) << "the two trainings' checkpoints differ";
}
