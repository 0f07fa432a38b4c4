#include "concord/sim/visibility.hpp"

#include <Eigen/Geometry>

#include <algorithm>
#include <cmath>

namespace concord::sim {
namespace {

// Centre (m) of the cells mapped to index offset k = c - row (or col - c)
// under trunc(): k = 0 spans (-res, res), k > 0 [k res, (k+1) res),
// k < 0 ((k-1) res, k res].
double cell_centre(int k, double res) {
  if (k == 0) return 0.0;
  return k > 0 ? (k + 0.5) * res : (k - 0.5) * res;
}

}  // namespace

std::pair<int, int> visibility_pixel(double x, double y, const VisibilityConfig& config) {
  const int c = config.size_px / 2 - 1;
  const int row = c - static_cast<int>(std::trunc(x / config.resolution_m));
  const int col = c + static_cast<int>(std::trunc(y / config.resolution_m));
  return {row, col};
}

std::map<std::uint32_t, int> count_pixels(const std::vector<const CameraImage*>& images) {
  std::map<std::uint32_t, int> counts;
  for (const CameraImage* img : images) {
    for (std::uint32_t g : img->geom_ids) {
      if (g != kNoHit) ++counts[g];
    }
  }
  return counts;
}

std::vector<std::uint8_t> camera_visibility_map(const std::vector<const Vehicle*>& visible,
                                                const Pose& lidar_pose,
                                                const VisibilityConfig& config) {
  const int size = config.size_px;
  const double res = config.resolution_m;
  const int c = size / 2 - 1;
  std::vector<std::uint8_t> map(static_cast<std::size_t>(size) * static_cast<std::size_t>(size), 0);
  const Eigen::Matrix4d t_lw = pose_to_matrix(lidar_pose).inverse();
  auto set = [&](int row, int col) {
    if (row >= 0 && row < size && col >= 0 && col < size) {
      map[static_cast<std::size_t>(row) * static_cast<std::size_t>(size) +
          static_cast<std::size_t>(col)] = 255;
    }
  };
  for (const Vehicle* v : visible) {
    const Eigen::Vector4d centre_w(v->x, v->y, v->half_extent.z(), 1.0);
    const Eigen::Vector4d centre = t_lw * centre_w;
    // Footprint axes in the LiDAR frame.
    const double yaw = deg2rad(v->yaw_deg);
    const Eigen::Vector3d fwd_w(std::cos(yaw), std::sin(yaw), 0.0),
        right_w(-std::sin(yaw), std::cos(yaw), 0.0);
    const Eigen::Vector3d fwd = t_lw.topLeftCorner<3, 3>() * fwd_w;
    const Eigen::Vector3d right = t_lw.topLeftCorner<3, 3>() * right_w;
    const double hl = v->half_extent.x(), hw = v->half_extent.y();
    double xmin = 1e9, xmax = -1e9, ymin = 1e9, ymax = -1e9;
    for (double sx : {-1.0, 1.0}) {
      for (double sy : {-1.0, 1.0}) {
        const Eigen::Vector2d p =
            centre.head<2>() + sx * hl * fwd.head<2>() + sy * hw * right.head<2>();
        xmin = std::min(xmin, p.x());
        xmax = std::max(xmax, p.x());
        ymin = std::min(ymin, p.y());
        ymax = std::max(ymax, p.y());
      }
    }
    const auto [r0, c0] = visibility_pixel(xmax, ymin, config);
    const auto [r1, c1] = visibility_pixel(xmin, ymax, config);
    for (int row = std::max(0, r0 - 1); row <= std::min(size - 1, r1 + 1); ++row) {
      for (int col = std::max(0, c0 - 1); col <= std::min(size - 1, c1 + 1); ++col) {
        const Eigen::Vector2d q(cell_centre(c - row, res), cell_centre(col - c, res));
        const Eigen::Vector2d d = q - centre.head<2>();
        if (std::abs(d.dot(fwd.head<2>().normalized())) <= hl &&
            std::abs(d.dot(right.head<2>().normalized())) <= hw) {
          set(row, col);
        }
      }
    }
    const auto [rc, cc] = visibility_pixel(centre.x(), centre.y(), config);
    set(rc, cc);
  }
  return map;
}

}  // namespace concord::sim
