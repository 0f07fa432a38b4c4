// `concord report`: a Markdown report with tables and PNG figures from a run directory.
#include <cstdio>

#include "command.hpp"
#include "concord/error.hpp"
#include "concord/formats/error.hpp"
#include "concord/report/report.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace concord::host {

int run_report(int argc, char** argv) {
  CommonOptions opts;
  std::string run_dir, out;
  po::options_description desc("options");
  add_common_options(desc, opts);
  desc.add_options()("run-dir", po::value(&run_dir)->required(),
                     "run directory written by the pipeline (eval.csv files, kl_gap.csv, "
                     "costs.csv, stages.csv, pictures/)")(
      "out", po::value(&out),
      "output folder for report.md and its figures (default: RUN_DIR/report)");
  po::variables_map vm;
  const std::string usage =
      "usage: concord report --run-dir DIR [--out DIR]\n\n"
      "Reads every eval.csv up to 3 folders below the run directory, plus kl_gap.csv,\n"
      "costs.csv, stages.csv and BEV pictures, and writes report.md: Step-0 and\n"
      "heterogeneous-collaboration AP tables, pose-noise robustness, KL domain gap,\n"
      "costs and stage timings, with PNG figures drawn by PLplot. Sections whose data\n"
      "is missing are left out.";
  if (!parse_command_line(argc, argv, usage, desc, {}, vm)) return 0;
  apply_common_options(opts);
  try {
    report::ReportOptions options;
    options.run_dir = run_dir;
    options.out_dir = out;
    const report::ReportSummary summary = report::write_report(options);
    std::printf("wrote %s (%d tables, %zu figures, %d pictures)\n",
                summary.markdown.string().c_str(), summary.tables, summary.figures.size(),
                summary.pictures);
  } catch (const formats::FormatError& e) {
    throw Error(e.what());
  }
  return 0;
}

}  // namespace concord::host
