#include "concord/sim/lidar.hpp"

#include "concord/sim/material.hpp"
#include "concord/sim/rng.hpp"

#include <Eigen/Geometry>

#include <algorithm>
#include <cmath>

namespace concord::sim {

std::vector<double> vertical_angles_deg(LidarModel model) {
  std::vector<double> a;
  switch (model) {
    case LidarModel::kHDL64E:
      for (int i = 0; i < 32; ++i) a.push_back(2.0 - i / 3.0);
      for (int i = 0; i < 32; ++i) a.push_back(-8.83 - 0.5 * i);
      break;
    case LidarModel::kHDL32E:
      // Laser id k hits n * 4/3 - 32 deg with n = 1 + k/2 (even k) or 17 + k/2 (odd k).
      for (int k = 0; k < 32; ++k) {
        const int n = (k % 2 == 0 ? 1 : 17) + k / 2;
        a.push_back(std::round((-32.0 + (4.0 / 3.0) * n) * 100.0) / 100.0);
      }
      break;
    case LidarModel::kVLP16:
      for (int k = 0; k < 16; ++k)
        a.push_back((k % 2 == 0) ? -15.0 + 2.0 * (k / 2) : 1.0 + 2.0 * (k / 2));
      break;
  }
  return a;
}

int beam_count(LidarModel model) {
  switch (model) {
    case LidarModel::kHDL64E:
      return 64;
    case LidarModel::kHDL32E:
      return 32;
    case LidarModel::kVLP16:
      return 16;
  }
  return 0;
}

int columns_per_revolution(const LidarConfig& config) {
  return std::max(1, static_cast<int>(std::lround(360.0 / config.horizontal_resolution_deg)));
}

std::vector<Eigen::Vector3f> lidar_directions(const LidarConfig& config) {
  const std::vector<double> el = vertical_angles_deg(config.model);
  const int cols = columns_per_revolution(config);
  std::vector<Eigen::Vector3f> dirs;
  dirs.reserve(static_cast<std::size_t>(cols) * el.size());
  for (int j = 0; j < cols; ++j) {
    const double az = deg2rad(360.0 * j / cols);
    for (double e : el) {
      const double er = deg2rad(e);
      dirs.emplace_back(static_cast<float>(std::cos(er) * std::cos(az)),
                        static_cast<float>(std::cos(er) * std::sin(az)),
                        static_cast<float>(std::sin(er)));
    }
  }
  return dirs;
}

LidarScan simulate_lidar(const RayCaster& caster, const FrameMeshes& meshes,
                         const LidarConfig& config, const Pose& lidar_pose,
                         const Eigen::Vector3d& velocity_world_mps, std::uint64_t seed,
                         const std::vector<std::uint32_t>& ignore) {
  const std::vector<Eigen::Vector3f> dirs = lidar_directions(config);
  const std::size_t beams = static_cast<std::size_t>(beam_count(config.model));
  const std::size_t cols = dirs.size() / beams;
  const Eigen::Matrix4d t_wl = pose_to_matrix(lidar_pose);
  const Eigen::Matrix3d r_wl = t_wl.topLeftCorner<3, 3>();
  const Eigen::Vector3d o_w = t_wl.topRightCorner<3, 1>();
  const double period = 1.0 / config.rotation_rate_hz;
  // Per-column sensor offset in the LiDAR frame (ego motion during the sweep).
  std::vector<Eigen::Vector3d> col_offset(cols, Eigen::Vector3d::Zero());
  if (config.motion_skew) {
    const Eigen::Vector3d v_l = r_wl.transpose() * velocity_world_mps;
    for (std::size_t j = 0; j < cols; ++j) {
      const double tj = period * static_cast<double>(j) / static_cast<double>(cols);
      col_offset[j] = v_l * (tj - period);
    }
  }
  std::vector<Ray> rays(dirs.size());
  for (std::size_t i = 0; i < dirs.size(); ++i) {
    const Eigen::Vector3d o = o_w + r_wl * col_offset[i / beams];
    rays[i].origin = o.cast<float>();
    rays[i].dir = (r_wl * dirs[i].cast<double>()).normalized().cast<float>();
    rays[i].tnear = 0.0f;
    rays[i].tfar = static_cast<float>(config.max_range_m + 5.0 * config.range_noise_stddev_m);
  }
  std::vector<Hit> hits;
  caster.intersect(rays, hits, ignore);

  LidarScan scan;
  scan.xyzi.reserve(hits.size() * 4);
  Rng rng(seed);
  for (std::size_t i = 0; i < hits.size(); ++i) {
    const double u = rng.uniform();
    const double noise =
        config.range_noise_stddev_m > 0.0 ? rng.normal(0.0, config.range_noise_stddev_m) : 0.0;
    const Hit& h = hits[i];
    if (!h.valid() || u < config.dropout_probability) continue;
    const double range = static_cast<double>(h.t) + noise;
    if (range < config.min_range_m || range > config.max_range_m) continue;
    const TriangleMesh& mesh = meshes.mesh(h.geom_id);
    const Material mat = mesh.materials[h.prim_id];
    const double cos_inc = std::abs(static_cast<double>(h.normal.dot(rays[i].dir)));
    const double intensity =
        std::clamp(lidar_reflectivity(mat) * cos_inc * std::exp(-0.004 * range), 0.0, 1.0);
    const Eigen::Vector3d p = col_offset[i / beams] + dirs[i].cast<double>() * range;
    scan.xyzi.push_back(static_cast<float>(p.x()));
    scan.xyzi.push_back(static_cast<float>(p.y()));
    scan.xyzi.push_back(static_cast<float>(p.z()));
    scan.xyzi.push_back(static_cast<float>(intensity));
    scan.geom_ids.push_back(h.geom_id);
    scan.lasers.push_back(static_cast<std::uint16_t>(i % beams));
  }
  return scan;
}

}  // namespace concord::sim
