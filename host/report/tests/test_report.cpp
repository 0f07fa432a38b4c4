// `concord report` library: the Markdown tables hold the right numbers in the
// right cells, figures are real PNGs, sections follow the data, bad input is
// one clear error naming file and line.
#include <gtest/gtest.h>
#include <stb_image.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include "concord/formats/error.hpp"
#include "concord/report/csv.hpp"
#include "concord/report/eval_table.hpp"
#include "concord/report/figures.hpp"
#include "concord/report/markdown.hpp"
#include "concord/report/report.hpp"
#include "fake_run.hpp"

namespace fs = std::filesystem;
using concord::formats::FormatError;
using namespace concord::report;
using concord::report::test::read_text;
using concord::report::test::TempDir;
using concord::report::test::write_text;

namespace {

// A Markdown pipe table parsed back: header and rows of trimmed cells, "**" removed.
struct ParsedTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;

  std::size_t column(const std::string& name) const {
    const auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end()) {
      ADD_FAILURE() << "no column \"" << name << "\"";
      return 0;
    }
    return static_cast<std::size_t>(it - header.begin());
  }

  // The cell in column `name` of the one row whose cells match `key`
  // (column name -> value); "<no row>" when none or several match.
  std::string cell(const std::map<std::string, std::string>& key, const std::string& name) const {
    const std::vector<std::string>* found = nullptr;
    int matches = 0;
    for (const auto& r : rows) {
      bool ok = true;
      for (const auto& [k, v] : key) ok = ok && r.at(column(k)) == v;
      if (ok) {
        found = &r;
        ++matches;
      }
    }
    if (matches != 1) return "<" + std::to_string(matches) + " rows>";
    return found->at(column(name));
  }
};

std::vector<std::string> split_cells(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  for (std::size_t i = 1; i < line.size(); ++i) {  // skip the leading '|'
    if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == '|') {
      cell += '|';
      ++i;
    } else if (line[i] == '|') {
      std::string t = cell;
      t.erase(0, t.find_first_not_of(' '));
      t.erase(t.find_last_not_of(' ') + 1);
      if (t.size() >= 4 && t.rfind("**", 0) == 0 && t.substr(t.size() - 2) == "**") {
        t = t.substr(2, t.size() - 4);
      }
      cells.push_back(t);
      cell.clear();
    } else {
      cell += line[i];
    }
  }
  return cells;
}

// The first table after the line `heading` (and before the next heading).
ParsedTable table_after(const std::string& md, const std::string& heading) {
  ParsedTable t;
  std::istringstream in(md);
  std::string line;
  bool found = false;
  while (std::getline(in, line)) {
    if (!found) {
      found = line == heading;
      continue;
    }
    if (line.rfind("#", 0) == 0 && t.header.empty()) break;  // next heading, no table
    if (line.rfind("|", 0) != 0) {
      if (!t.header.empty()) break;
      continue;
    }
    if (t.header.empty()) {
      t.header = split_cells(line);
    } else if (line.find("---") != std::string::npos && t.rows.empty() &&
               line.find_first_not_of("|-: ") == std::string::npos) {
      continue;  // separator
    } else {
      t.rows.push_back(split_cells(line));
    }
  }
  EXPECT_TRUE(found) << "no heading \"" << heading << "\"";
  EXPECT_FALSE(t.header.empty()) << "no table after \"" << heading << "\"";
  return t;
}

bool has_line(const std::string& md, const std::string& line) {
  std::istringstream in(md);
  for (std::string l; std::getline(in, l);) {
    if (l == line) return true;
  }
  return false;
}

