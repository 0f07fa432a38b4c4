// Progress bar text: rate, percentage and ETA formatting.
#include <gtest/gtest.h>

#include <cstdio>

#include "concord/progress.hpp"

namespace {

TEST(Progress, FormatDuration) {
  EXPECT_EQ(concord::format_duration(0), "00:00");
  EXPECT_EQ(concord::format_duration(65.4), "01:05");
  EXPECT_EQ(concord::format_duration(3723), "1:02:03");
  EXPECT_EQ(concord::format_duration(-1), "--:--");
}

TEST(Progress, LineShowsCountPercentAndUnknownEtaAtStart) {
  concord::ProgressBar bar(200, "simulate", nullptr);
  const std::string start = bar.line(0, "");
  EXPECT_NE(start.find("simulate [........................] 0/200   0%"), std::string::npos);
  EXPECT_NE(start.find("ETA --:--"), std::string::npos);
  const std::string half = bar.line(100, "loss=0.5");
  EXPECT_NE(half.find("[############............] 100/200  50%"), std::string::npos);
  EXPECT_EQ(half.substr(half.size() - 8), "loss=0.5");
}

TEST(Progress, NonTerminalOutputPrintsLines) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  {
    concord::ProgressBar bar(3, "work", f, 1000.0);
    bar.update(1);  // throttled: not printed
    bar.update(3);  // completion always prints
    bar.finish();
  }
  std::rewind(f);
  char buf[512];
  int lines = 0;
  while (std::fgets(buf, sizeof buf, f)) ++lines;
  std::fclose(f);
  EXPECT_EQ(lines, 2);
}

}  // namespace
