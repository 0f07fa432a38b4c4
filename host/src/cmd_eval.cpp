// `concord eval`: AP@0.3/0.5/0.7 of a trained detector, per collaboration mode.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <sstream>

#include "command.hpp"
#include "concord/error.hpp"
#include "concord/formats/error.hpp"
#include "concord/logging.hpp"
#include "concord/pipeline/build.hpp"
#include "concord/pipeline/checkpoint.hpp"
#include "concord/pipeline/data_source.hpp"
#include "concord/pipeline/evaluator.hpp"
#include "concord/precision.hpp"
#include "detection_picture.hpp"
#include "eval_hetero.hpp"
#include "experiment_options.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace concord::host {

int run_eval(int argc, char** argv) {
  CommonOptions opts;
  std::string config, run_dir, data_root, checkpoint, modes, split;
  int64_t max_samples = 0;
  std::string noise_list = "0", csv_name = "eval.csv";
  std::string precision, wire;
  bool homogeneous = false;
  int64_t render = 0;
  po::options_description desc("options");
  add_common_options(desc, opts);
  std::string local_store;
  add_local_store_option(desc, local_store);
  add_data_root_option(desc, data_root);
  int64_t cache_mib = 0;
  add_cache_option(desc, cache_mib);
  desc.add_options()("config", po::value(&config)->required(), "experiment file (TOML)")(
      "run-dir", po::value(&run_dir), "run directory (default: runs/<experiment name>)")(
      "checkpoint", po::value(&checkpoint)->default_value("best"), "best | latest")(
      "modes", po::value(&modes)->default_value("no_fusion,late_fusion,intermediate"),
      "comma-separated: no_fusion, late_fusion, intermediate; NegoCollab experiments: "
      "no_fusion, late_fusion, naive, negocollab (labelled with the baseline, e.g. stamp, "
      "when the alliance records an [alignment] loss; default: all four)")(
      "split", po::value(&split), "split to evaluate (default: the experiment's test split)")(
      "max-samples", po::value(&max_samples)->default_value(0), "evaluate the first N samples")(
      "pose-noise", po::value(&noise_list)->default_value("0"),
      "Gaussian pose noise sigma on x, y (m) and yaw (deg) of every agent, GT with clean "
      "poses; a comma-separated list is a sweep (e.g. 0,0.2,0.4,0.6), one row per value")(
      "csv", po::value(&csv_name)->default_value("eval.csv"),
      "results table, relative to the run directory (e.g. noise/eval.csv for a sweep)")(
      "precision", po::value(&precision),
      "fp32 | bf16 (CPU autocast + channels_last); default: the experiment's [eval] precision")(
      "wire", po::value(&wire)->default_value("fp32"),
      "NegoCollab experiments: precision messages travel in, fp32 | fp16 | bf16")(
      "homogeneous", po::bool_switch(&homogeneous),
      "NegoCollab experiments: every agent gets the ego's type (Table 3: homogeneous "
      "collaboration through the common representation)")(
      "render", po::value(&render)->default_value(4),
      "BEV pictures (points, GT green, predictions red) of the first N samples per mode, "
      "into <run-dir>/pictures");
  po::variables_map vm;
  const std::string usage =
      "usage: concord eval --config configs/experiments/step0_m1.toml [--run-dir DIR]\n\n"
      "Evaluates the run's checkpoint on the test split: score > 0.2, rotated NMS at IoU\n"
      "0.15, range filter, AP@0.3/0.5/0.7 (VOC all-point, detections sorted globally).\n"
      "Prints a table and writes eval.csv / eval.json into the run directory.";
  if (!parse_command_line(argc, argv, usage, desc, {}, vm)) return 0;
  const c10::Device device = apply_common_options(opts);
  apply_cache_option(cache_mib);
  const std::vector<double> noises = parse_pose_noise(noise_list);
  Registry registry;
  const auto manifests = load_plugins(opts, registry, device);
  const auto spec = load_experiment_with_root(config, manifests, data_root);
  if (spec.data.root.empty()) {
    throw ConfigError(config + ": [data] root is required for evaluation");
  }
  const fs::path dir = run_dir.empty() ? fs::path("runs") / spec.name : fs::path(run_dir);
  apply_local_store_option(local_store, dir);
  if (spec.sender || spec.receiver) {  // a NegoCollab experiment: heterogeneous collaboration
    fs::create_directories(dir);
    add_run_log_file(dir);
    try {
      HeteroEvalRequest request;
      if (!vm["modes"].defaulted()) request.modes = modes;
      request.split = split;
      request.max_samples = max_samples;
      request.noises = noises;
      request.csv_path = dir / csv_name;
      request.render = render;
      request.wire = pipeline::parse_wire_format(wire, "--wire");
      request.homogeneous = homogeneous;
      request.precision = precision.empty()
                              ? parse_precision(spec.eval.precision, config + ": [eval] precision")
                              : parse_precision(precision, "--precision");
      eval_hetero(spec, registry, manifests, dir, request);
    } catch (const formats::FormatError& e) {
      throw Error(e.what());
    }
    return 0;
  }
  if (!pipeline::checkpoint_exists(dir / "checkpoints", checkpoint)) {
    throw Error((dir / "checkpoints" / (checkpoint + ".pt")).string() +
                ": no such checkpoint (train first: concord train --config " + config + ")");
  }
  add_run_log_file(dir);
  auto model = pipeline::build_detector(spec, registry);
  pipeline::load_checkpoint(dir / "checkpoints", checkpoint, *model, nullptr,
                            pipeline::detector_components(spec));
  const Precision prec = precision.empty()
                             ? parse_precision(spec.eval.precision, config + ": [eval] precision")
                             : parse_precision(precision, "--precision");
  model->set_precision(prec);
  if (prec == Precision::kBf16) to_channels_last(*model);
  std::vector<pipeline::EvalMode> wanted;
  std::stringstream ss(modes);
  for (std::string m; std::getline(ss, m, ',');) {
    if (m == "no_fusion")
      wanted.push_back(pipeline::EvalMode::kNoFusion);
    else if (m == "late_fusion")
      wanted.push_back(pipeline::EvalMode::kLateFusion);
    else if (m == "intermediate")
      wanted.push_back(pipeline::EvalMode::kIntermediate);
    else
      throw ConfigError("--modes: expected no_fusion, late_fusion or intermediate, got \"" + m +
                        "\"");
  }
  const fs::path csv_path = dir / csv_name;
  fs::create_directories(csv_path.parent_path());
  try {
    std::ofstream csv(csv_path);
    csv << "agent,mode,pose_noise,frames,gt,ap30,ap50,ap70\n";
    std::printf("\n%-6s %-13s %5s %6s %6s %7s %7s %7s\n", "agent", "mode", "noise", "frames", "gt",
                "AP@0.3", "AP@0.5", "AP@0.7");
    std::string json = "[\n";
    for (const double noise : noises) {
      loader::LoaderOptions lo = pipeline::loader_options(spec);
      lo.pose_noise_xy_m = lo.pose_noise_yaw_deg = noise;
      const auto source =
          pipeline::open_samples(spec.data, split.empty() ? spec.data.test_split : split, lo);
      const loader::SampleSource& loader = *source;
      for (auto mode : wanted) {
        const fs::path pictures = dir / "pictures";
        const bool draw = render > 0 && noise == noises.front();
        if (draw) fs::create_directories(pictures);
        const double half = std::max(
            {std::abs(spec.data.loader.gt_range[0]), std::abs(spec.data.loader.gt_range[1]),
             std::abs(spec.data.loader.gt_range[3]), std::abs(spec.data.loader.gt_range[4])});
        auto picture = [&](std::size_t i, const loader::CollabSample& s, const at::Tensor& boxes,
                           const at::Tensor&) {
          if (!draw || static_cast<int64_t>(i) >= render) return;
          save_detection_picture(pictures / (pipeline::to_string(mode) + "_" + s.scenario + "_" +
                                             s.timestamp + ".png"),
                                 s, boxes, half);
        };
        auto r = pipeline::evaluate(*model, loader, mode, spec.eval, max_samples, picture);
        std::printf("%-6s %-13s %5.2f %6lld %6lld %7.4f %7.4f %7.4f\n",
                    spec.agents.front().name.c_str(), pipeline::to_string(mode).c_str(), noise,
                    static_cast<long long>(r.num_frames), static_cast<long long>(r.num_gt),
                    r.ap_at(0.3), r.ap_at(0.5), r.ap_at(0.7));
        csv << spec.agents.front().name << "," << pipeline::to_string(mode) << "," << noise << ","
            << r.num_frames << "," << r.num_gt << "," << r.ap_at(0.3) << "," << r.ap_at(0.5) << ","
            << r.ap_at(0.7) << "\n";
        json += (json.size() > 2 ? ",\n" : "") + std::string("{\"agent\": \"") +
                spec.agents.front().name + "\", \"mode\": \"" + pipeline::to_string(mode) +
                "\", \"pose_noise\": " + std::to_string(noise) + ", \"result\": " + r.to_json() +
                "}";
      }
    }
    const fs::path json_path = csv_path.parent_path() / (csv_path.stem().string() + ".json");
    std::ofstream(json_path) << json << "\n]\n";
    std::printf("\nwrote %s and %s\n", csv_path.string().c_str(), json_path.string().c_str());
    if (render > 0) std::printf("pictures in %s\n", (dir / "pictures").string().c_str());
  } catch (const formats::FormatError& e) {
    throw Error(e.what());
  }
  return 0;
}

}  // namespace concord::host