// Decodes a PNG with stb_image; returns {width, height}, {0, 0} when it fails.
std::pair<int, int> decode_png(const fs::path& path) {
  const std::string bytes = read_text(path);
  if (bytes.size() < 8 || bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0) return {0, 0};
  int w = 0, h = 0, c = 0;
  unsigned char* pixels =
      stbi_load_from_memory(reinterpret_cast<const unsigned char*>(bytes.data()),
                            static_cast<int>(bytes.size()), &w, &h, &c, 3);
  if (!pixels) return {0, 0};
  // A real drawing: more than one colour.
  bool varied = false;
  for (int i = 3; i < w * h * 3 && !varied; ++i) varied = pixels[i] != pixels[i % 3];
  stbi_image_free(pixels);
  return varied ? std::pair{w, h} : std::pair{0, 0};
}

ReportSummary report_quietly(const ReportOptions& options, std::string* chatter) {
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  ReportSummary s;
  try {
    s = write_report(options);
  } catch (...) {
    *chatter = testing::internal::GetCapturedStdout() + testing::internal::GetCapturedStderr();
    throw;
  }
  *chatter = testing::internal::GetCapturedStdout() + testing::internal::GetCapturedStderr();
  return s;
}

class FullRun : public testing::Test {
 protected:
  void SetUp() override {
    concord::report::test::write_full_run(dir_.path() / "run");
    ReportOptions options;
    options.run_dir = dir_.path() / "run";
    options.generated = "2026-01-02 03:04:05 UTC";
    std::string chatter;
    summary_ = report_quietly(options, &chatter);
    EXPECT_EQ(chatter, "") << "PLplot or the report printed something";
    md_ = read_text(summary_.markdown);
  }

  TempDir dir_;
  ReportSummary summary_;
  std::string md_;
};

}  // namespace

TEST_F(FullRun, WritesReportMdWithHeaderAndEverySection) {
  EXPECT_EQ(summary_.markdown, dir_.path() / "run" / "report" / "report.md");
  EXPECT_NE(md_.find("- Run directory: `" + (dir_.path() / "run").string() + "`"),
            std::string::npos)
      << md_;
  EXPECT_NE(md_.find("- Generated: 2026-01-02 03:04:05 UTC"), std::string::npos);
  EXPECT_NE(md_.find("`concord report --run-dir " + (dir_.path() / "run").string() + "`"),
            std::string::npos);
  for (const char* h :
       {kStep0Heading, kHeteroHeading, kHeteroAp50Heading, kHeteroFullHeading, kNoiseHeading,
        kKlHeading, kCostsHeading, kMethodCostsHeading, kStagesHeading, kPicturesHeading}) {
    EXPECT_TRUE(has_line(md_, h)) << "missing heading " << h;
  }
  EXPECT_TRUE(has_line(md_, "### ego m1, collaborators m1+m2"));
  EXPECT_EQ(summary_.sections.size(), 6u);
  // Step 0, hetero AP@0.5, hetero full, noise, KL, costs, stages.
  EXPECT_EQ(summary_.tables, 7);
  EXPECT_EQ(summary_.figures.size(), 3u);
}

TEST_F(FullRun, Step0TableHasOneRowPerExperimentAndMode) {
  const ParsedTable t = table_after(md_, kStep0Heading);
  EXPECT_EQ(t.rows.size(), 6u);
  EXPECT_EQ(t.cell({{"experiment", "step0_m1"}, {"mode", "late_fusion"}}, "AP@0.5"), "0.717");
  EXPECT_EQ(t.cell({{"experiment", "step0_m1"}, {"mode", "late_fusion"}}, "AP@0.7"), "0.495");
  EXPECT_EQ(t.cell({{"experiment", "step0_m2"}, {"mode", "intermediate"}}, "AP@0.3"), "0.307");
  EXPECT_EQ(t.cell({{"experiment", "step0_m2"}, {"mode", "intermediate"}}, "ego"), "m2");
}

