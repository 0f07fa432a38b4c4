#include "concord/formats/pose.hpp"

#include <Eigen/Dense>

#include <cmath>

namespace concord::formats {
namespace {

constexpr double kDegToRad = 3.14159265358979323846 / 180.0;

}  // namespace

Eigen::Matrix4d x_to_world(const Pose6& pose) {
  const double cy = std::cos(pose.yaw * kDegToRad);
  const double sy = std::sin(pose.yaw * kDegToRad);
  const double cr = std::cos(pose.roll * kDegToRad);
  const double sr = std::sin(pose.roll * kDegToRad);
  const double cp = std::cos(pose.pitch * kDegToRad);
  const double sp = std::sin(pose.pitch * kDegToRad);
  Eigen::Matrix4d m = Eigen::Matrix4d::Identity();
  m(0, 3) = pose.x;
  m(1, 3) = pose.y;
  m(2, 3) = pose.z;
  m(0, 0) = cp * cy;
  m(0, 1) = cy * sp * sr - sy * cr;
  m(0, 2) = -cy * sp * cr - sy * sr;
  m(1, 0) = sy * cp;
  m(1, 1) = sy * sp * sr + cy * cr;
  m(1, 2) = -sy * sp * cr + cy * sr;
  m(2, 0) = sp;
  m(2, 1) = -cp * sr;
  m(2, 2) = cp * cr;
  return m;
}

Eigen::Matrix4d rigid_inverse(const Eigen::Matrix4d& t) {
  Eigen::Matrix4d inv = Eigen::Matrix4d::Identity();
  const Eigen::Matrix3d rt = t.topLeftCorner<3, 3>().transpose();
  inv.topLeftCorner<3, 3>() = rt;
  inv.topRightCorner<3, 1>() = -rt * t.topRightCorner<3, 1>();
  return inv;
}

Eigen::Matrix4d x1_to_x2(const Pose6& x1, const Pose6& x2) {
  return x1_to_x2(x1, x_to_world(x2));
}

Eigen::Matrix4d x1_to_x2(const Pose6& x1, const Eigen::Matrix4d& x2_to_world) {
  // OpenCOOD uses np.linalg.inv; for a rigid transform the closed form is the same
  // up to rounding.
  return x2_to_world.inverse() * x_to_world(x1);
}

Eigen::Matrix4d ue4_to_opencv_camera() {
  Eigen::Matrix4d m;
  m << 0, 0, 1, 0,  //
      1, 0, 0, 0,   //
      0, -1, 0, 0,  //
      0, 0, 0, 1;
  return m;
}

Eigen::Matrix4d camera_to_lidar_opencv(const Pose6& camera_cords, const Pose6& lidar_pose) {
  return x1_to_x2(camera_cords, lidar_pose) * ue4_to_opencv_camera();
}

Eigen::Matrix<double, Eigen::Dynamic, 3> transform_points(
    const Eigen::Matrix4d& t, const Eigen::Matrix<double, Eigen::Dynamic, 3>& points) {
  Eigen::Matrix<double, Eigen::Dynamic, 3> out = points * t.topLeftCorner<3, 3>().transpose();
  out.rowwise() += t.topRightCorner<3, 1>().transpose();
  return out;
}

}  // namespace concord::formats
