// Spinning LiDAR model: published vertical angle tables, azimuth sweep, range
// noise, dropout and intensity from material and incidence angle.
#pragma once

#include "concord/sim/config.hpp"
#include "concord/sim/pose.hpp"
#include "concord/sim/raycaster.hpp"
#include "concord/sim/scene_mesh.hpp"

#include <Eigen/Core>

#include <cstdint>
#include <vector>

namespace concord::sim {

/// Vertical angles (deg, + up) of every laser in laser-id order.
///  - HDL-64E (S2/S3 nominal): upper block 32 lasers +2.0 .. -8.33 deg in
///    1/3 deg steps, lower block 32 lasers -8.83 .. -24.33 deg in 1/2 deg steps
///    (Velodyne HDL-64E S2 manual: 26.9 deg vertical FOV, ~0.4 deg spacing;
///    per-unit calibration files shift each laser by up to ~0.2 deg).
///  - HDL-32E: -30.67 .. +10.67 deg in 4/3 deg steps, interleaved
///    (-30.67, -9.33, -29.33, -8.00, ...) as in the HDL-32E user manual
///    (Appendix: laser firing order / vertical angles).
///  - VLP-16: -15 .. +15 deg in 2 deg steps, interleaved (-15, 1, -13, 3, ...)
///    as in the VLP-16 user manual (Table 9-1).
std::vector<double> vertical_angles_deg(LidarModel model);

/// Number of lasers (64, 32, 16).
int beam_count(LidarModel model);

/// Azimuth columns per revolution: round(360 / horizontal_resolution_deg).
int columns_per_revolution(const LidarConfig& config);

/// One scan in the LiDAR frame (x forward, y right, z up; metres).
struct LidarScan {
  std::vector<float> xyzi;              ///< N x 4 row-major: x, y, z (m), intensity [0, 1]
  std::vector<std::uint32_t> geom_ids;  ///< N: geometry hit by each point
  std::vector<std::uint16_t> lasers;    ///< N: laser id (index into vertical_angles_deg)

  /// Number of points N.
  std::size_t size() const { return geom_ids.size(); }
};

/// Unit ray directions in the LiDAR frame, column-major (for each azimuth
/// column j = 0..C-1 at azimuth j * 360 / C deg, x towards y, all lasers in
/// id order): (cos el cos az, cos el sin az, sin el). Size C * beams.
std::vector<Eigen::Vector3f> lidar_directions(const LidarConfig& config);

/// Simulates one revolution of the LiDAR at world pose `lidar_pose` (the pose
/// at the end of the sweep = the frame time). With motion_skew, column j is
/// fired from lidar_pose shifted by velocity_world_mps * (t_j - T), t_j =
/// j / (C * rotation_rate_hz), T = 1 / rotation_rate_hz (ego translation
/// only). Ranges get N(0, range_noise_stddev_m) noise; each ray is dropped
/// with dropout_probability; points outside [min_range_m, max_range_m] are
/// discarded. Intensity = lidar_reflectivity(material) * |cos(incidence)| *
/// exp(-0.004 * range). Noise and dropout draw from Rng(seed) in ray order,
/// so the result is independent of the caster's thread count. `ignore`:
/// geometry ids never hit (the sensor's own vehicle or mast). Throws what
/// RayCaster::intersect throws.
LidarScan simulate_lidar(const RayCaster& caster, const FrameMeshes& meshes,
                         const LidarConfig& config, const Pose& lidar_pose,
                         const Eigen::Vector3d& velocity_world_mps, std::uint64_t seed,
                         const std::vector<std::uint32_t>& ignore = {});

}  // namespace concord::sim
