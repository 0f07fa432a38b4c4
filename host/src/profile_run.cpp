#include "profile_run.hpp"

#include <algorithm>
#include <thread>

#include "concord/error.hpp"
#include "concord/logging.hpp"
#include "stage_process.hpp"

namespace concord::host {

namespace fs = std::filesystem;

fs::path profile_file(const std::string& name) {
  const fs::path file = fs::path("configs") / "profiles" / (name + ".toml");
  if (!fs::exists(file))
    throw ConfigError(file.string() + ": profile \"" + name +
                      "\" not found (run concord from the repository root)");
  return file;
}

driver::RunSummary run_profile(const driver::Plan& plan, const CommonOptions& opts, bool fresh,
                               int jobs) {
  if (jobs < 1) throw ConfigError("--jobs " + std::to_string(jobs) + ": expected 1 or more");
  std::vector<std::string> extra;
  if (opts.device != "cpu") {  // e.g. `reproduce --profile paper --device cuda`
    extra.push_back("--device");
    extra.push_back(opts.device);
  }
  for (const std::string& d : opts.plugin_dirs) {
    extra.push_back("--plugin-dir");
    extra.push_back(d);
  }
  fs::create_directories(plan.run_dir);
  fs::create_directories(plan.ledger_dir);
  driver::RunOptions o;
  o.fresh = fresh;
  o.jobs = jobs;
  o.log = [](const std::string& line) { logger()->info("{}", line); };
  const fs::path logs = plan.ledger_dir / "stages";
  if (jobs > 1) fs::create_directories(logs);
  logger()->info("profile {} -> {} ({} stages, {} at a time{})", plan.name, plan.run_dir.string(),
                 plan.stages.size(), jobs,
                 jobs > 1 ? ", stage output in " + logs.string() + "/*.log" : std::string());
  return driver::run_plan(
      plan,
      [&](const driver::Stage& s, int sharing) {
        // --threads as given; else, with lanes, the cores split between the stages
        // sharing them (a stage starting alone, e.g. simulate, gets every core).
        int threads = opts.threads;
        if (threads <= 0 && jobs > 1) {
          const int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
          threads = std::max(1, cores / std::max(1, sharing));
        }
        std::vector<std::string> args = extra;
        if (threads > 0) {
          args.push_back("--threads");
          args.push_back(std::to_string(threads));
        }
        return run_stage_process(s, args, jobs > 1 ? logs / (s.name + ".log") : fs::path());
      },
      o);
}

}  // namespace concord::host