TEST_F(FullRun, HeteroTableHasOneRowPerExperimentAndOneColumnPerMethod) {
  const ParsedTable t = table_after(md_, kHeteroAp50Heading);
  // References, then one-to-one, then align-to-common baselines, then NegoCollab.
  const std::vector<std::string> header = {"collaborators", "ego",         "experiment",
                                           "no_fusion",     "late_fusion", "naive",
                                           "pnpda_o2o",     "stamp",       "negocollab"};
  EXPECT_EQ(t.header, header);
  // negocollab_m1m2 and stamp_m1m2 for both egos, pnpda_o2o_m1m2 and noise_m1m2's
  // σ = 0 rows for m1.
  ASSERT_EQ(t.rows.size(), 6u);
  auto key = [](const std::string& ego, const std::string& experiment) {
    return std::map<std::string, std::string>{
        {"collaborators", "m1+m2"}, {"ego", ego}, {"experiment", experiment}};
  };
  EXPECT_EQ(t.cell(key("m1", "negocollab_m1m2"), "negocollab"), "0.596");
  EXPECT_EQ(t.cell(key("m1", "negocollab_m1m2"), "late_fusion"), "0.632");
  EXPECT_EQ(t.cell(key("m1", "negocollab_m1m2"), "naive"), "0.586");
  EXPECT_EQ(t.cell(key("m1", "negocollab_m1m2"), "stamp"), "—");
  EXPECT_EQ(t.cell(key("m1", "stamp_m1m2"), "naive"), "0.581");
  EXPECT_EQ(t.cell(key("m1", "stamp_m1m2"), "stamp"), "0.611");
  EXPECT_EQ(t.cell(key("m2", "negocollab_m1m2"), "negocollab"), "0.141");
  EXPECT_EQ(t.cell(key("m2", "stamp_m1m2"), "stamp"), "0.222");
  EXPECT_EQ(t.cell(key("m2", "negocollab_m1m2"), "no_fusion"), "0.096");
  EXPECT_EQ(t.cell(key("m2", "stamp_m1m2"), "naive"), "—");  // stamp_m1m2 has no naive for m2
  EXPECT_EQ(t.cell(key("m1", "noise_m1m2"), "no_fusion"), "—");
  EXPECT_EQ(t.cell(key("m1", "pnpda_o2o_m1m2"), "pnpda_o2o"), "0.580");
  EXPECT_EQ(t.cell(key("m1", "pnpda_o2o_m1m2"), "negocollab"), "—");
  // The best of each row is bold.
  EXPECT_NE(md_.find("| **0.632** |"), std::string::npos);
  EXPECT_NE(md_.find("| **0.490** |"), std::string::npos);
  EXPECT_NE(md_.find("| **0.611** |"), std::string::npos);
}

TEST_F(FullRun, HeteroFullTableHasEveryNoiseFreeRow) {
  const ParsedTable t = table_after(md_, kHeteroFullHeading);
  // negocollab_m1m2, stamp_m1m2, pnpda_o2o_m1m2, noise_m1m2 at σ 0
  EXPECT_EQ(t.rows.size(), 8u + 5u + 2u + 2u);
  const std::map<std::string, std::string> key = {
      {"experiment", "negocollab_m1m2"}, {"ego", "m2"}, {"mode", "late_fusion"}};
  EXPECT_EQ(t.cell(key, "AP@0.3"), "0.540");
  EXPECT_EQ(t.cell(key, "AP@0.5"), "0.490");
  EXPECT_EQ(t.cell(key, "AP@0.7"), "0.275");
  EXPECT_EQ(t.cell(key, "GT"), "395");
}

TEST_F(FullRun, NoiseTableIsMethodBySigma) {
  const ParsedTable t = table_after(md_, "### ego m1, collaborators m1+m2");
  const std::vector<std::string> header = {"method", "σ = 0", "σ = 0.2", "σ = 0.4"};
  EXPECT_EQ(t.header, header);
  EXPECT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.cell({{"method", "negocollab"}}, "σ = 0.2"), "0.571");
  EXPECT_EQ(t.cell({{"method", "late_fusion"}}, "σ = 0.4"), "0.433");
  EXPECT_EQ(t.cell({{"method", "late_fusion"}}, "σ = 0"), "0.632");
}

