#include "concord/sim/pose.hpp"

#include <algorithm>
#include <cmath>

namespace concord::sim {

Pose matrix_to_pose(const Eigen::Matrix4d& t) {
  Pose p;
  p.x = t(0, 3);
  p.y = t(1, 3);
  p.z = t(2, 3);
  p.pitch = rad2deg(std::asin(std::clamp(t(2, 0), -1.0, 1.0)));
  p.roll = rad2deg(std::atan2(-t(2, 1), t(2, 2)));
  p.yaw = rad2deg(std::atan2(t(1, 0), t(0, 0)));
  // Normalise -0 to +0 so YAML never shows "-0".
  p.roll += 0.0;
  p.pitch += 0.0;
  p.yaw += 0.0;
  return p;
}

Pose compose(const Pose& parent, const Pose& child_in_parent) {
  return matrix_to_pose(pose_to_matrix(parent) * pose_to_matrix(child_in_parent));
}

}  // namespace concord::sim
