// `concord reproduce --profile default`: everything from scratch (simulate,
// Step 0 of every agent type, negotiation, adaptation, joins, baselines, noise
// sweep, ablations) and the report; resumes where a stopped run ended.
#include <chrono>
#include <cstdio>

#include "command.hpp"
#include "concord/driver/plan.hpp"
#include "concord/error.hpp"
#include "profile_run.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace concord::host {

int run_reproduce(int argc, char** argv) {
  CommonOptions opts;
  std::string profile = "default";
  bool fresh = false;
  int jobs = 1;
  po::options_description desc("options");
  add_common_options(desc, opts);
  desc.add_options()("profile", po::value(&profile)->default_value("default"),
                     "configs/profiles/<name>.toml; shipped: default (the embedded benchmark on "
                     "a 2-core CPU), paper (OPV2V-H, official schedules, for a GPU: "
                     "--device cuda)")("fresh", po::bool_switch(&fresh),
                                       "redo every stage instead of resuming")(
      "jobs", po::value(&jobs)->default_value(1),
      "stages run at the same time: independent stages (e.g. the five Step-0 trainings) "
      "share the cores in lanes; each stage's output goes to <run dir>/stages/<stage>.log "
      "and, without --threads, each gets cores/jobs threads (all cores when it starts "
      "alone with no other stage ready)");
  po::variables_map vm;
  const std::string usage =
      "usage: concord reproduce [--profile default|paper] [--device cuda] [--fresh] [--jobs N]\n\n"
      "Runs every stage of the profile in order as child concord processes and ends\n"
      "with the report (<run dir>/report/report.md, run dir set by the profile). A stage\n"
      "finished in an earlier run is skipped; one whose output went missing or changed\n"
      "is redone, with the stages that read it. Progress: <run dir>/stages.csv.\n"
      "--threads, --device and --plugin-dir are passed on to every stage.";
  if (!parse_command_line(argc, argv, usage, desc, {}, vm)) return 0;
  apply_common_options(opts);
  const auto plan = driver::load_plan(profile_file(profile));
  const auto r = run_profile(plan, opts, fresh, jobs);
  std::printf("%d stages run, %d skipped, %.0f s (%.0f s of stage time); stages in %s\n", r.ran,
              r.skipped, r.wall_seconds, r.seconds, (plan.run_dir / "stages.csv").string().c_str());
  return 0;
}

}  // namespace concord::host
