// LiDAR models: beam counts and published vertical angles; ground ranges and
// intensities against hand-computed values; occlusion behind a wall;
// deterministic noise and dropout.
#include "concord/sim/lidar.hpp"
#include "concord/sim/material.hpp"
#include "concord/sim/mesh.hpp"
#include "concord/sim/scene_mesh.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

namespace cs = concord::sim;

namespace {

cs::LidarConfig clean(cs::LidarModel model) {
  cs::LidarConfig c;
  c.model = model;
  c.horizontal_resolution_deg = 1.0;
  c.range_noise_stddev_m = 0.0;
  c.dropout_probability = 0.0;
  c.motion_skew = false;
  c.max_range_m = 100.0;
  return c;
}

struct Scene {
  cs::TriangleMesh ground;
  cs::FrameMeshes meshes;
  cs::RayCaster caster{2};
  explicit Scene(std::vector<cs::TriangleMesh> dynamic) {
    cs::add_quad(ground, 0, 0, 0, 500, 500, 0, cs::Material::kAsphalt, {70, 70, 70});
    meshes.static_mesh = &ground;
    meshes.dynamic = std::move(dynamic);
    caster.set_scene(meshes.pointers());
  }
};

cs::TriangleMesh vehicle_box(const Eigen::Vector3d& c, const Eigen::Vector3d& h, std::int64_t id) {
  cs::TriangleMesh m;
  m.kind = cs::GeometryKind::kVehicle;
  m.object_id = id;
  cs::add_box(m, c, h, 0.0, cs::Material::kVehicleBody, {200, 0, 0});
  return m;
}

}  // namespace

TEST(LidarModels, BeamCountsAndPublishedVerticalAngles) {
  const auto a64 = cs::vertical_angles_deg(cs::LidarModel::kHDL64E);
  ASSERT_EQ(a64.size(), 64u);
  EXPECT_EQ(cs::beam_count(cs::LidarModel::kHDL64E), 64);
  EXPECT_DOUBLE_EQ(a64.front(), 2.0);
  EXPECT_NEAR(a64[31], -8.333, 1e-3);
  EXPECT_NEAR(a64[32], -8.83, 1e-9);
  EXPECT_NEAR(a64.back(), -24.33, 1e-9);
  for (int i = 1; i < 32; ++i) EXPECT_NEAR(a64[i - 1] - a64[i], 1.0 / 3.0, 1e-9);
  for (int i = 33; i < 64; ++i) EXPECT_NEAR(a64[i - 1] - a64[i], 0.5, 1e-9);

  const auto a32 = cs::vertical_angles_deg(cs::LidarModel::kHDL32E);
  ASSERT_EQ(a32.size(), 32u);
  // HDL-32E manual, laser ids 0..5: -30.67, -9.33, -29.33, -8.00, -28.00, -6.67.
  const double first[] = {-30.67, -9.33, -29.33, -8.00, -28.00, -6.67};
  for (int i = 0; i < 6; ++i) EXPECT_NEAR(a32[static_cast<std::size_t>(i)], first[i], 1e-9);
  EXPECT_NEAR(a32[31], 10.67, 1e-9);
  auto s32 = a32;
  std::sort(s32.begin(), s32.end());
  for (int i = 1; i < 32; ++i)
    EXPECT_NEAR(s32[static_cast<std::size_t>(i)] - s32[static_cast<std::size_t>(i - 1)], 4.0 / 3.0,
                0.011);

  const auto a16 = cs::vertical_angles_deg(cs::LidarModel::kVLP16);
  ASSERT_EQ(a16.size(), 16u);
  const double vlp[] = {-15, 1, -13, 3, -11, 5, -9, 7, -7, 9, -5, 11, -3, 13, -1, 15};
  for (int i = 0; i < 16; ++i) EXPECT_DOUBLE_EQ(a16[static_cast<std::size_t>(i)], vlp[i]);
}

TEST(LidarModels, RayCountFollowsHorizontalResolution) {
  cs::LidarConfig c = clean(cs::LidarModel::kVLP16);
  c.horizontal_resolution_deg = 0.2;
  EXPECT_EQ(cs::columns_per_revolution(c), 1800);
  EXPECT_EQ(cs::lidar_directions(c).size(), 1800u * 16u);
  c.model = cs::LidarModel::kHDL64E;
  c.horizontal_resolution_deg = 0.4;
  EXPECT_EQ(cs::lidar_directions(c).size(), 900u * 64u);
}

