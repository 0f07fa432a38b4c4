// Top level: simulate whole datasets (train/validate/test) or single agent-frames.
#pragma once

#include "concord/sim/config.hpp"
#include "concord/sim/raycaster.hpp"
#include "concord/sim/scene_mesh.hpp"
#include "concord/sim/world.hpp"
#include "concord/sim/writer.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>

namespace concord::sim {

/// Progress callback: `done` of `total` frames (all agents of one timestamp
/// of one scenario = one frame) are finished.
using ProgressFn = std::function<void(std::size_t done, std::size_t total)>;

/// How much collaboration helps, accumulated over frames. For each frame:
/// U = vehicles (non-CAV) within lidar64 max range of the ego LiDAR (2-D)
/// hit by >= 1 64-beam point of any agent within comm_range_m of the ego
/// (ego = lowest CAV id, as OpenCOOD); E = those hit by the ego itself.
/// share = sum |U \ E| / sum |U|: the fraction of the cooperative GT the ego
/// cannot see (occluded or beyond its range) but a collaborator can.
struct CollaborationStats {
  std::size_t frames = 0;
  std::size_t union_objects = 0;  ///< sum |U|
  std::size_t ego_objects = 0;    ///< sum |E|
  std::size_t collab_only = 0;    ///< sum |U \ E|
  /// collab_only / union_objects (0 when empty).
  double share() const {
    return union_objects ? static_cast<double>(collab_only) / static_cast<double>(union_objects)
                         : 0.0;
  }
};

/// Totals of one simulate() run (all deterministic; no timings).
struct SimulationStats {
  std::size_t scenarios = 0;
  std::size_t frames = 0;
  std::size_t agent_frames = 0;
  std::uint64_t lidar_points = 0;                    ///< 64+32+16-beam points written
  std::map<std::string, CollaborationStats> splits;  ///< "train", "validate", "test"
  CollaborationStats total;
};

/// Simulates one agent at the world's current frame: LiDARs (enabled ones),
/// four cameras, the camera-visibility map and the YAML metadata with the
/// label rule (a non-CAV vehicle is listed iff >= 1 point of this agent's
/// 64-beam LiDAR, or of its first enabled LiDAR, hits it). Noise seeds are
/// derive_seed({scenario_seed, agent id, frame, sensor}). `caster` must hold
/// `meshes`. Throws what the sensors throw.
AgentFrameData simulate_agent_frame(const World& world, const FrameMeshes& meshes,
                                    const RayCaster& caster, const Agent& agent,
                                    const SimConfig& config, std::uint64_t scenario_seed,
                                    int frame);

/// Vehicle ids (non-CAV) hit by >= 1 point of `scan`.
std::set<std::int64_t> hit_vehicles(const LidarScan& scan, const FrameMeshes& meshes);

/// Simulates the whole dataset into `out_dir`:
/// {train,validate,test}/{YYYY_MM_DD_hh_mm_ss}/{agent id}/{ts}.* (see
/// write_agent_frame) plus data_protocol.yaml per scenario and a
/// sim_summary.yaml at the root with the SimulationStats. Scenario k of split
/// s uses seed derive_seed({config.seed, s, k}); folder names come from
/// (config.seed, global scenario index). Same config => byte-identical files
/// for any thread count. Logs the collaboration share with spdlog. Throws
/// SimConfigError (invalid config), formats::FormatError /
/// std::filesystem::filesystem_error (I/O) or std::runtime_error.
SimulationStats simulate(const SimConfig& config, const std::filesystem::path& out_dir,
                         ProgressFn progress = {});

}  // namespace concord::sim
