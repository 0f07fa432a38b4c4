// `concord train`: Step-0 training of an agent type's collaborative detector.
#include <ATen/Context.h>

#include <fstream>
#include <iostream>

#include "command.hpp"
#include "concord/error.hpp"
#include "concord/formats/error.hpp"
#include "concord/logging.hpp"
#include "concord/pipeline/build.hpp"
#include "concord/pipeline/trainer.hpp"
#include "experiment_options.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace concord::host {

int run_train(int argc, char** argv) {
  CommonOptions opts;
  std::string config, run_dir, data_root;
  bool resume = false;
  po::options_description desc("options");
  add_common_options(desc, opts);
  add_data_root_option(desc, data_root);
  desc.add_options()("config", po::value(&config)->required(), "experiment file (TOML)")(
      "run-dir", po::value(&run_dir), "run directory (default: runs/<experiment name>)")(
      "resume", po::bool_switch(&resume), "continue after the last finished epoch");
  po::variables_map vm;
  const std::string usage =
      "usage: concord train --config configs/experiments/step0_m1.toml [--run-dir DIR] "
      "[--resume]\n\n"
      "Trains the experiment's agent type end to end (encoder, fusion, head) on the train\n"
      "split, validates every epoch on the validate split, keeps the best checkpoint, and\n"
      "writes config, log, metrics.csv and checkpoints into the run directory.";
  if (!parse_command_line(argc, argv, usage, desc, {}, vm)) return 0;
  const c10::Device device = apply_common_options(opts);
  if (!device.is_cpu()) throw ConfigError("--device: training runs on the CPU in this version");
  Registry registry;
  const auto manifests = load_plugins(opts, registry, device);
  const auto spec = load_experiment_with_root(config, manifests, data_root);
  const fs::path dir = run_dir.empty() ? fs::path("runs") / spec.name : fs::path(run_dir);
  fs::create_directories(dir);
  add_run_log_file(dir);
  fs::copy_file(config, dir / "config.toml", fs::copy_options::overwrite_existing);
  logger()->info("train {} -> {}", config, dir.string());
  // The initial weights come from the experiment's seed, not from whatever the
  // default generator saw before (Step-0 training is repeatable run to run).
  at::manual_seed(spec.seed);
  auto model = pipeline::build_detector(spec, registry);
  pipeline::TrainResult r;
  try {
    r = pipeline::train(*model, spec, dir, resume);
  } catch (const formats::FormatError& e) {
    throw Error(e.what());
  }
  if (r.best_val_ap >= 0.0) {
    std::printf(
        "trained %d epochs in %.0f s; best val AP@0.5 %.3f at epoch %d; checkpoints in %s\n",
        r.epochs_done, r.seconds, r.best_val_ap, r.best_epoch,
        (dir / "checkpoints").string().c_str());
  } else {
    std::printf("trained %d epochs in %.0f s; best val loss %.4f at epoch %d; checkpoints in %s\n",
                r.epochs_done, r.seconds, r.best_val_loss, r.best_epoch,
                (dir / "checkpoints").string().c_str());
  }
  return 0;
}

}  // namespace concord::host