TEST(Lidar, GroundRangesAndIntensityMatchGeometry) {
  Scene scene({});
  const cs::LidarConfig c = clean(cs::LidarModel::kHDL64E);
  const cs::Pose pose{0, 0, 1.9, 0, 0, 0};
  const cs::LidarScan scan = cs::simulate_lidar(scene.caster, scene.meshes, c, pose, {0, 0, 0}, 1);
  const auto el = cs::vertical_angles_deg(c.model);
  // Every laser pointing below the horizon hits flat ground: r = 1.9 / sin(-el).
  std::size_t checked = 0;
  for (std::size_t i = 0; i < scan.size(); ++i) {
    const double e = cs::deg2rad(el[scan.lasers[i]]);
    ASSERT_LT(e, 0.0);
    const double x = scan.xyzi[4 * i], y = scan.xyzi[4 * i + 1], z = scan.xyzi[4 * i + 2];
    const double r = std::sqrt(x * x + y * y + z * z);
    EXPECT_NEAR(z, -1.9, 1e-4);
    EXPECT_NEAR(r, 1.9 / std::sin(-e), 2e-3 * r);
    const double expect_i =
        cs::lidar_reflectivity(cs::Material::kAsphalt) * std::sin(-e) * std::exp(-0.004 * r);
    EXPECT_NEAR(scan.xyzi[4 * i + 3], expect_i, 1e-4);
    ++checked;
  }
  // Lowest laser -24.33 deg: r = 1.9 / sin(24.33 deg) = 4.6100 m at all 360 columns.
  std::size_t lowest = 0;
  for (std::size_t i = 0; i < scan.size(); ++i) {
    if (scan.lasers[i] == 63) {
      const double x = scan.xyzi[4 * i], y = scan.xyzi[4 * i + 1], z = scan.xyzi[4 * i + 2];
      EXPECT_NEAR(std::sqrt(x * x + y * y + z * z), 4.6100, 2e-3);
      ++lowest;
    }
  }
  EXPECT_EQ(lowest, 360u);
  // Lasers above -1.09 deg reach beyond 100 m: 1.9 / sin(1.09 deg) = 99.9 m.
  std::size_t expected = 0;
  for (double e : el) {
    if (e < 0 && 1.9 / std::sin(cs::deg2rad(-e)) <= 100.0) expected += 360;
  }
  EXPECT_EQ(checked, expected);
}

TEST(Lidar, BoxBehindWallGetsNoPoints) {
  // Sensor at the origin, 1.9 m high; a 2 m x 1.6 m x 1.5 m car 15 m ahead;
  // a 6 m tall, 20 m wide wall at x = 8 hides it completely.
  const cs::TriangleMesh car = vehicle_box({15, 0, 0.75}, {1.0, 0.8, 0.75}, 42);
  cs::TriangleMesh wall;
  wall.kind = cs::GeometryKind::kStatic;
  cs::add_box(wall, {8, 0, 3}, {0.15, 10, 3}, 0.0, cs::Material::kWall, {120, 120, 120});
  const cs::LidarConfig c = clean(cs::LidarModel::kHDL64E);
  const cs::Pose pose{0, 0, 1.9, 0, 0, 0};
  auto car_points = [&](const Scene& s) {
    const cs::LidarScan scan = cs::simulate_lidar(s.caster, s.meshes, c, pose, {0, 0, 0}, 1);
    const std::uint32_t g = s.meshes.geom_id(cs::GeometryKind::kVehicle, 42);
    return std::count(scan.geom_ids.begin(), scan.geom_ids.end(), g);
  };
  const Scene open({car});
  EXPECT_GT(car_points(open), 20);
  const Scene hidden({car, wall});
  EXPECT_EQ(car_points(hidden), 0);
}

TEST(Lidar, NoiseAndDropoutAreSeededAndCalibrated) {
  Scene scene({});
  cs::LidarConfig c = clean(cs::LidarModel::kVLP16);
  c.range_noise_stddev_m = 0.05;
  c.dropout_probability = 0.2;
  c.max_range_m = 200.0;
  const cs::Pose pose{0, 0, 1.9, 0, 0, 0};
  const auto a = cs::simulate_lidar(scene.caster, scene.meshes, c, pose, {0, 0, 0}, 11);
  const auto b = cs::simulate_lidar(scene.caster, scene.meshes, c, pose, {0, 0, 0}, 11);
  const auto d = cs::simulate_lidar(scene.caster, scene.meshes, c, pose, {0, 0, 0}, 12);
  EXPECT_EQ(a.xyzi, b.xyzi);
  EXPECT_NE(a.xyzi, d.xyzi);
  // 8 downward lasers x 360 columns hit the ground; ~20 % dropped.
  const double kept = static_cast<double>(a.size()) / (8.0 * 360.0);
  EXPECT_NEAR(kept, 0.8, 0.03);
  // Range noise: residual of z (ground at -1.9) has the expected spread.
  double sum2 = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double x = a.xyzi[4 * i], y = a.xyzi[4 * i + 1], z = a.xyzi[4 * i + 2];
    const double r = std::sqrt(x * x + y * y + z * z);
    const double r_true = 1.9 * r / -z;
    sum2 += (r - r_true) * (r - r_true);
  }
  EXPECT_NEAR(std::sqrt(sum2 / static_cast<double>(a.size())), 0.05, 0.005);
}
