#pragma once
/// \file
/// `concord report`: a Markdown report with tables and PNG figures from a run
/// directory (eval.csv files, kl_gap.csv, costs.csv, stages.csv, pictures/).

#include <filesystem>
#include <string>
#include <vector>

namespace concord::report {

/// What to report on and where.
struct ReportOptions {
  std::filesystem::path run_dir;  ///< the run directory to read
  std::filesystem::path out_dir;  ///< where report.md and figures go; empty = run_dir/report
  std::string generated;          ///< "generated" stamp; empty = the current UTC time
};

/// What write_report wrote.
struct ReportSummary {
  std::filesystem::path markdown;              ///< out_dir/report.md
  std::vector<std::string> sections;           ///< the "## " headings, in order
  int tables = 0;                              ///< Markdown tables in report.md
  std::vector<std::filesystem::path> figures;  ///< PNG figures written into out_dir
  int pictures = 0;                            ///< BEV pictures linked
};

/// Section headings of report.md (each written only when its data exists).
inline constexpr const char* kStep0Heading = "## Step 0: homogeneous collaboration";
inline constexpr const char* kHeteroHeading = "## Heterogeneous collaboration (pose noise 0)";
inline constexpr const char* kHeteroAp50Heading = "### AP@0.5 per method";
inline constexpr const char* kHeteroFullHeading = "### AP@0.3 / 0.5 / 0.7 per experiment";
inline constexpr const char* kNoiseHeading = "## Pose-noise robustness";
inline constexpr const char* kKlHeading = "## KL domain gap";
inline constexpr const char* kCostsHeading = "## Costs";
inline constexpr const char* kMethodCostsHeading = "### Per method";
inline constexpr const char* kStagesHeading = "### Pipeline stages";
inline constexpr const char* kPicturesHeading = "## BEV pictures";

/// At most this many BEV pictures are linked (file names containing
/// "negocollab" first).
inline constexpr int kMaxPictures = 6;

/// Reads `options.run_dir` and writes out_dir/report.md plus its figures
/// (ap50_bars.png, ap_vs_noise_<ego>.png, kl_gap.png; stale ones of an earlier
/// report in out_dir are removed). Every input is read before anything is
/// written. Throws concord::formats::FormatError naming the file (and line) when
/// the run dir is missing, an input file is malformed, a figure cannot be drawn
/// or report.md cannot be written.
ReportSummary write_report(const ReportOptions& options);

}  // namespace concord::report
