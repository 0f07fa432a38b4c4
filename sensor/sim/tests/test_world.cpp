// Town, traffic and scenario generation: layout invariants, size classes,
// lane following without collisions, CAV placement rules.
#include "concord/sim/config.hpp"
#include "concord/sim/rng.hpp"
#include "concord/sim/town.hpp"
#include "concord/sim/traffic.hpp"
#include "concord/sim/world.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

namespace cs = concord::sim;

TEST(Town, GridLayout) {
  cs::Rng rng(1);
  cs::TownConfig cfg;
  const cs::Town t = cs::generate_town(cfg, rng);
  ASSERT_EQ(t.roads.size(), static_cast<std::size_t>(cfg.roads_x + cfg.roads_y));
  EXPECT_EQ(t.intersections.size(), static_cast<std::size_t>(cfg.roads_x * cfg.roads_y));
  EXPECT_EQ(t.blocks.size(), static_cast<std::size_t>((cfg.roads_x + 1) * (cfg.roads_y + 1)));
  EXPECT_FALSE(t.buildings.empty());
  // Lane centres lie on asphalt: never inside a block.
  for (const cs::Lane& lane : t.lanes) {
    for (double s = -t.extent_m; s <= t.extent_m; s += 7.0) {
      const Eigen::Vector2d p = t.lane_point(lane, s);
      for (const cs::Block& b : t.blocks) {
        const bool inside =
            p.x() > b.min.x() && p.x() < b.max.x() && p.y() > b.min.y() && p.y() < b.max.y();
        ASSERT_FALSE(inside);
      }
    }
  }
  // Right-hand traffic: +x lanes have yaw 0 and lie at +y of the centreline.
  for (const cs::Lane& lane : t.lanes) {
    const cs::Road& r = t.roads[static_cast<std::size_t>(lane.road)];
    if (r.axis == cs::RoadAxis::kX && lane.direction > 0) {
      EXPECT_DOUBLE_EQ(lane.yaw_deg, 0.0);
      EXPECT_GT(lane.lateral_m, 0.0);
    }
  }
}

TEST(Traffic, SizeClassesAreRealistic) {
  cs::Rng rng(2);
  double car_len = 0.0;
  for (int i = 0; i < 2000; ++i) {
    const Eigen::Vector3d car = cs::sample_half_extent(cs::VehicleClass::kCar, rng);
    car_len += 2.0 * car.x();
    const Eigen::Vector3d bus = cs::sample_half_extent(cs::VehicleClass::kBus, rng);
    ASSERT_GE(2.0 * bus.x(), 10.0);
    ASSERT_LE(2.0 * bus.x(), 13.0);
    const Eigen::Vector3d truck = cs::sample_half_extent(cs::VehicleClass::kTruck, rng);
    ASSERT_GE(2.0 * truck.z(), 2.8);
    ASSERT_LE(2.0 * car.y(), 2.05);
  }
  EXPECT_NEAR(car_len / 2000.0, 4.5, 0.05);
}

TEST(Traffic, LaneFollowingKeepsGapsAndStopsAtRedLights) {
  cs::Rng rng(3);
  const cs::Town town = cs::generate_town(cs::TownConfig{}, rng);
  cs::TrafficConfig tc;
  tc.moving_per_lane_km = 60.0;
  cs::Traffic traffic(town, tc, cs::RoadAxis::kX, 4);
  traffic.populate();
  std::map<std::int64_t, double> start;
  for (const auto& v : traffic.vehicles()) start[v.id] = v.s_m;
  for (int step = 0; step < 100; ++step) {
    traffic.step(0.1);
    std::map<int, std::vector<const cs::Vehicle*>> per_lane;
    for (const auto& v : traffic.vehicles()) {
      if (v.lane >= 0) per_lane[v.lane].push_back(&v);
    }
    for (const auto& [lane, vs] : per_lane) {
      for (std::size_t i = 0; i < vs.size(); ++i) {
        for (std::size_t j = i + 1; j < vs.size(); ++j) {
          const double gap =
              std::abs(vs[i]->s_m - vs[j]->s_m) - vs[i]->half_extent.x() - vs[j]->half_extent.x();
          ASSERT_GT(gap, 0.0) << "overlap in lane " << lane;
        }
      }
    }
    // Red (y) roads: no vehicle body inside an intersection.
    for (const auto& v : traffic.vehicles()) {
      if (v.lane < 0) continue;
      const cs::Lane& lane = town.lanes[static_cast<std::size_t>(v.lane)];
      if (town.roads[static_cast<std::size_t>(lane.road)].axis != cs::RoadAxis::kY) continue;
      for (const auto& [a, b] : town.crossing_spans(lane.road)) {
        ASSERT_FALSE(v.s_m + v.half_extent.x() > a && v.s_m - v.half_extent.x() < b);
      }
    }
  }
  // Vehicles on green roads moved forward; 10 s at <= 13 m/s.
  int moved = 0;
  for (const auto& v : traffic.vehicles()) {
    auto it = start.find(v.id);
    if (it == start.end() || v.lane < 0) continue;
    const double dir = town.lanes[static_cast<std::size_t>(v.lane)].direction;
    const double ds = dir * (v.s_m - it->second);
    ASSERT_GE(ds, -1e-9);
    ASSERT_LE(ds, 13.0 * 10.0 + 1e-6);
    if (ds > 20.0) ++moved;
  }
  EXPECT_GT(moved, 5);
}

TEST(World, CavsWithinSpreadAndCommRange) {
  cs::SimConfig cfg;
  cfg.scenario.rsu_probability = 1.0;
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    const cs::World w(cfg, seed);
    int cavs = 0;
    int prev = 0;
    for (const cs::Agent& a : w.agents()) {
      if (a.is_rsu) {
        EXPECT_EQ(a.id, -1);
        const cs::AgentSensors s = w.sensors(a);
        EXPECT_NEAR(s.lidar.z, cfg.scenario.rsu_mast_height_m + cs::kCurbHeightM, 1e-9);
        continue;
      }
      EXPECT_GT(a.id, prev);  // sorted, ego = lowest id first
      prev = a.id;
      ++cavs;
      const cs::AgentSensors s = w.sensors(a);
      EXPECT_LE(std::hypot(s.base.x - w.centre().x(), s.base.y - w.centre().y()),
                cfg.scenario.cav_spread_m);
      EXPECT_NEAR(s.lidar.z, cfg.scenario.lidar_mount_height_m, 1e-9);
      for (const cs::Agent& b : w.agents()) {
        if (b.is_rsu) continue;
        const cs::AgentSensors t = w.sensors(b);
        EXPECT_LE(std::hypot(s.base.x - t.base.x, s.base.y - t.base.y), cfg.scenario.comm_range_m);
      }
    }
    EXPECT_GE(cavs, cfg.scenario.cavs_min);
    EXPECT_LE(cavs, cfg.scenario.cavs_max);
    EXPECT_TRUE(w.agents().back().is_rsu);
  }
}
