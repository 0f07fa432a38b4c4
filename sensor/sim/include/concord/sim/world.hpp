// One scenario's world: town + traffic + collaborating agents (CAVs, RSU) +
// lighting, advanced at the frame rate.
#pragma once

#include "concord/sim/camera.hpp"
#include "concord/sim/config.hpp"
#include "concord/sim/mesh.hpp"
#include "concord/sim/pose.hpp"
#include "concord/sim/scene_mesh.hpp"
#include "concord/sim/town.hpp"
#include "concord/sim/traffic.hpp"

#include <Eigen/Core>

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

namespace concord::sim {

/// A collaborating agent. CAVs (id > 0 = their vehicle id) drive; the RSU
/// (id -1, as V2XSet) stands on a sidewalk corner with an elevated mast.
struct Agent {
  int id = 0;
  bool is_rsu = false;
  Pose rsu_base;  ///< RSU ground pose (world); unused for CAVs
};

/// World pose and motion of one agent's sensors at the current frame.
struct AgentSensors {
  Pose base;                    ///< ground pose of the vehicle / RSU (world)
  Pose lidar;                   ///< LiDAR pose (world)
  std::array<Pose, 4> cameras;  ///< camera poses (world), OPV2V order
  Eigen::Vector3d velocity_mps = Eigen::Vector3d::Zero();  ///< world velocity
  double speed_mps = 0.0;
};

/// The world of one scenario. Deterministic in (config, seed).
class World {
 public:
  /// Generates town, lighting, the scenario centre (an intersection near the
  /// town centre), 2..5 CAVs on the roads through it (each within
  /// cav_spread_m of the centre, pairwise within comm_range_m), traffic and,
  /// with rsu_probability, an RSU at a corner of the centre intersection.
  /// Throws std::runtime_error if fewer than cavs_min CAVs fit.
  World(const SimConfig& config, std::uint64_t seed);

  /// Advances traffic by scenario.frame_period_s.
  void step();

  /// Meshes of the current frame (static mesh owned by the world; masts and
  /// vehicles rebuilt). Valid until the World is destroyed.
  FrameMeshes frame_meshes() const;

  /// Agents, CAVs first in increasing id, then the RSU.
  const std::vector<Agent>& agents() const { return agents_; }
  /// Sensor poses of `agent` at the current frame.
  AgentSensors sensors(const Agent& agent) const;
  /// Geometry ids an agent's own sensors must not see (its body or mast).
  std::vector<std::uint32_t> own_geometry(const Agent& agent, const FrameMeshes& meshes) const;

  /// The generated town (static for the whole scenario).
  const Town& town() const { return town_; }
  /// All vehicles (CAVs included) at the current frame.
  const Traffic& traffic() const { return *traffic_; }
  /// Scenario lighting used by every camera.
  const Lighting& lighting() const { return lighting_; }
  /// Scenario centre (world x, y; m).
  const Eigen::Vector2d& centre() const { return centre_; }

 private:
  SimConfig config_;
  Town town_;
  TriangleMesh static_mesh_;
  std::unique_ptr<Traffic> traffic_;
  Lighting lighting_;
  std::vector<Agent> agents_;
  Eigen::Vector2d centre_ = Eigen::Vector2d::Zero();
};

}  // namespace concord::sim