TEST_F(FullRun, KlAndCostTables) {
  const ParsedTable kl = table_after(md_, kKlHeading);
  EXPECT_EQ(kl.cell({{"agent", "m3"}}, "KL, protocol"), "0.875");
  EXPECT_EQ(kl.cell({{"agent", "m1"}}, "KL, negotiated"), "0.120");
  const ParsedTable costs = table_after(md_, kMethodCostsHeading);
  EXPECT_EQ(costs.cell({{"method", "negocollab"}}, "trainable parameters"), "1,234,567");
  EXPECT_EQ(costs.cell({{"method", "stamp"}}, "wire bytes (wire)"), "2,097,152");
  EXPECT_EQ(costs.cell({{"method", "negocollab"}}, "train seconds"), "3600.500");
  const ParsedTable stages = table_after(md_, kStagesHeading);
  ASSERT_EQ(stages.rows.size(), 4u);
  EXPECT_EQ(stages.cell({{"stage", "negotiate"}}, "seconds"), "600.500");
  EXPECT_EQ(stages.rows.back().at(0), "total");  // the total is the last row
  EXPECT_EQ(stages.cell({{"stage", "total"}}, "seconds"), "1800.750");
  EXPECT_EQ(stages.cell({{"stage", "total"}}, "time"), "0:30:01");
}

TEST_F(FullRun, FiguresAreRealPngsLinkedFromTheReport) {
  const fs::path out = dir_.path() / "run" / "report";
  for (const char* name : {"ap50_bars.png", "ap_vs_noise_m1.png", "kl_gap.png"}) {
    const auto [w, h] = decode_png(out / name);
    EXPECT_GT(w, 100) << name;
    EXPECT_GT(h, 100) << name;
    EXPECT_NE(md_.find(std::string("](") + name + ")"), std::string::npos) << name;
    EXPECT_NE(std::find(summary_.figures.begin(), summary_.figures.end(), out / name),
              summary_.figures.end());
  }
}

TEST_F(FullRun, PicturesAreLinkedRelativelyNegocollabFirst) {
  EXPECT_EQ(summary_.pictures, 2);
  const auto nego = md_.find("](../negocollab_m1m2/pictures/negocollab_s0_000070.png)");
  const auto step0 = md_.find("](../step0_m1/pictures/intermediate_s0_000070.png)");
  ASSERT_NE(nego, std::string::npos) << md_;
  ASSERT_NE(step0, std::string::npos);
  EXPECT_LT(nego, step0);
  EXPECT_NE(md_.find("*negocollab_s0_000070.png*"), std::string::npos);
  EXPECT_TRUE(fs::exists(summary_.markdown.parent_path() /
                         "../negocollab_m1m2/pictures/negocollab_s0_000070.png"));
}

TEST(Report, SectionsWithoutDataAreLeftOut) {
  TempDir dir;
  concord::report::test::write_step0_only_run(dir.path());
  ReportOptions options;
  options.run_dir = dir.path();
  options.out_dir = dir.path() / "out";
  std::string chatter;
  const ReportSummary s = report_quietly(options, &chatter);
  EXPECT_EQ(chatter, "");
  const std::string md = read_text(s.markdown);
  EXPECT_EQ(s.markdown, dir.path() / "out" / "report.md");
  EXPECT_TRUE(has_line(md, kStep0Heading));
  for (const char* h :
       {kHeteroHeading, kNoiseHeading, kKlHeading, kCostsHeading, kPicturesHeading}) {
    EXPECT_FALSE(has_line(md, h)) << h;
  }
  EXPECT_EQ(s.sections, std::vector<std::string>{std::string(kStep0Heading).substr(3)});
  EXPECT_EQ(s.tables, 1);
  EXPECT_TRUE(s.figures.empty());
  for (const auto& e : fs::directory_iterator(dir.path() / "out")) {
    EXPECT_NE(e.path().extension(), ".png") << e.path();
  }
  EXPECT_NE(md.find("--out " + (dir.path() / "out").string()), std::string::npos);
}

