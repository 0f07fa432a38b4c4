// Ray/ground and ray/box hits against hand-computed distances; ignore lists;
// thread-count independence of the Embree ray caster.
#include "concord/sim/mesh.hpp"
#include "concord/sim/raycaster.hpp"
#include "concord/sim/rng.hpp"
#include "concord/sim/scene_mesh.hpp"
#include "concord/sim/town.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

namespace cs = concord::sim;

namespace {

cs::TriangleMesh ground() {
  cs::TriangleMesh m;
  cs::add_quad(m, 0, 0, 0, 500, 500, 0, cs::Material::kAsphalt, {70, 70, 70});
  return m;
}

cs::TriangleMesh box(const Eigen::Vector3d& c, const Eigen::Vector3d& h, double yaw,
                     std::int64_t id) {
  cs::TriangleMesh m;
  m.kind = cs::GeometryKind::kVehicle;
  m.object_id = id;
  cs::add_box(m, c, h, yaw, cs::Material::kVehicleBody, {200, 0, 0});
  return m;
}

cs::Ray ray(Eigen::Vector3f o, Eigen::Vector3f d) {
  cs::Ray r;
  r.origin = o;
  r.dir = d.normalized();
  return r;
}

}  // namespace

TEST(RayCaster, GroundHitAtHandComputedDistance) {
  const cs::TriangleMesh g = ground();
  cs::RayCaster rc(1);
  rc.set_scene({&g});
  // From 2 m above the ground, 45 deg down: t = 2 * sqrt(2).
  std::vector<cs::Hit> hits;
  rc.intersect(
      {ray({0, 0, 2}, {1, 0, -1}), ray({3, 4, 1.9f}, {0, 0, -1}), ray({0, 0, 2}, {1, 0, 0.1f})},
      hits);
  ASSERT_EQ(hits.size(), 3u);
  EXPECT_NEAR(hits[0].t, 2.0 * std::sqrt(2.0), 1e-5);
  EXPECT_EQ(hits[0].geom_id, 0u);
  EXPECT_NEAR(hits[0].normal.z(), 1.0f, 1e-6);
  EXPECT_NEAR(hits[1].t, 1.9, 1e-5);
  EXPECT_FALSE(hits[2].valid());  // pointing up: misses
}

TEST(RayCaster, BoxFacesAtHandComputedDistances) {
  const cs::TriangleMesh g = ground();
  const cs::TriangleMesh b = box({10, 0, 1}, {2, 1, 1}, 0.0, 7);
  cs::RayCaster rc(2);
  rc.set_scene({&g, &b});
  std::vector<cs::Hit> hits;
  rc.intersect({ray({0, 0, 1}, {1, 0, 0}),     // front face x = 8
                ray({10, -10, 1}, {0, 1, 0}),  // side face y = -1
                ray({10, 0, 5}, {0, 0, -1}),   // top face z = 2
                ray({0, 3, 1}, {1, 0, 0})},    // passes beside the box
               hits);
  EXPECT_NEAR(hits[0].t, 8.0, 1e-5);
  EXPECT_EQ(hits[0].geom_id, 1u);
  EXPECT_NEAR(hits[0].normal.x(), -1.0f, 1e-6);
  EXPECT_NEAR(hits[1].t, 9.0, 1e-5);
  EXPECT_NEAR(hits[1].normal.y(), -1.0f, 1e-6);
  EXPECT_NEAR(hits[2].t, 3.0, 1e-5);
  EXPECT_NEAR(hits[2].normal.z(), 1.0f, 1e-6);
  EXPECT_FALSE(hits[3].valid());
}

TEST(RayCaster, RotatedBoxEntryDistance) {
  // Box 4 x 2 m at (10, 0) turned 45 deg: along the x axis it spans
  // |dx| <= 1 / sin(45 deg) = sqrt(2), so the entry is at 10 - sqrt(2).
  const cs::TriangleMesh b = box({10, 0, 1}, {2, 1, 1}, 45.0, 3);
  cs::RayCaster rc(1);
  rc.set_scene({&b});
  std::vector<cs::Hit> hits;
  rc.intersect({ray({0, 0, 1}, {1, 0, 0})}, hits);
  EXPECT_NEAR(hits[0].t, 10.0 - std::sqrt(2.0), 1e-4);
}

TEST(RayCaster, IgnoredGeometryIsSeeThrough) {
  const cs::TriangleMesh a = box({5, 0, 1}, {1, 1, 1}, 0.0, 1);
  const cs::TriangleMesh b = box({12, 0, 1}, {1, 1, 1}, 0.0, 2);
  cs::RayCaster rc(1);
  rc.set_scene({&a, &b});
  std::vector<cs::Hit> hits;
  rc.intersect({ray({0, 0, 1}, {1, 0, 0})}, hits);
  EXPECT_EQ(hits[0].geom_id, 0u);
  EXPECT_NEAR(hits[0].t, 4.0, 1e-5);
  rc.intersect({ray({0, 0, 1}, {1, 0, 0})}, hits, {0u});
  EXPECT_EQ(hits[0].geom_id, 1u);
  EXPECT_NEAR(hits[0].t, 11.0, 1e-5);
  // A ray starting inside an ignored box still leaves it.
  rc.intersect({ray({5, 0, 1}, {1, 0, 0})}, hits, {0u});
  EXPECT_NEAR(hits[0].t, 6.0, 1e-5);
  std::vector<std::uint8_t> occ;
  cs::Ray shadow = ray({0, 0, 1}, {1, 0, 0});
  shadow.tfar = 3.5f;
  rc.occluded({shadow, ray({0, 0, 1}, {1, 0, 0})}, occ);
  EXPECT_EQ(occ[0], 0);
  EXPECT_EQ(occ[1], 1);
}

TEST(RayCaster, ResultsIndependentOfThreadCount) {
  concord::sim::Rng rng(5);
  const cs::Town town = cs::generate_town(cs::TownConfig{}, rng);
  const cs::TriangleMesh s = cs::build_static_mesh(town);
  std::vector<cs::Ray> rays;
  for (int i = 0; i < 20000; ++i) {
    cs::Ray r;
    r.origin = Eigen::Vector3f(static_cast<float>(rng.uniform(-50, 50)),
                               static_cast<float>(rng.uniform(-50, 50)),
                               static_cast<float>(rng.uniform(0.5, 20)));
    r.dir = Eigen::Vector3f(static_cast<float>(rng.uniform(-1, 1)),
                            static_cast<float>(rng.uniform(-1, 1)),
                            static_cast<float>(rng.uniform(-1, 0.3)))
                .normalized();
    rays.push_back(r);
  }
  std::vector<cs::Hit> h1, h3;
  cs::RayCaster one(1), three(3);
  one.set_scene({&s});
  three.set_scene({&s});
  one.intersect(rays, h1);
  three.intersect(rays, h3);
  ASSERT_EQ(h1.size(), h3.size());
  std::size_t valid = 0;
  for (std::size_t i = 0; i < h1.size(); ++i) {
    ASSERT_EQ(std::memcmp(&h1[i].t, &h3[i].t, sizeof(float)), 0) << i;
    ASSERT_EQ(h1[i].geom_id, h3[i].geom_id);
    ASSERT_EQ(h1[i].prim_id, h3[i].prim_id);
    ASSERT_EQ(h1[i].normal, h3[i].normal);
    valid += h1[i].valid() ? 1 : 0;
  }
  EXPECT_GT(valid, rays.size() / 2);
}
