// Camera-visibility map per agent-frame (OPV2V's bev_visibility.png).
#pragma once

#include "concord/sim/camera.hpp"
#include "concord/sim/config.hpp"
#include "concord/sim/pose.hpp"
#include "concord/sim/traffic.hpp"

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

namespace concord::sim {

/// Pixel (row, col) of a point (x forward, y right; m) of the agent's LiDAR
/// frame in the visibility map: row = c - trunc(x / res), col = c + trunc(y / res)
/// with c = size / 2 - 1 (127 for 256 px) and trunc rounding towards zero,
/// exactly HEAL's box_utils.box_is_visible (py = 127 - int(x / 0.39),
/// px = 127 + int(y / 0.39)): heading up, right to the right. Either may be
/// outside [0, size).
std::pair<int, int> visibility_pixel(double x, double y, const VisibilityConfig& config);

/// Pixels of every geometry id over a set of rendered images (how many
/// camera pixels show each object), counted over all four cameras.
std::map<std::uint32_t, int> count_pixels(const std::vector<const CameraImage*>& images);

/// The camera-visibility map, size x size 8-bit grey, row-major. Meaning
/// (what HEAL's camera label filter reads, `label_type: camera`): a pixel is
/// 255 when it lies in the bird's-eye footprint of a vehicle that at least
/// `min_pixels` pixels of the agent's four cameras show, 0 otherwise. HEAL
/// keeps a GT box for camera agents iff the pixel at the box centre is
/// non-zero, so every footprint pixel (cell centre inside the rotated
/// footprint) and the exact centre pixel are set. `visible` lists the
/// camera-visible vehicles, `lidar_pose` is the agent's LiDAR world pose.
std::vector<std::uint8_t> camera_visibility_map(const std::vector<const Vehicle*>& visible,
                                                const Pose& lidar_pose,
                                                const VisibilityConfig& config);

}  // namespace concord::sim
