#include "concord/sim/world.hpp"

#include "concord/sim/raycaster.hpp"
#include "concord/sim/rng.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace concord::sim {

World::World(const SimConfig& config, std::uint64_t seed) : config_(config) {
  Rng town_rng(derive_seed({seed, 1}));
  town_ = generate_town(config.town, town_rng);
  static_mesh_ = build_static_mesh(town_);
  Rng rng(derive_seed({seed, 2}));
  lighting_ = sample_lighting(rng);
  const RoadAxis green = rng.bernoulli(0.5) ? RoadAxis::kX : RoadAxis::kY;
  traffic_ = std::make_unique<Traffic>(town_, config.traffic, green, derive_seed({seed, 3}));

  // Scenario centre: one of the (up to) four intersections nearest the town centre.
  std::vector<std::size_t> order(town_.intersections.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const auto& ia = town_.intersections[a];
    const auto& ib = town_.intersections[b];
    return std::hypot(ia.cx, ia.cy) < std::hypot(ib.cx, ib.cy);
  });
  const int pick = rng.uniform_int(0, static_cast<int>(std::min<std::size_t>(4, order.size())) - 1);
  const Intersection& centre = town_.intersections[order[static_cast<std::size_t>(pick)]];
  centre_ = {centre.cx, centre.cy};

  // CAVs on the lanes of the two crossing roads.
  const ScenarioConfig& sc = config.scenario;
  std::vector<int> lanes;
  for (std::size_t li = 0; li < town_.lanes.size(); ++li) {
    const int r = town_.lanes[li].road;
    if (r == centre.road_x || r == centre.road_y) lanes.push_back(static_cast<int>(li));
  }
  const int want = rng.uniform_int(sc.cavs_min, sc.cavs_max);
  std::vector<Eigen::Vector2d> placed;
  std::vector<int> cav_ids;
  for (int attempt = 0; attempt < 400 && static_cast<int>(cav_ids.size()) < want; ++attempt) {
    const int lane =
        lanes[static_cast<std::size_t>(rng.uniform_int(0, static_cast<int>(lanes.size()) - 1))];
    const Road& road =
        town_.roads[static_cast<std::size_t>(town_.lanes[static_cast<std::size_t>(lane)].road)];
    const double s_centre = road.axis == RoadAxis::kX ? centre.cx : centre.cy;
    const double s = s_centre + rng.uniform(-0.9, 0.9) * sc.cav_spread_m;
    const Eigen::Vector2d p = town_.lane_point(town_.lanes[static_cast<std::size_t>(lane)], s);
    if ((p - centre_).norm() > sc.cav_spread_m) continue;
    bool ok = true;
    for (const Eigen::Vector2d& q : placed) {
      const double d = (p - q).norm();
      if (d < 8.0 || d > sc.comm_range_m) ok = false;
    }
    if (!ok) continue;
    const std::int64_t id = traffic_->add_moving(lane, s, VehicleClass::kCar, true);
    if (id < 0) continue;
    placed.push_back(p);
    cav_ids.push_back(static_cast<int>(id));
  }
  if (static_cast<int>(cav_ids.size()) < sc.cavs_min) {
    throw std::runtime_error("World: could only place " + std::to_string(cav_ids.size()) +
                             " CAVs (cavs_min " + std::to_string(sc.cavs_min) + ")");
  }
  std::sort(cav_ids.begin(), cav_ids.end());
  for (int id : cav_ids) agents_.push_back(Agent{id, false, Pose{}});
  traffic_->populate();

  if (rng.bernoulli(sc.rsu_probability)) {
    const double sx = rng.bernoulli(0.5) ? 1.0 : -1.0, sy = rng.bernoulli(0.5) ? 1.0 : -1.0;
    const double x = centre.cx + sx * (centre.half_x + 1.2);
    const double y = centre.cy + sy * (centre.half_y + 1.2);
    const double yaw = rad2deg(std::atan2(centre.cy - y, centre.cx - x));
    agents_.push_back(Agent{-1, true, Pose{x, y, kCurbHeightM, 0.0, yaw, 0.0}});
  }
}

void World::step() {
  traffic_->step(config_.scenario.frame_period_s);
}

FrameMeshes World::frame_meshes() const {
  FrameMeshes fm;
  fm.static_mesh = &static_mesh_;
  for (const Agent& a : agents_) {
    if (a.is_rsu)
      fm.dynamic.push_back(build_mast_mesh(a.rsu_base, config_.scenario.rsu_mast_height_m, a.id));
  }
  for (const Vehicle& v : traffic_->vehicles()) fm.dynamic.push_back(build_vehicle_mesh(v));
  return fm;
}

AgentSensors World::sensors(const Agent& agent) const {
  AgentSensors s;
  std::array<Pose, 4> mounts;
  if (agent.is_rsu) {
    s.base = agent.rsu_base;
    s.lidar = compose(s.base, Pose{0.0, 0.0, config_.scenario.rsu_mast_height_m, 0.0, 0.0, 0.0});
    mounts = rsu_camera_mounts(config_.scenario.rsu_mast_height_m);
  } else {
    const Vehicle* v = traffic_->find(agent.id);
    if (!v) throw std::logic_error("World::sensors: CAV " + std::to_string(agent.id) + " missing");
    s.base = v->pose();
    s.lidar = compose(s.base, Pose{0.0, 0.0, config_.scenario.lidar_mount_height_m, 0.0, 0.0, 0.0});
    mounts = cav_camera_mounts();
    s.speed_mps = v->speed_mps;
    s.velocity_mps =
        Eigen::Vector3d(std::cos(deg2rad(v->yaw_deg)), std::sin(deg2rad(v->yaw_deg)), 0.0) *
        v->speed_mps;
  }
  for (std::size_t i = 0; i < 4; ++i) s.cameras[i] = compose(s.base, mounts[i]);
  return s;
}

std::vector<std::uint32_t> World::own_geometry(const Agent& agent,
                                               const FrameMeshes& meshes) const {
  const std::uint32_t g =
      meshes.geom_id(agent.is_rsu ? GeometryKind::kMast : GeometryKind::kVehicle, agent.id);
  if (g == kNoHit) return {};
  return {g};
}

}  // namespace concord::sim
