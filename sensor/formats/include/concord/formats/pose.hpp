// Pose6 and the CARLA/UE4 transforms of OpenCOOD (sheet §1.1, coordinate conventions).
#pragma once

#include <Eigen/Core>

#include <array>

namespace concord::formats {

/// 6-DoF pose in CARLA's left-handed world (x forward, y right, z up):
/// x, y, z in metres; roll, yaw, pitch in degrees. Same order as the OPV2V
/// YAML lists `lidar_pose`, `true_ego_pos`, `camera{i}.cords`:
/// [x, y, z, roll, yaw, pitch] (sheet §1.1).
struct Pose6 {
  double x = 0.0;      ///< m
  double y = 0.0;      ///< m
  double z = 0.0;      ///< m
  double roll = 0.0;   ///< deg
  double yaw = 0.0;    ///< deg
  double pitch = 0.0;  ///< deg

  /// From the YAML list order [x, y, z, roll, yaw, pitch].
  static Pose6 from_list(const std::array<double, 6>& v) {
    return Pose6{v[0], v[1], v[2], v[3], v[4], v[5]};
  }
  /// To the YAML list order [x, y, z, roll, yaw, pitch].
  std::array<double, 6> to_list() const { return {x, y, z, roll, yaw, pitch}; }
  bool operator==(const Pose6& o) const {
    return x == o.x && y == o.y && z == o.z && roll == o.roll && yaw == o.yaw && pitch == o.pitch;
  }
  bool operator!=(const Pose6& o) const { return !(*this == o); }
};

/// T_world<-x (4x4): maps homogeneous points of frame x to the world. The 3x3
/// block is the UE4 matrix (= carla.Transform.get_matrix), with c/s = cos/sin
/// of r = roll, y = yaw, p = pitch (deg -> rad):
///   [cp*cy, cy*sp*sr - sy*cr, -cy*sp*cr - sy*sr]
///   [sy*cp, sy*sp*sr + cy*cr, -sy*sp*cr + cy*sr]
///   [sp,    -cp*sr,           cp*cr           ]
/// translation = (x, y, z). Source: sheet §1.1 `x_to_world`. Never throws.
Eigen::Matrix4d x_to_world(const Pose6& pose);

/// T_x2<-x1 = inv(T_world<-x2) * T_world<-x1 (4x4): maps points in frame x1 to
/// frame x2. Source: sheet §1.1 `x1_to_x2`. Never throws.
Eigen::Matrix4d x1_to_x2(const Pose6& x1, const Pose6& x2);

/// Same as above with x2 given by T_world<-x2 (4x4).
Eigen::Matrix4d x1_to_x2(const Pose6& x1, const Eigen::Matrix4d& x2_to_world);

/// Inverse of a rigid 4x4 transform (R^T, -R^T t). Never throws.
Eigen::Matrix4d rigid_inverse(const Eigen::Matrix4d& t);

/// The fixed UE4-camera -> OpenCV-camera axis change used by HEAL's
/// get_ext_int: [[0,0,1,0],[1,0,0,0],[0,-1,0,0],[0,0,0,1]] (sheet §1.1).
/// Right-multiplying a camera->lidar matrix by it yields OpenCV-camera->lidar
/// (OpenCV camera: x right, y down, z forward).
Eigen::Matrix4d ue4_to_opencv_camera();

/// T_lidar<-camera(OpenCV) (4x4) for an OPV2V camera: x1_to_x2(camera cords,
/// lidar pose) * ue4_to_opencv_camera(), as HEAL computes it from `cords`
/// (not from the YAML `extrinsic`). `camera_cords`, `lidar_pose`: world poses.
/// Source: sheet §1.1 / HEAL get_ext_int. Never throws.
Eigen::Matrix4d camera_to_lidar_opencv(const Pose6& camera_cords, const Pose6& lidar_pose);

/// Transforms an N x 3 block of points (rows) by a 4x4 rigid transform:
/// out_i = R p_i + t. Never throws.
Eigen::Matrix<double, Eigen::Dynamic, 3> transform_points(
    const Eigen::Matrix4d& t, const Eigen::Matrix<double, Eigen::Dynamic, 3>& points);

}  // namespace concord::formats