TEST(Report, NoNoiseSectionWithoutASweepAndStaleFiguresRemoved) {
  TempDir dir;
  concord::report::test::write_full_run(dir.path());
  std::string chatter;
  ReportSummary s = report_quietly({dir.path(), {}, "now"}, &chatter);
  ASSERT_TRUE(fs::exists(dir.path() / "report" / "ap_vs_noise_m1.png"));
  fs::remove_all(dir.path() / "noise_m1m2");
  fs::remove(dir.path() / "kl_gap.csv");
  s = report_quietly({dir.path(), {}, "now"}, &chatter);
  const std::string md = read_text(s.markdown);
  EXPECT_FALSE(has_line(md, kNoiseHeading));
  EXPECT_FALSE(has_line(md, kKlHeading));
  EXPECT_TRUE(has_line(md, kHeteroHeading));
  EXPECT_FALSE(fs::exists(dir.path() / "report" / "ap_vs_noise_m1.png"));
  EXPECT_FALSE(fs::exists(dir.path() / "report" / "kl_gap.png"));
  EXPECT_TRUE(fs::exists(dir.path() / "report" / "ap50_bars.png"));
  EXPECT_EQ(s.figures.size(), 1u);
}

TEST(Report, EmptyRunDirSaysSoAndMissingRunDirThrows) {
  TempDir dir;
  std::string chatter;
  const ReportSummary s = report_quietly({dir.path(), {}, "now"}, &chatter);
  EXPECT_TRUE(s.sections.empty());
  EXPECT_EQ(s.tables, 0);
  EXPECT_NE(read_text(s.markdown).find("Nothing to report yet"), std::string::npos);
  try {
    write_report({dir.path() / "nope", {}, "now"});
    FAIL() << "expected FormatError";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find((dir.path() / "nope").string()), std::string::npos);
  }
}

TEST(EvalTable, MissingColumnNamesFileLineAndColumn) {
  TempDir dir;
  const fs::path file = dir.path() / "exp" / "eval.csv";
  write_text(file,
             "ego,collaborators,mode,pose_noise,frames,gt,ap30,ap50\n"
             "m1,m1+m2,no_fusion,0,40,395,0.6,0.5\n");
  try {
    read_eval_csv(file, "exp");
    FAIL() << "expected FormatError";
  } catch (const FormatError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.rfind(file.string() + ": line 1:", 0), 0u) << what;
    EXPECT_NE(what.find("missing column \"ap70\""), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos);
  }
  // write_report fails the same way and writes nothing.
  EXPECT_THROW(write_report({dir.path(), {}, "now"}), FormatError);
  EXPECT_FALSE(fs::exists(dir.path() / "report" / "report.md"));
}

TEST(EvalTable, NonNumericApNamesFileLineAndColumn) {
  TempDir dir;
  const fs::path file = dir.path() / "exp" / "eval.csv";
  write_text(file,
             "ego,collaborators,mode,pose_noise,frames,gt,ap30,ap50,ap70\n"
             "m1,m1+m2,no_fusion,0,40,395,0.6,0.5,0.3\n"
             "m1,m1+m2,negocollab,0,40,395,0.7,abc,0.4\n");
  try {
    write_report({dir.path(), {}, "now"});
    FAIL() << "expected FormatError";
  } catch (const FormatError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what, file.string() + ": line 3, column ap50: expected a number, got \"abc\"");
    EXPECT_EQ(e.file(), file.string());
  }
}

TEST(EvalTable, WrongFieldCountNamesTheLine) {
  TempDir dir;
  const fs::path file = dir.path() / "eval.csv";
  write_text(file, std::string(kEvalHeader) + "\nm1,m1+m2,no_fusion,0,40,395,0.6,0.5\n");
  try {
    read_eval_csv(file, ".");
    FAIL() << "expected FormatError";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find(file.string() + ": line 2: expected 9 fields"),
              std::string::npos)
        << e.what();
  }
}

