// `concord eval` on a NegoCollab experiment: heterogeneous collaboration per ego
// type and mode (no fusion, late fusion, naive sharing, NegoCollab or the align-to-common
// baseline the alliance artifact records, e.g. STAMP), AP@0.3/0.5/0.7.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "command.hpp"
#include "concord/error.hpp"
#include "concord/formats/error.hpp"
#include "concord/logging.hpp"
#include "concord/pipeline/adaptation.hpp"
#include "concord/pipeline/alliance.hpp"
#include "concord/pipeline/evaluator.hpp"
#include "concord/pipeline/hetero_loader.hpp"
#include "concord/pipeline/negotiation.hpp"
#include "detection_picture.hpp"
#include "eval_hetero.hpp"

namespace fs = std::filesystem;

namespace concord::host {

void eval_hetero(const pipeline::ExperimentSpec& spec, const Registry& registry,
                 const std::vector<PluginManifest>& manifests, const fs::path& dir,
                 const HeteroEvalRequest& request) {
  const std::vector<double>& noises = request.noises;
  const fs::path& csv_path = request.csv_path;
  // A join experiment evaluates the whole alliance it joined; a negotiation its members.
  const bool joined = !spec.alliance.dir.empty();
  const fs::path alliance = joined ? fs::path(spec.alliance.dir) : dir / "alliance";
  // The adapted mode's label: "negocollab", or the align-to-common baseline the
  // artifact records (e.g. "stamp"); --modes accepts either name for it.
  std::string method = spec.alignment ? spec.alignment->factory : "negocollab";
  if (fs::exists(alliance / "alliance.toml")) method = pipeline::read_alliance(alliance).method();
  auto label = [&](pipeline::HeteroMode mode) {
    return mode == pipeline::HeteroMode::kNegoCollab ? method : pipeline::to_string(mode);
  };
  std::vector<pipeline::HeteroMode> wanted;
  std::stringstream ss(request.modes);
  for (std::string m; std::getline(ss, m, ',');) {
    if (m == "no_fusion")
      wanted.push_back(pipeline::HeteroMode::kNoFusion);
    else if (m == "late_fusion")
      wanted.push_back(pipeline::HeteroMode::kLateFusion);
    else if (m == "naive")
      wanted.push_back(pipeline::HeteroMode::kNaive);
    else if (m == "negocollab" || m == method)
      wanted.push_back(pipeline::HeteroMode::kNegoCollab);
    else
      throw ConfigError("--modes: expected no_fusion, late_fusion, naive or " + method +
                        ", got \"" + m + "\"");
  }
  const bool needs_alliance =
      std::find(wanted.begin(), wanted.end(), pipeline::HeteroMode::kNegoCollab) != wanted.end();
  if ((needs_alliance || joined) && !fs::exists(alliance / "alliance.toml"))
    throw Error((alliance / "alliance.toml").string() +
                ": no alliance artifact (run concord negotiate / join first)");
  std::vector<std::string> names = pipeline::agent_names(spec);
  if (joined) {
    names.clear();
    for (const auto& m : pipeline::read_alliance(alliance).members) names.push_back(m.agent);
  }
  auto members = pipeline::load_hetero_members(spec, registry, manifests, names,
                                               needs_alliance ? alliance : fs::path());
  for (auto& m : members) {
    m.detector->set_precision(request.precision);
    if (request.precision == Precision::kBf16) {
      to_channels_last(*m.detector);
      if (m.sender) to_channels_last(*m.sender);
      if (m.receiver) to_channels_last(*m.receiver);
    }
  }
  pipeline::HeteroCollab collab(members);
  collab.set_wire(request.wire);
  // Every ego type, mode and noise level below revisits the same frames.
  collab.cache_locals(pipeline::local_cache_budget());
  const auto sensors = pipeline::member_sensors(members);
  const std::string split_name = request.split.empty() ? spec.data.test_split : request.split;
  fs::create_directories(csv_path.parent_path());
  std::ofstream csv(csv_path);
  csv << "ego,collaborators,mode,pose_noise,frames,gt,ap30,ap50,ap70\n";
  std::printf("\n%-4s %-8s %-12s %5s %6s %6s %7s %7s %7s\n", "ego", "others", "mode", "noise",
              "frames", "gt", "AP@0.3", "AP@0.5", "AP@0.7");
  std::string others;
  for (const auto& m : members) others += (others.empty() ? "" : "+") + m.name;
  const auto& r6 = spec.data.loader.gt_range;
  const double half =
      std::max({std::abs(r6[0]), std::abs(r6[1]), std::abs(r6[3]), std::abs(r6[4])});
  // A fixed assignment (DAIR-V2X-C [data] vehicle_type / roadside_type) has one ego
  // type; otherwise each member in turn is the ego, collaborators from the seeded draw.
  const std::vector<size_t> fixed = pipeline::fixed_type_indices(spec.data, names);
  for (const double noise : noises) {
    loader::LoaderOptions lo = spec.data.loader;
    lo.pose_noise_xy_m = lo.pose_noise_yaw_deg = noise;
    for (size_t ego = 0; ego < members.size(); ++ego) {
      if (!fixed.empty() && ego != fixed.front()) continue;
      const std::vector<size_t> types =
          request.homogeneous
              ? std::vector<size_t>(static_cast<size_t>(std::max(1, lo.max_agents)), ego)
              : fixed;
      const std::string collaborators = request.homogeneous ? members[ego].name + "-only" : others;
      pipeline::HeteroLoader loader(spec.data, split_name, lo, sensors, spec.seed,
                                    static_cast<int>(ego), types);
      for (auto mode : wanted) {
        const fs::path pictures = dir / "pictures";
        const bool draw = request.render > 0 && noise == noises.front();
        if (draw) fs::create_directories(pictures);
        auto picture = [&](std::size_t i, const loader::CollabSample& s, const at::Tensor& boxes,
                           const at::Tensor&) {
          if (!draw || static_cast<int64_t>(i) >= request.render) return;
          save_detection_picture(pictures / (members[ego].name + "_" + label(mode) + "_" +
                                             s.scenario + "_" + s.timestamp + ".png"),
                                 s, boxes, half);
        };
        eval::ApResults r;
        {
          AutocastScope autocast(request.precision);  // senders and receivers too
          r = pipeline::evaluate_hetero(collab, loader, mode, spec.eval, loader.gt_range(),
                                        request.max_samples, picture);
        }
        std::printf("%-4s %-8s %-12s %5.2f %6lld %6lld %7.4f %7.4f %7.4f\n",
                    members[ego].name.c_str(), collaborators.c_str(), label(mode).c_str(), noise,
                    static_cast<long long>(r.num_frames), static_cast<long long>(r.num_gt),
                    r.ap_at(0.3), r.ap_at(0.5), r.ap_at(0.7));
        csv << members[ego].name << "," << collaborators << "," << label(mode) << "," << noise
            << "," << r.num_frames << "," << r.num_gt << "," << r.ap_at(0.3) << "," << r.ap_at(0.5)
            << "," << r.ap_at(0.7) << "\n";
      }
    }
  }
  if (const pipeline::LocalCache* cache = collab.local_cache())
    logger()->info("local representations: {} encoded or read, {} reused ({:.0f} MiB kept)",
                   cache->misses(), cache->hits(), static_cast<double>(cache->bytes()) / (1 << 20));
  for (const auto& m : members)
    if (m.store)
      logger()->info("{}: {} local representations read from {}, {} encoded", m.name,
                     m.store->hits(), m.store->dir().string(), m.store->misses());
  std::printf("\nwrote %s\n", csv_path.string().c_str());
}

std::vector<double> parse_pose_noise(const std::string& list) {
  std::vector<double> out;
  std::stringstream ss(list);
  for (std::string item; std::getline(ss, item, ',');) {
    size_t used = 0;
    double v = -1.0;
    try {
      v = std::stod(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != item.size() || !(v >= 0.0))
      throw ConfigError("--pose-noise: expected sigmas >= 0 separated by commas, got \"" + item +
                        "\"");
    out.push_back(v);
  }
  if (out.empty()) throw ConfigError("--pose-noise: expected at least one sigma");
  return out;
}

}  // namespace concord::host
