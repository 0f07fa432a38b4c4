#include "profile_run.hpp"

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

driver::RunSummary run_profile(const driver::Plan& plan, const CommonOptions& opts, bool fresh) {
  std::vector<std::string> extra;
  if (opts.threads > 0) extra = {"--threads", std::to_string(opts.threads)};
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
  o.log = [](const std::string& line) { logger()->info("{}", line); };
  logger()->info("profile {} -> {} ({} stages)", plan.name, plan.run_dir.string(),
                 plan.stages.size());
  return driver::run_plan(
      plan, [&](const driver::Stage& s) { return run_stage_process(s, extra); }, o);
}

}  // namespace concord::host
