// `concord negotiate`: NegoCollab stage 1 for the experiment's initial alliance.
#include <cstdio>
#include <iostream>

#include "command.hpp"
#include "concord/error.hpp"
#include "concord/formats/error.hpp"
#include "concord/logging.hpp"
#include "concord/pipeline/negotiation.hpp"
#include "experiment_options.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace concord::host {

int run_negotiate(int argc, char** argv) {
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
  desc.add_options()("config", po::value(&config)->required(), "experiment file (TOML)")(
      "run-dir", po::value(&run_dir), "run directory (default: runs/<experiment name>)")(
      "resume", po::bool_switch(&resume), "continue after the last finished epoch");
  po::variables_map vm;
  const std::string usage =
      "usage: concord negotiate --config configs/experiments/negocollab_m1m2.toml "
      "[--run-dir DIR] [--resume]\n\n"
      "NegoCollab stage 1: encodes every agent of the train/validate splits with every\n"
      "alliance member's frozen Step-0 encoder (runs/step0_<agent>), trains the members'\n"
      "senders and receivers, the negotiator and the occupancy head with the cycle,\n"
      "distribution, structural and pragmatic losses, keeps the best validation epoch\n"
      "and writes the alliance artifact to <run-dir>/alliance.";
  if (!parse_command_line(argc, argv, usage, desc, {}, vm)) return 0;
  const c10::Device device = apply_common_options(opts);
  if (!device.is_cpu()) throw ConfigError("--device: negotiation runs on the CPU in this version");
  Registry registry;
  const auto manifests = load_plugins(opts, registry, device);
  auto spec = load_experiment_with_root(config, manifests, data_root);
  schedule.apply(spec.negotiate, "[negotiate]");
  const fs::path dir = run_dir.empty() ? fs::path("runs") / spec.name : fs::path(run_dir);
  apply_local_store_option(local_store, dir);
  fs::create_directories(dir);
  add_run_log_file(dir);
  fs::copy_file(config, dir / "config.toml", fs::copy_options::overwrite_existing);
  logger()->info("negotiate {} -> {}", config, dir.string());
  pipeline::NegotiateResult r;
  try {
    r = pipeline::negotiate(spec, registry, manifests, dir, resume);
  } catch (const formats::FormatError& e) {
    throw Error(e.what());
  }
  std::printf("negotiated %d epochs in %.0f s; best val loss %.4f at epoch %d\nalliance %s in %s\n",
              r.epochs_done, r.seconds, r.best_val_loss, r.best_epoch, r.alliance_id.c_str(),
              r.alliance_dir.string().c_str());
  return 0;
}

}  // namespace concord::host
