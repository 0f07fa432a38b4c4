// `concord report` end to end: exit codes, the printed summary, one-line errors.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>

#include "fake_run.hpp"

namespace fs = std::filesystem;
using concord::report::test::read_text;
using concord::report::test::TempDir;
using concord::report::test::write_text;

namespace {

struct CliResult {
  int code = -1;
  std::string out, err;
};

CliResult concord_cli(const std::string& args) {
  TempDir dir;
  const std::string cmd = std::string("env -u DISPLAY ") + CONCORD_EXE + " " + args + " >" +
                          (dir.path() / "out").string() + " 2>" + (dir.path() / "err").string() +
                          " </dev/null";
  const int status = std::system(cmd.c_str());
  CliResult r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_text(dir.path() / "out");
  r.err = read_text(dir.path() / "err");
  return r;
}

}  // namespace

TEST(ReportCli, WritesTheReportAndPrintsItsPathAndCounts) {
  TempDir dir;
  concord::report::test::write_full_run(dir.path());
  const CliResult r = concord_cli("report --run-dir " + dir.path().string());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "wrote " + (dir.path() / "report" / "report.md").string() +
                       " (7 tables, 3 figures, 2 pictures)\n");
  EXPECT_EQ(r.err, "");
  const std::string md = read_text(dir.path() / "report" / "report.md");
  EXPECT_NE(md.find("concord report --run-dir " + dir.path().string()), std::string::npos);
  EXPECT_TRUE(fs::exists(dir.path() / "report" / "ap50_bars.png"));
}

TEST(ReportCli, OutChoosesTheFolder) {
  TempDir dir;
  concord::report::test::write_step0_only_run(dir.path() / "run");
  const CliResult r = concord_cli("report --run-dir " + (dir.path() / "run").string() + " --out " +
                                  (dir.path() / "elsewhere").string());
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("(1 tables, 0 figures, 0 pictures)"), std::string::npos) << r.out;
  EXPECT_TRUE(fs::exists(dir.path() / "elsewhere" / "report.md"));
  EXPECT_FALSE(fs::exists(dir.path() / "run" / "report"));
}

TEST(ReportCli, MalformedEvalIsOneLineNamingFileAndLine) {
  TempDir dir;
  const fs::path file = dir.path() / "exp" / "eval.csv";
  write_text(file,
             "ego,collaborators,mode,pose_noise,frames,gt,ap30,ap50,ap70\n"
             "m1,m1+m2,no_fusion,0,40,395,0.6,0.5,0.3\n"
             "m1,m1+m2,negocollab,0,40,395,0.7,n/a,0.4\n");
  const CliResult r = concord_cli("report --run-dir " + dir.path().string());
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find(file.string() + ": line 3, column ap50: expected a number, got \"n/a\""),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "one line: " << r.err;
}

TEST(ReportCli, UsageErrorsAndHelp) {
  EXPECT_EQ(concord_cli("report").code, 2);
  const CliResult missing = concord_cli("report --run-dir /nonexistent/concord-run");
  EXPECT_EQ(missing.code, 1);
  EXPECT_NE(missing.err.find("/nonexistent/concord-run: not a directory"), std::string::npos)
      << missing.err;
  const CliResult help = concord_cli("report --help");
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("usage: concord report --run-dir DIR [--out DIR]"), std::string::npos);
  const CliResult list = concord_cli("--help");
  EXPECT_NE(list.out.find("  report "), std::string::npos) << list.out;
}
