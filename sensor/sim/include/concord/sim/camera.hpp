// Pinhole cameras: OPV2V mounts and intrinsics, ray-cast RGB with Lambert
// shading, shadows and noise, metric depth and a per-pixel object id.
#pragma once

#include "concord/sim/config.hpp"
#include "concord/sim/pose.hpp"
#include "concord/sim/raycaster.hpp"
#include "concord/sim/rng.hpp"
#include "concord/sim/scene_mesh.hpp"

#include <Eigen/Core>

#include <array>
#include <cstdint>
#include <vector>

namespace concord::sim {

/// Pinhole intrinsics (pixels). OpenCV convention: pixel (u, v) has its
/// centre at (u, v); a point (X right, Y down, Z forward) projects to
/// u = fx X / Z + cx, v = fy Y / Z + cy. In the UE4 camera frame (x forward,
/// y right, z up) that is u = cx + fx y / x, v = cy - fy z / x.
struct CameraIntrinsics {
  int width = 800, height = 600;
  double fx = 335.64, fy = 335.64, cx = 400.0, cy = 300.0;
  /// The 3x3 matrix K written to OPV2V YAML (`intrinsic`).
  Eigen::Matrix3d matrix() const;
};

/// fx = fy = (W / 2) / tan(hfov / 2), cx = W / 2, cy = H / 2. With W = 800,
/// H = 600, hfov 100 deg this is OPV2V's fx = fy = 335.64, cx = 400, cy = 300
/// (sheet §1.1).
CameraIntrinsics make_intrinsics(int width_px, int height_px, double hfov_deg);

/// Camera poses relative to a CAV's ground pose (x forward, y right, z up,
/// deg), OPV2V/OpenCDA layout: 0 front (2.5, 0, 1.0, yaw 0), 1 right-rear
/// (0, 0.3, 1.8, yaw 100), 2 left-rear (0, -0.3, 1.8, yaw -100), 3 back
/// (-2.0, 0, 1.5, yaw 180).
std::array<Pose, 4> cav_camera_mounts();

/// Camera poses relative to an RSU's ground pose: the same four headings at
/// `mast_height_m` - 0.3 m, pitched 12 deg down.
std::array<Pose, 4> rsu_camera_mounts(double mast_height_m);

/// Scenario lighting. `sun_dir` points from the scene towards the sun (world).
struct Lighting {
  Eigen::Vector3d sun_dir = Eigen::Vector3d(0.3, 0.2, 0.93).normalized();
  double sun_intensity = 0.9;                                      ///< direct light scale
  double ambient = 0.4;                                            ///< sky light scale
  Eigen::Vector3d sky_zenith = Eigen::Vector3d(0.35, 0.55, 0.9);   ///< linear RGB [0, 1]
  Eigen::Vector3d sky_horizon = Eigen::Vector3d(0.75, 0.82, 0.9);  ///< linear RGB [0, 1]
  double exposure = 1.0;
};

/// Draws scenario lighting: sun elevation 20..70 deg, any azimuth, intensity
/// 0.6..1.1, ambient 0.3..0.5, clear or overcast sky, exposure 0.9..1.1.
Lighting sample_lighting(Rng& rng);

/// One rendered camera frame, row-major H x W.
struct CameraImage {
  int width = 0, height = 0;
  std::vector<std::uint8_t> rgb;  ///< H x W x 3, sRGB 8-bit
  std::vector<float> depth_m;     ///< H x W planar depth along the optical axis (m), +inf = sky
  std::vector<std::uint32_t> geom_ids;  ///< H x W geometry id seen (kNoHit = sky)
};

/// Renders the camera at world pose `camera_pose` (UE4 camera frame). Colour
/// = albedo * (ambient * sky + sun * max(0, n . sun) * unshadowed) * exposure,
/// blended towards the horizon colour with 1 - exp(-t / 600 m) haze, plus
/// N(0, noise_stddev) noise per channel drawn from Rng(seed) in pixel order
/// (thread-count independent). Geometry in `ignore` is invisible to primary
/// rays (the camera's own vehicle). Throws what RayCaster throws.
CameraImage render_camera(const RayCaster& caster, const FrameMeshes& meshes,
                          const Pose& camera_pose, const CameraIntrinsics& intrinsics,
                          const Lighting& lighting, const CameraConfig& config, std::uint64_t seed,
                          const std::vector<std::uint32_t>& ignore = {});

}  // namespace concord::sim
