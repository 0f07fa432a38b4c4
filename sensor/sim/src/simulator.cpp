#include "concord/sim/simulator.hpp"

#include "concord/sim/lidar.hpp"
#include "concord/sim/rng.hpp"
#include "concord/sim/visibility.hpp"

#include <spdlog/spdlog.h>

#include <cmath>
#include <cstdio>
#include <fstream>

namespace concord::sim {
namespace {

constexpr double kMpsToKmh = 3.6;

enum SensorSlot : std::uint64_t {
  kSlot64 = 64,
  kSlot32 = 32,
  kSlot16 = 16,
  kSlotCam = 100,
  kSlotGps = 200
};

formats::ObjectAnnotation annotate(const Vehicle& v) {
  formats::ObjectAnnotation a;
  a.location = {v.x, v.y, 0.0};
  a.center = {0.0, 0.0, v.half_extent.z()};
  a.extent = {v.half_extent.x(), v.half_extent.y(), v.half_extent.z()};
  a.angle = {0.0, v.yaw_deg, 0.0};
  a.speed = v.speed_mps * kMpsToKmh;
  return a;
}

void accumulate(CollaborationStats& into, const CollaborationStats& add) {
  into.frames += add.frames;
  into.union_objects += add.union_objects;
  into.ego_objects += add.ego_objects;
  into.collab_only += add.collab_only;
}

void write_summary(const std::filesystem::path& path, const SimulationStats& s,
                   const SimConfig& c) {
  std::ofstream out(path, std::ios::binary);
  if (!out) throw std::runtime_error(path.string() + ": cannot write simulation summary");
  char buf[64];
  auto share = [&](double v) {
    std::snprintf(buf, sizeof(buf), "%.6f", v);
    return std::string(buf);
  };
  out << "# concord simulate summary (deterministic; no timings)\n";
  out << "seed: " << c.seed << "\n";
  out << "scenarios: " << s.scenarios << "\nframes: " << s.frames
      << "\nagent_frames: " << s.agent_frames << "\nlidar_points: " << s.lidar_points << "\n";
  out << "collaboration:\n";
  auto block = [&](const std::string& name, const CollaborationStats& cs) {
    out << "  " << name << ":\n    frames: " << cs.frames
        << "\n    union_objects: " << cs.union_objects << "\n    ego_objects: " << cs.ego_objects
        << "\n    collaborator_only_objects: " << cs.collab_only
        << "\n    collaborator_only_share: " << share(cs.share()) << "\n";
  };
  for (const auto& [name, cs] : s.splits) block(name, cs);
  block("total", s.total);
}

}  // namespace

std::set<std::int64_t> hit_vehicles(const LidarScan& scan, const FrameMeshes& meshes) {
  std::set<std::uint32_t> geoms(scan.geom_ids.begin(), scan.geom_ids.end());
  std::set<std::int64_t> ids;
  for (std::uint32_t g : geoms) {
    const TriangleMesh& m = meshes.mesh(g);
    if (m.kind == GeometryKind::kVehicle) ids.insert(m.object_id);
  }
  return ids;
}

AgentFrameData simulate_agent_frame(const World& world, const FrameMeshes& meshes,
                                    const RayCaster& caster, const Agent& agent,
                                    const SimConfig& config, std::uint64_t scenario_seed,
                                    int frame) {
  AgentFrameData d;
  d.agent_id = agent.id;
  const AgentSensors s = world.sensors(agent);
  const std::vector<std::uint32_t> own = world.own_geometry(agent, meshes);
  const auto id_word = static_cast<std::uint64_t>(static_cast<std::int64_t>(agent.id));
  const auto frame_word = static_cast<std::uint64_t>(frame);
  auto lidar = [&](const LidarConfig& lc, std::uint64_t slot) -> std::optional<LidarScan> {
    if (!lc.enabled) return std::nullopt;
    return simulate_lidar(caster, meshes, lc, s.lidar, s.velocity_mps,
                          derive_seed({scenario_seed, id_word, frame_word, slot}), own);
  };
  d.lidar64 = lidar(config.lidar64, kSlot64);
  d.lidar32 = lidar(config.lidar32, kSlot32);
  d.lidar16 = lidar(config.lidar16, kSlot16);

  const CameraIntrinsics k =
      make_intrinsics(config.camera.width_px, config.camera.height_px, config.camera.hfov_deg);
  for (std::size_t i = 0; i < 4; ++i) {
    d.cameras[i] =
        render_camera(caster, meshes, s.cameras[i], k, world.lighting(), config.camera,
                      derive_seed({scenario_seed, id_word, frame_word, kSlotCam + i}), own);
  }

  // Labels: vehicles hit by the agent's main LiDAR (CAVs never listed).
  const LidarScan* main = d.lidar64   ? &*d.lidar64
                          : d.lidar32 ? &*d.lidar32
                          : d.lidar16 ? &*d.lidar16
                                      : nullptr;
  formats::AgentFrameMeta& meta = d.meta;
  meta.lidar_pose = s.lidar;
  meta.true_ego_pos = s.base;
  Rng gps(derive_seed({scenario_seed, id_word, frame_word, kSlotGps}));
  Pose noisy = s.base;
  noisy.x += gps.normal(0.0, config.scenario.gps_noise_stddev_m);
  noisy.y += gps.normal(0.0, config.scenario.gps_noise_stddev_m);
  meta.predicted_ego_pos = noisy;
  meta.ego_speed = s.speed_mps * kMpsToKmh;
  for (std::size_t i = 0; i < 4; ++i) {
    formats::CameraMeta cm;
    cm.cords = s.cameras[i];
    cm.extrinsic = formats::x1_to_x2(s.cameras[i], s.lidar);
    cm.intrinsic = k.matrix();
    meta.cameras[static_cast<int>(i)] = cm;
  }
  if (main) {
    for (std::int64_t id : hit_vehicles(*main, meshes)) {
      const Vehicle* v = world.traffic().find(id);
      if (v && !v->is_cav) meta.vehicles[id] = annotate(*v);
    }
  }

  // Camera visibility: vehicles (non-CAV) shown by >= min_pixels pixels.
  std::vector<const CameraImage*> imgs;
  for (const CameraImage& c : d.cameras) imgs.push_back(&c);
  std::vector<const Vehicle*> visible;
  for (const auto& [geom, count] : count_pixels(imgs)) {
    if (count < config.visibility.min_pixels) continue;
    const TriangleMesh& m = meshes.mesh(geom);
    if (m.kind != GeometryKind::kVehicle) continue;
    const Vehicle* v = world.traffic().find(m.object_id);
    if (v && !v->is_cav) visible.push_back(v);
  }
  d.visibility = camera_visibility_map(visible, s.lidar, config.visibility);
  d.visibility_size = config.visibility.size_px;
  return d;
}

SimulationStats simulate(const SimConfig& config, const std::filesystem::path& out_dir,
                         ProgressFn progress) {
  validate(config, "<simulate>");
  struct SplitSpec {
    const char* name;
    int scenarios;
  };
  const std::array<SplitSpec, 3> splits = {{{"train", config.splits.train_scenarios},
                                            {"validate", config.splits.validate_scenarios},
                                            {"test", config.splits.test_scenarios}}};
  const std::size_t total_frames =
      static_cast<std::size_t>(config.splits.train_scenarios + config.splits.validate_scenarios +
                               config.splits.test_scenarios) *
      static_cast<std::size_t>(config.scenario.frames);
  SimulationStats stats;
  std::filesystem::create_directories(out_dir);
  RayCaster caster(config.threads);
  std::size_t done = 0;
  int global_index = 0;
  if (progress) progress(0, total_frames);
  for (std::size_t si = 0; si < splits.size(); ++si) {
    CollaborationStats split_stats;
    for (int k = 0; k < splits[si].scenarios; ++k, ++global_index) {
      const std::uint64_t seed = derive_seed({config.seed, si, static_cast<std::uint64_t>(k)});
      const std::filesystem::path scen_dir =
          out_dir / splits[si].name / scenario_folder_name(config.seed, global_index);
      std::filesystem::create_directories(scen_dir);
      formats::write_data_protocol(scen_dir / "data_protocol.yaml",
                                   make_data_protocol(config, seed));
      World world(config, seed);
      for (int f = 0; f < config.scenario.frames; ++f) {
        if (f > 0) world.step();
        const FrameMeshes meshes = world.frame_meshes();
        caster.set_scene(meshes.pointers());
        const std::string ts = timestamp_name(f, config.scenario);
        std::map<int, std::set<std::int64_t>> hits;
        std::map<int, Pose> lidar_poses;
        for (const Agent& a : world.agents()) {
          const AgentFrameData d = simulate_agent_frame(world, meshes, caster, a, config, seed, f);
          write_agent_frame(scen_dir / std::to_string(a.id), ts, d, config.pcd_encoding);
          for (const auto* scan : {&d.lidar64, &d.lidar32, &d.lidar16}) {
            if (*scan) stats.lidar_points += (*scan)->size();
          }
          for (const auto& [id, obj] : d.meta.vehicles) hits[a.id].insert(id);
          lidar_poses[a.id] = d.meta.lidar_pose;
          ++stats.agent_frames;
        }
        // Collaboration share for this frame (ego = first CAV).
        const Agent& ego = world.agents().front();
        const Pose& ep = lidar_poses[ego.id];
        const double range = config.lidar64.max_range_m;
        std::set<std::int64_t> uni;
        for (const auto& [aid, ids] : hits) {
          const Pose& p = lidar_poses[aid];
          if (std::hypot(p.x - ep.x, p.y - ep.y) > config.scenario.comm_range_m) continue;
          for (std::int64_t id : ids) {
            const Vehicle* v = world.traffic().find(id);
            if (v && std::hypot(v->x - ep.x, v->y - ep.y) <= range) uni.insert(id);
          }
        }
        CollaborationStats fs;
        fs.frames = 1;
        fs.union_objects = uni.size();
        for (std::int64_t id : uni) {
          if (hits[ego.id].count(id)) {
            ++fs.ego_objects;
          } else {
            ++fs.collab_only;
          }
        }
        accumulate(split_stats, fs);
        ++stats.frames;
        ++done;
        if (progress) progress(done, total_frames);
      }
      ++stats.scenarios;
    }
    stats.splits[splits[si].name] = split_stats;
    accumulate(stats.total, split_stats);
    spdlog::info(
        "concord-sim: {} split: {} frames, collaborator-only share of cooperative GT {:.1f}% ({} "
        "of {})",
        splits[si].name, split_stats.frames, 100.0 * split_stats.share(), split_stats.collab_only,
        split_stats.union_objects);
  }
  spdlog::info(
      "concord-sim: {} agent-frames; {:.1f}% of the cooperative GT is occluded or out of range "
      "for the ego but visible to a collaborator",
      stats.agent_frames, 100.0 * stats.total.share());
  write_summary(out_dir / "sim_summary.yaml", stats, config);
  return stats;
}

}  // namespace concord::sim