TEST(EvalTable, ReadsRowsAndTheOlderStep0Layout) {
  TempDir dir;
  write_text(dir.path() / "a" / "b" / "c" / "eval.csv",
             std::string(kEvalHeader) + "\nm1,m1+m2,negocollab,0.2,40,395,0.7,0.6,0.4\r\n\n");
  write_text(dir.path() / "a" / "b" / "c" / "d" / "eval.csv", "too deep, never read\n");
  write_text(dir.path() / "step0_m2" / "eval.csv",
             "agent,mode,pose_noise,frames,gt,ap30,ap50,ap70\n"
             "m2,late_fusion,0,40,390,0.337759,0.212886,0.0474443\n");
  const auto files = find_eval_files(dir.path());
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].experiment, "a/b/c");
  EXPECT_EQ(files[1].experiment, "step0_m2");
  const auto rows = read_eval_results(dir.path());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].experiment, "a/b/c");
  EXPECT_EQ(rows[0].collaborators, "m1+m2");
  EXPECT_DOUBLE_EQ(rows[0].pose_noise, 0.2);
  EXPECT_DOUBLE_EQ(rows[0].ap50, 0.6);
  EXPECT_EQ(rows[0].frames, 40);
  EXPECT_EQ(rows[0].line, 2);
  EXPECT_EQ(rows[1].ego, "m2");
  EXPECT_EQ(rows[1].collaborators, "m2");
  EXPECT_EQ(rows[1].mode, "late_fusion");
  EXPECT_TRUE(is_step0(rows[1].experiment));
  EXPECT_TRUE(is_step0("stage1/step0_m3"));
  EXPECT_FALSE(is_step0("negocollab_m1m2"));
}

TEST(Markdown, NumbersAndCells) {
  EXPECT_EQ(format_number(0.559415), "0.559");
  EXPECT_EQ(format_number(0.0956407), "0.096");
  EXPECT_EQ(format_number(-0.0001), "0.000");
  EXPECT_EQ(format_number(NAN), "—");
  EXPECT_EQ(format_count(1234567), "1,234,567");
  EXPECT_EQ(format_count(999), "999");
  EXPECT_EQ(format_duration(3725.4), "1:02:05");
  EXPECT_EQ(escape_cell("a|b"), "a\\|b");
  MarkdownTable t({"name", "value"});
  t.add_row({"x|y", "1.000"});
  EXPECT_EQ(t.str(), "| name | value |\n|---|---:|\n| x\\|y | 1.000 |\n");
  EXPECT_THROW(t.add_row({"a", "b", "c"}), std::invalid_argument);
}

TEST(Figures, EmptyChartsThrowNamingTheFile) {
  TempDir dir;
  const fs::path png = dir.path() / "x.png";
  EXPECT_THROW(draw_grouped_bars(BarChart{}, png), FormatError);
  EXPECT_THROW(draw_lines(LineChart{}, png), FormatError);
  LineChart bad;
  bad.series.push_back({"a", {0, 1}, {0.5}});
  try {
    draw_lines(bad, png);
    FAIL();
  } catch (const FormatError& e) {
    EXPECT_EQ(e.file(), png.string());
  }
}

TEST(Figures, TextWithHashAndUnicodeIsDrawnQuietly) {
  TempDir dir;
  const fs::path png = dir.path() / "lines.png";
  LineChart chart;
  chart.title = "run #3: σ sweep";
  chart.x_label = "pose noise σ (m, °)";
  chart.y_label = "AP@0.5";
  chart.series.push_back({"negocollab", {0, 0.2, 0.4}, {0.6, 0.55, NAN}});
  chart.series.push_back({"single point", {0.2}, {0.3}});
  testing::internal::CaptureStderr();
  testing::internal::CaptureStdout();
  draw_lines(chart, png);
  EXPECT_EQ(testing::internal::GetCapturedStdout() + testing::internal::GetCapturedStderr(), "");
  const auto [w, h] = decode_png(png);
  EXPECT_EQ(w, kFigureWidth);
  EXPECT_EQ(h, kFigureHeight);
}
