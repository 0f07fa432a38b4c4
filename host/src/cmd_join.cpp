// `concord join`: a new agent type joins a frozen alliance (align, then adapt its receiver).
#include <cstdio>

#include "command.hpp"
#include "concord/error.hpp"
#include "concord/formats/error.hpp"
#include "concord/logging.hpp"
#include "concord/pipeline/adaptation.hpp"
#include "concord/pipeline/alliance.hpp"
#include "concord/pipeline/negotiation.hpp"
#include "experiment_options.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace concord::host {

int run_join(int argc, char** argv) {
  CommonOptions opts;
  std::string config, run_dir, data_root;
  bool resume = false, replace = false;
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
      "resume", po::bool_switch(&resume), "continue a stopped join")(
      "replace", po::bool_switch(&replace),
      "retrain an agent type that already joined: its adapters in the artifact are replaced "
      "(the alliance and its id do not change)");
  po::variables_map vm;
  const std::string usage =
      "usage: concord join --config configs/experiments/join_m3.toml [--run-dir DIR] "
      "[--resume] [--replace]\n\n"
      "A new agent type (experiment.agents) joins the alliance in alliance.dir without\n"
      "changing it: its sender and receiver align to the frozen common representation\n"
      "(P from the frozen negotiator over the founders' frozen encoders; [join] schedule),\n"
      "then its receiver adapts to the task with itself as the ego ([adapt] schedule).\n"
      "The adapters are added to the artifact, recorded as trained against its id.";
  if (!parse_command_line(argc, argv, usage, desc, {}, vm)) return 0;
  const c10::Device device = apply_common_options(opts);
  apply_cache_option(cache_mib);
  if (!device.is_cpu()) throw ConfigError("--device: joining runs on the CPU in this version");
  Registry registry;
  const auto manifests = load_plugins(opts, registry, device);
  auto spec = load_experiment_with_root(config, manifests, data_root);
  schedule.apply(spec.join, "[join]");
  schedule.apply(spec.adapt, "[adapt]");
  const fs::path dir = run_dir.empty() ? fs::path("runs") / spec.name : fs::path(run_dir);
  apply_local_store_option(local_store, dir);
  fs::create_directories(dir);
  add_run_log_file(dir);
  fs::copy_file(config, dir / "config.toml", fs::copy_options::overwrite_existing);
  logger()->info("join {} -> alliance {}", config, spec.alliance.dir);
  try {
    const auto j = pipeline::join(spec, registry, manifests, dir, resume, replace);
    std::printf("aligned %d epochs in %.0f s; best val loss %.4f at epoch %d\n", j.epochs_done,
                j.seconds, j.best_val_loss, j.best_epoch);
    const auto manifest = pipeline::read_alliance(spec.alliance.dir);
    pipeline::AdaptOptions o;
    for (const auto& m : manifest.members) o.members.push_back(m.agent);
    o.trainable = pipeline::agent_names(spec);
    for (size_t i = 0; i < o.members.size(); ++i)
      if (o.members[i] == o.trainable.front()) o.ego_type = static_cast<int>(i);
    o.schedule = spec.adapt;
    o.alliance_dir = spec.alliance.dir;
    o.state_dir = dir / "join_adapt";
    const auto a = pipeline::adapt_receivers(spec, registry, manifests, o, resume);
    std::printf(
        "adapted the receiver %d epochs in %.0f s; %s\n"
        "joined alliance %s (unchanged) in %s\n",
        a.epochs_done, a.seconds, a.summary().c_str(), j.alliance_id.c_str(),
        spec.alliance.dir.c_str());
  } catch (const formats::FormatError& e) {
    throw Error(e.what());
  }
  return 0;
}

}  // namespace concord::host
