// `concord render`: pictures of a dataset frame so a person can look at the data.
#include <iostream>

#include "command.hpp"
#include "concord/error.hpp"
#include "concord/formats/error.hpp"
#include "concord/formats/opv2v_dataset.hpp"
#include "concord/formats/png.hpp"
#include "concord/logging.hpp"
#include "concord/viz/bev.hpp"
#include "concord/viz/camera_view.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace concord::host {

int run_render(int argc, char** argv) {
  CommonOptions opts;
  std::string data, split, scenario, timestamp, ego, out;
  int index = 0, beams = 64, camera = -1;
  double range_m = 51.2, resolution = 0.1;
  po::options_description desc("options");
  add_common_options(desc, opts);
  desc.add_options()("data", po::value(&data)->required(),
                     "dataset root holding train/ validate/ test/ (OPV2V or OPV2V-H layout)")(
      "split", po::value(&split)->default_value("test"), "train | validate | test")(
      "scenario", po::value(&scenario), "scenario folder (default: by --index)")(
      "timestamp", po::value(&timestamp), "timestamp, e.g. 000068 (needs --scenario)")(
      "index", po::value(&index)->default_value(0), "frame index in the split")(
      "ego", po::value(&ego), "agent id whose frame is drawn (default: the scenario's ego)")(
      "beams", po::value(&beams)->default_value(64), "point cloud drawn: 64, 32 or 16")(
      "camera", po::value(&camera)->default_value(-1),
      "also draw camera N (0 front, 1 right-rear, 2 left-rear, 3 back) with projected boxes")(
      "range", po::value(&range_m)->default_value(51.2), "half side of the BEV picture, m")(
      "resolution", po::value(&resolution)->default_value(0.1), "BEV m per pixel")(
      "out", po::value(&out)->required(), "output PNG of the BEV picture");
  po::variables_map vm;
  const std::string usage =
      "usage: concord render --data DIR --out bev.png [--split test] [--index N | --scenario S "
      "--timestamp T] [--ego ID] [--camera N]\n\n"
      "Draws every agent's points in the ego frame, ground-truth boxes (green) and agent\n"
      "poses as a bird's-eye-view PNG; with --camera also that camera image with the\n"
      "boxes' projected edges (written next to --out as <name>_cameraN.png).";
  if (!parse_command_line(argc, argv, usage, desc, {}, vm)) return 0;
  apply_common_options(opts);
  if (beams != 64 && beams != 32 && beams != 16) {
    throw ConfigError("--beams: expected 64, 32 or 16, got " + std::to_string(beams));
  }
  try {
    formats::Opv2vDataset dataset(data, split);
    if (dataset.size() == 0) throw ConfigError(data + "/" + split + ": no frames found");
    formats::Opv2vFrame frame = [&] {
      if (!scenario.empty()) {
        if (timestamp.empty()) throw ConfigError("--scenario needs --timestamp");
        return dataset.frame(scenario, timestamp);
      }
      if (index < 0 || static_cast<std::size_t>(index) >= dataset.size()) {
        throw ConfigError("--index: expected 0.." + std::to_string(dataset.size() - 1) + ", got " +
                          std::to_string(index));
      }
      return dataset.frame(static_cast<std::size_t>(index));
    }();
    if (ego.empty()) ego = frame.ego().id();
    viz::BevOptions bev_options;
    bev_options.x_min = bev_options.y_min = -range_m;
    bev_options.x_max = bev_options.y_max = range_m;
    bev_options.resolution = resolution;
    bev_options.beams = beams;
    viz::BevImage bev = viz::render_bev(frame, ego, bev_options);
    fs::path out_path(out);
    if (out_path.has_parent_path()) fs::create_directories(out_path.parent_path());
    viz::save_png(out_path, bev);
    std::cout << "wrote " << out_path.string() << " (scenario " << frame.scenario()
              << ", timestamp " << frame.timestamp() << ", ego " << ego << ", "
              << frame.agents().size() << " agents)\n";
    if (camera >= 0) {
      viz::Canvas view = viz::render_camera(frame, ego, camera);
      fs::path cam_path = out_path.parent_path() /
                          (out_path.stem().string() + "_camera" + std::to_string(camera) + ".png");
      formats::write_png(cam_path, view.image());
      std::cout << "wrote " << cam_path.string() << "\n";
    }
  } catch (const formats::FormatError& e) {
    throw Error(e.what());
  } catch (const std::out_of_range& e) {
    throw ConfigError(std::string("--ego ") + ego + ": no such agent in this frame (" + e.what() +
                      ")");
  }
  return 0;
}

}  // namespace concord::host
