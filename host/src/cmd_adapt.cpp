// `concord adapt`: NegoCollab stage 2, task adaptation of the alliance's receivers.
#include <cstdio>

#include "command.hpp"
#include "concord/error.hpp"
#include "concord/formats/error.hpp"
#include "concord/logging.hpp"
#include "concord/pipeline/adaptation.hpp"
#include "experiment_options.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace concord::host {

int run_adapt(int argc, char** argv) {
  CommonOptions opts;
  std::string config, run_dir, data_root;
  bool resume = false;
  po::options_description desc("options");
  add_common_options(desc, opts);
  std::string local_store;
  add_local_store_option(desc, local_store);
  add_data_root_option(desc, data_root);
  ScheduleOptions schedule;
  add_schedule_options(desc, schedule);
  int64_t cache_mib = 0;
  add_cache_option(desc, cache_mib);
  desc.add_options()("config", po::value(&config)->required(), "experiment file (TOML)")(
      "run-dir", po::value(&run_dir), "run directory (default: runs/<experiment name>)")(
      "resume", po::bool_switch(&resume), "continue after the last finished epoch");
  po::variables_map vm;
  const std::string usage =
      "usage: concord adapt --config configs/experiments/negocollab_m1m2.toml "
      "[--run-dir DIR] [--resume]\n\n"
      "NegoCollab stage 2: trains only the receivers of the alliance in <run-dir>/alliance\n"
      "(written by concord negotiate) with the ego's collaborative detection loss, data\n"
      "flowing as at inference; keeps the best validation epoch and writes the adapted\n"
      "receivers back into the alliance artifact (its id does not change).";
  if (!parse_command_line(argc, argv, usage, desc, {}, vm)) return 0;
  const c10::Device device = apply_common_options(opts);
  apply_cache_option(cache_mib);
  if (!device.is_cpu()) throw ConfigError("--device: adaptation runs on the CPU in this version");
  Registry registry;
  const auto manifests = load_plugins(opts, registry, device);
  auto spec = load_experiment_with_root(config, manifests, data_root);
  schedule.apply(spec.adapt, "[adapt]");
  if (!spec.receiver) throw ConfigError(config + ": adaptation needs a [receiver] section");
  const fs::path dir = run_dir.empty() ? fs::path("runs") / spec.name : fs::path(run_dir);
  apply_local_store_option(local_store, dir);
  fs::create_directories(dir);
  add_run_log_file(dir);
  logger()->info("adapt {} -> {}", config, dir.string());
  pipeline::AdaptResult r;
  try {
    r = pipeline::adapt(spec, registry, manifests, dir, resume);
  } catch (const formats::FormatError& e) {
    throw Error(e.what());
  }
  std::printf("adapted %d epochs in %.0f s; %s; receivers in %s\n", r.epochs_done, r.seconds,
              r.summary().c_str(), (dir / "alliance").string().c_str());
  return 0;
}

}  // namespace concord::host
