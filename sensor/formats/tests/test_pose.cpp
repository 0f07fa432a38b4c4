// Hand-computed checks of the UE4 rotation matrix, x_to_world and x1_to_x2 (sheet §1.1).
#include "concord/formats/pose.hpp"

#include <gtest/gtest.h>
#include <Eigen/Dense>

namespace cf = concord::formats;

namespace {

void expect_matrix_near(const Eigen::Matrix4d& a, const Eigen::Matrix4d& b, double tol = 1e-12) {
  for (int r = 0; r < 4; ++r) {
    for (int c = 0; c < 4; ++c)
      EXPECT_NEAR(a(r, c), b(r, c), tol) << "at (" << r << "," << c << ")";
  }
}

}  // namespace

TEST(Pose, XToWorldYaw90) {
  // yaw 90: cy = 0, sy = 1, roll = pitch = 0 -> rows [0,-1,0], [1,0,0], [0,0,1].
  const Eigen::Matrix4d t = cf::x_to_world({1, 2, 3, 0, 90, 0});
  Eigen::Matrix4d expected;
  expected << 0, -1, 0, 1,  //
      1, 0, 0, 2,           //
      0, 0, 1, 3,           //
      0, 0, 0, 1;
  expect_matrix_near(t, expected);
  const Eigen::Vector4d p = t * Eigen::Vector4d(1, 0, 0, 1);
  EXPECT_NEAR(p(0), 1.0, 1e-12);
  EXPECT_NEAR(p(1), 3.0, 1e-12);
  EXPECT_NEAR(p(2), 3.0, 1e-12);
}

TEST(Pose, XToWorldYaw90Pitch90) {
  // cy = 0, sy = 1, cp = 0, sp = 1, cr = 1, sr = 0:
  // row0 = [cp cy, cy sp sr - sy cr, -cy sp cr - sy sr] = [0, -1, 0]
  // row1 = [sy cp, sy sp sr + cy cr, -sy sp cr + cy sr] = [0, 0, -1]
  // row2 = [sp, -cp sr, cp cr]                          = [1, 0, 0]
  const Eigen::Matrix4d t = cf::x_to_world({0, 0, 0, 0, 90, 90});
  Eigen::Matrix4d expected;
  expected << 0, -1, 0, 0,  //
      0, 0, -1, 0,          //
      1, 0, 0, 0,           //
      0, 0, 0, 1;
  expect_matrix_near(t, expected);
}

TEST(Pose, XToWorldRoll90) {
  // roll 90: cr = 0, sr = 1 -> row1 = [0, 0, 1], row2 = [0, -1, 0].
  Eigen::Matrix4d expected;
  expected << 1, 0, 0, 0,  //
      0, 0, 1, 0,          //
      0, -1, 0, 0,         //
      0, 0, 0, 1;
  expect_matrix_near(cf::x_to_world({0, 0, 0, 90, 0, 0}), expected);
}

TEST(Pose, XToWorldIsRotation) {
  const Eigen::Matrix4d t = cf::x_to_world({5, -3, 1, 12.5, -73.0, 4.25});
  const Eigen::Matrix3d r = t.topLeftCorner<3, 3>();
  EXPECT_TRUE((r * r.transpose()).isApprox(Eigen::Matrix3d::Identity(), 1e-12));
  EXPECT_NEAR(r.determinant(), 1.0, 1e-12);
}

TEST(Pose, X1ToX2Translation) {
  // a = (1,2,3, yaw 90), b = (10,0,0) unrotated: T_b<-a = [[0,-1,0,-9],[1,0,0,2],[0,0,1,3]].
  const Eigen::Matrix4d t =
      cf::x1_to_x2(cf::Pose6{1, 2, 3, 0, 90, 0}, cf::Pose6{10, 0, 0, 0, 0, 0});
  Eigen::Matrix4d expected;
  expected << 0, -1, 0, -9,  //
      1, 0, 0, 2,            //
      0, 0, 1, 3,            //
      0, 0, 0, 1;
  expect_matrix_near(t, expected);
}

TEST(Pose, X1ToX2Rotated) {
  // b = yaw 90 at origin: R_b^T R_a = I, translation R_b^T (1,2,3) = (2,-1,3).
  const Eigen::Matrix4d t =
      cf::x1_to_x2(cf::Pose6{1, 2, 3, 0, 90, 0}, cf::Pose6{0, 0, 0, 0, 90, 0});
  Eigen::Matrix4d expected;
  expected << 1, 0, 0, 2,  //
      0, 1, 0, -1,         //
      0, 0, 1, 3,          //
      0, 0, 0, 1;
  expect_matrix_near(t, expected);
  // Matrix overload agrees and the inverse direction inverts.
  expect_matrix_near(
      cf::x1_to_x2(cf::Pose6{1, 2, 3, 0, 90, 0}, cf::x_to_world({0, 0, 0, 0, 90, 0})), expected);
  const Eigen::Matrix4d back =
      cf::x1_to_x2(cf::Pose6{0, 0, 0, 0, 90, 0}, cf::Pose6{1, 2, 3, 0, 90, 0});
  expect_matrix_near(back * t, Eigen::Matrix4d::Identity());
  expect_matrix_near(cf::rigid_inverse(t), back);
}

TEST(Pose, CameraToOpenCv) {
  // Camera at the lidar: OpenCV z (forward) -> lidar +x, OpenCV x (right) ->
  // lidar +y (right in CARLA), OpenCV y (down) -> lidar -z.
  const cf::Pose6 p{3, 4, 1.7, 0, 30, 0};
  const Eigen::Matrix4d t = cf::camera_to_lidar_opencv(p, p);
  expect_matrix_near(t, cf::ue4_to_opencv_camera());
  const Eigen::Vector4d fwd = t * Eigen::Vector4d(0, 0, 1, 0);
  EXPECT_EQ(fwd, Eigen::Vector4d(1, 0, 0, 0));
  const Eigen::Vector4d right = t * Eigen::Vector4d(1, 0, 0, 0);
  EXPECT_EQ(right, Eigen::Vector4d(0, 1, 0, 0));
  const Eigen::Vector4d down = t * Eigen::Vector4d(0, 1, 0, 0);
  EXPECT_EQ(down, Eigen::Vector4d(0, 0, -1, 0));
}

TEST(Pose, TransformPoints) {
  Eigen::Matrix<double, Eigen::Dynamic, 3> pts(2, 3);
  pts << 1, 0, 0,  //
      0, 1, 0;
  const auto out = cf::transform_points(cf::x_to_world({1, 2, 3, 0, 90, 0}), pts);
  EXPECT_NEAR(out(0, 0), 1, 1e-12);
  EXPECT_NEAR(out(0, 1), 3, 1e-12);
  EXPECT_NEAR(out(1, 0), 0, 1e-12);
  EXPECT_NEAR(out(1, 1), 2, 1e-12);
  EXPECT_NEAR(out(1, 2), 3, 1e-12);
}
