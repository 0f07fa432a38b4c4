// `concord simulate`: the embedded benchmark, written in the OPV2V-H layout.
#include <chrono>
#include <iostream>

#include "command.hpp"
#include "concord/error.hpp"
#include "concord/formats/error.hpp"
#include "concord/logging.hpp"
#include "concord/progress.hpp"
#include "concord/sim/config.hpp"
#include "concord/sim/simulator.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace concord::host {

int run_simulate(int argc, char** argv) {
  CommonOptions opts;
  std::string config_path, out;
  po::options_description desc("options");
  add_common_options(desc, opts);
  desc.add_options()("config", po::value(&config_path)->default_value("configs/sim/default.toml"),
                     "simulator config (TOML)")(
      "out", po::value(&out)->required(),
      "output dataset root; receives train/ validate/ test/ and sim_summary.yaml");
  po::variables_map vm;
  const std::string usage =
      "usage: concord simulate --config configs/sim/default.toml --out DIR\n\n"
      "Ray-casts procedural towns with 2-5 connected vehicles (and optionally a roadside\n"
      "unit), each carrying 64/32/16-beam LiDARs and 4 RGB + depth cameras, and writes the\n"
      "dataset in the OPV2V / OPV2V-H layout. Same seed and config give identical bytes.";
  if (!parse_command_line(argc, argv, usage, desc, {}, vm)) return 0;
  apply_common_options(opts);
  sim::SimConfig config;
  try {
    config = sim::load_sim_config(config_path);
  } catch (const sim::SimConfigError& e) {
    throw ConfigError(e.what());
  }
  if (opts.threads > 0) config.threads = opts.threads;
  fs::create_directories(out);
  add_run_log_file(out);
  logger()->info("simulate: config {} -> {}", config_path, out);
  const auto start = std::chrono::steady_clock::now();
  sim::SimulationStats stats;
  {
    std::unique_ptr<ProgressBar> bar;
    try {
      stats = sim::simulate(config, out, [&](std::size_t done, std::size_t total) {
        if (!bar) bar = std::make_unique<ProgressBar>(total, "simulate");
        bar->update(done);
      });
    } catch (const sim::SimConfigError& e) {
      throw ConfigError(e.what());
    } catch (const formats::FormatError& e) {
      throw Error(e.what());
    }
    if (bar) bar->finish();
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "simulated %zu scenarios, %zu frames, %zu agent-frames, %llu LiDAR points in %.1f s\n",
      stats.scenarios, stats.frames, stats.agent_frames,
      static_cast<unsigned long long>(stats.lidar_points), seconds);
  for (const auto& [split, c] : stats.splits) {
    std::printf(
        "  %-8s %4zu frames: %zu cooperative GT vehicles, %zu seen by the ego, %zu (%.1f%%) seen "
        "only by a collaborator\n",
        split.c_str(), c.frames, c.union_objects, c.ego_objects, c.collab_only, 100.0 * c.share());
  }
  std::printf("occluded-or-out-of-range but collaborator-visible share: %.1f%% of %zu vehicles\n",
              100.0 * stats.total.share(), stats.total.union_objects);
  return 0;
}

}  // namespace concord::host
