// `concord demo`: the main job on the embedded default, from shipped Step-0
// checkpoints (models/), in minutes: simulate -> negotiate (m1 + m2) -> adapt
// -> m3 joins -> STAMP baseline -> evaluation, then the collaboration table.
#include <chrono>
#include <cstdio>
#include <fstream>

#include "command.hpp"
#include "concord/driver/plan.hpp"
#include "concord/error.hpp"
#include "concord/logging.hpp"
#include "profile_run.hpp"
#include "summary_table.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace concord::host {

int run_demo(int argc, char** argv) {
  CommonOptions opts;
  std::string dataset = "sim";
  bool fresh = false;
  po::options_description desc("options");
  add_common_options(desc, opts);
  desc.add_options()("dataset", po::value(&dataset)->default_value("sim"),
                     "sim (the embedded simulator); profile configs/profiles/demo.toml")(
      "fresh", po::bool_switch(&fresh), "redo every stage instead of resuming");
  po::variables_map vm;
  const std::string usage =
      "usage: concord demo [--fresh]\n\n"
      "Runs the main job end to end on a small simulated dataset, starting from the\n"
      "Step-0 checkpoints shipped in models/ (fp16; `concord reproduce` regenerates\n"
      "them): m1 + m2 negotiate a common representation and adapt, m3 joins the\n"
      "frozen alliance, STAMP is trained as the align-to-common baseline, and every\n"
      "method is evaluated on the test split. Prints AP@0.5 per method. Each stage is\n"
      "skipped when a previous run finished it (see runs/demo/stages.csv).";
  if (!parse_command_line(argc, argv, usage, desc, {}, vm)) return 0;
  apply_common_options(opts);
  if (dataset != "sim") throw ConfigError("--dataset: expected sim, got \"" + dataset + "\"");
  const auto plan = driver::load_plan(profile_file("demo"));
  const auto start = std::chrono::steady_clock::now();
  const auto r = run_profile(plan, opts, fresh);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::string table = hetero_summary_markdown(plan.summary_evals);
  std::ofstream md(plan.run_dir / "summary.md");
  md << "# Concord demo: AP@0.5 on the test split\n\n" << table;
  std::printf(
      "\nHeterogeneous collaboration, AP@0.5 (test split of %s; AP@0.3/0.7 in each eval.csv)\n\n"
      "%s\n%d stages run, %d skipped, %.0f s; table in %s\n",
      (plan.run_dir / "dataset").string().c_str(), table.c_str(), r.ran, r.skipped, seconds,
      (plan.run_dir / "summary.md").string().c_str());
  return 0;
}

}  // namespace concord::host
