// Hand-computed box corner projection and 7-value conversion (sheet §1.1 GT boxes).
#include "concord/formats/box.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace cf = concord::formats;

namespace {

constexpr double kPi = 3.14159265358979323846;

cf::ObjectAnnotation yaw90_car() {
  cf::ObjectAnnotation o;
  o.location = {10, 0, 0};
  o.center = {0, 0, 0.5};
  o.extent = {2, 1, 0.75};  // half l, w, h
  o.angle = {0, 90, 0};     // roll, yaw, pitch (deg)
  return o;
}

}  // namespace

TEST(Box, CornersYaw90InWorldFrame) {
  // Object pose (10, 0, 0.5, yaw 90): R maps (a, b, c) -> (-b, a, c).
  // corner 0 (2,-1,-0.75) -> (1,2,-0.75) + (10,0,0.5) = (11, 2, -0.25), etc.
  const cf::Corners8 c = cf::object_corners(yaw90_car(), cf::Pose6{});
  const double expected[8][3] = {{11, 2, -0.25}, {9, 2, -0.25}, {9, -2, -0.25}, {11, -2, -0.25},
                                 {11, 2, 1.25},  {9, 2, 1.25},  {9, -2, 1.25},  {11, -2, 1.25}};
  for (int i = 0; i < 8; ++i) {
    for (int k = 0; k < 3; ++k) EXPECT_NEAR(c(i, k), expected[i][k], 1e-12) << i << "," << k;
  }
  const cf::Box7 b = cf::corners_to_box7(c);
  EXPECT_NEAR(b.x, 10, 1e-12);
  EXPECT_NEAR(b.y, 0, 1e-12);
  EXPECT_NEAR(b.z, 0.5, 1e-12);
  EXPECT_NEAR(b.h, 1.5, 1e-12);
  EXPECT_NEAR(b.w, 2, 1e-12);
  EXPECT_NEAR(b.l, 4, 1e-12);
  EXPECT_NEAR(b.yaw, kPi / 2, 1e-12);
}

TEST(Box, CornersInRotatedAgentFrame) {
  // Agent at (10, -5, 0) with yaw 90: the object (centre (10,0,0.5), yaw 90)
  // is 5 m straight ahead (+x) of it, with relative yaw 0.
  const cf::Box7 b =
      cf::corners_to_box7(cf::object_corners(yaw90_car(), cf::Pose6{10, -5, 0, 0, 90, 0}));
  EXPECT_NEAR(b.x, 5, 1e-12);
  EXPECT_NEAR(b.y, 0, 1e-12);
  EXPECT_NEAR(b.z, 0.5, 1e-12);
  EXPECT_NEAR(b.l, 4, 1e-12);
  EXPECT_NEAR(b.w, 2, 1e-12);
  EXPECT_NEAR(b.yaw, 0, 1e-12);
}

TEST(Box, Box7CornersRoundTrip) {
  const cf::Corners8 c = cf::object_corners(yaw90_car(), cf::Pose6{1, 2, 0, 0, 33, 0});
  const cf::Corners8 back = cf::box7_to_corners(cf::corners_to_box7(c));
  EXPECT_TRUE(back.isApprox(c, 1e-12));
}

TEST(Box, RangeFilterNeedsAllEightCorners) {
  const cf::ObjectAnnotation o = yaw90_car();
  // Top face at z = 1.25 > 1: refused by OpenCOOD's GT range.
  EXPECT_FALSE(cf::project_world_object(o, cf::Pose6{}, {-140, -40, -3, 140, 40, 1}).has_value());
  const auto kept = cf::project_world_object(o, cf::Pose6{}, {-140, -40, -3, 140, 40, 2});
  ASSERT_TRUE(kept.has_value());
  EXPECT_NEAR(kept->l, 4, 1e-12);
  // One x edge outside (x up to 11 > 10.5): 4 of 8 corners inside -> refused,
  // but accepted with min_corners = 4.
  EXPECT_FALSE(cf::box_in_range(*kept, {-20, -20, -3, 10.5, 20, 2}));
  EXPECT_TRUE(cf::box_in_range(*kept, {-20, -20, -3, 10.5, 20, 2}, 4));
}
