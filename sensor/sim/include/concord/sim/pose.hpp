// 6-DoF poses of the simulator: concord::formats::Pose6 (OPV2V order) plus
// the few helpers the formats library does not provide.
#pragma once

#include "concord/formats/pose.hpp"

#include <Eigen/Core>

namespace concord::sim {

/// pi, and degree/radian conversions.
inline constexpr double kPi = 3.14159265358979323846;
/// Degrees to radians.
inline constexpr double deg2rad(double deg) {
  return deg * kPi / 180.0;
}
/// Radians to degrees.
inline constexpr double rad2deg(double rad) {
  return rad * 180.0 / kPi;
}

/// A pose [x, y, z, roll, yaw, pitch] (m, deg) in the CARLA/UE4 left-handed
/// world (x forward, y right, z up; yaw turns x towards y). Source: sheet §1.1.
using Pose = formats::Pose6;

/// T_world<-x (4x4) of `pose`: formats::x_to_world (UE4 matrix, sheet §1.1).
inline Eigen::Matrix4d pose_to_matrix(const Pose& pose) {
  return formats::x_to_world(pose);
}

/// Inverse of pose_to_matrix for a rigid 4x4 with pitch in (-90, 90) deg:
/// pitch = asin(R20), roll = atan2(-R21, R22), yaw = atan2(R10, R00) (deg).
/// Never throws.
Pose matrix_to_pose(const Eigen::Matrix4d& transform);

/// World pose of a child mounted at `child_in_parent` (parent frame, m/deg)
/// on `parent`: matrix_to_pose(T_w<-parent * T_parent<-child). Never throws.
Pose compose(const Pose& parent, const Pose& child_in_parent);

}  // namespace concord::sim
