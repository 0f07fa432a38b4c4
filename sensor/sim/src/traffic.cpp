#include "concord/sim/traffic.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace concord::sim {
namespace {

constexpr double kIdmAccel = 1.5;    // m/s^2
constexpr double kIdmBrake = 2.0;    // m/s^2
constexpr double kIdmMinGap = 2.0;   // m
constexpr double kIdmHeadway = 1.2;  // s
constexpr double kStopLineM = 2.0;   // stop line distance before the crossing
constexpr double kInf = std::numeric_limits<double>::infinity();

template <std::size_t N>
Rgb8 pick(const std::array<Rgb8, N>& palette, Rng& rng) {
  return palette[static_cast<std::size_t>(rng.uniform_int(0, static_cast<int>(N) - 1))];
}

}  // namespace

const char* to_string(VehicleClass c) noexcept {
  switch (c) {
    case VehicleClass::kCar:
      return "car";
    case VehicleClass::kVan:
      return "van";
    case VehicleClass::kTruck:
      return "truck";
    case VehicleClass::kBus:
      return "bus";
  }
  return "unknown";
}

Eigen::Vector3d sample_half_extent(VehicleClass c, Rng& rng) {
  double l = 4.5, w = 1.85, h = 1.5;
  switch (c) {
    case VehicleClass::kCar:
      l = rng.clamped_normal(4.5, 0.35, 3.6, 5.4);
      w = rng.clamped_normal(1.85, 0.08, 1.65, 2.05);
      h = rng.clamped_normal(1.50, 0.08, 1.35, 1.80);
      break;
    case VehicleClass::kVan:
      l = rng.clamped_normal(5.3, 0.35, 4.6, 6.2);
      w = rng.clamped_normal(2.0, 0.08, 1.85, 2.2);
      h = rng.clamped_normal(2.2, 0.15, 1.9, 2.7);
      break;
    case VehicleClass::kTruck:
      l = rng.clamped_normal(8.0, 1.2, 6.0, 10.5);
      w = rng.clamped_normal(2.5, 0.05, 2.4, 2.6);
      h = rng.clamped_normal(3.3, 0.25, 2.8, 3.9);
      break;
    case VehicleClass::kBus:
      l = rng.clamped_normal(11.5, 0.8, 10.0, 13.0);
      w = rng.clamped_normal(2.55, 0.03, 2.45, 2.6);
      h = rng.clamped_normal(3.1, 0.12, 2.9, 3.4);
      break;
  }
  return {0.5 * l, 0.5 * w, 0.5 * h};
}

Traffic::Traffic(const Town& town, const TrafficConfig& config, RoadAxis green_axis,
                 std::uint64_t seed)
    : town_(town), config_(config), green_axis_(green_axis), rng_(seed) {
  next_id_ = 100 + rng_.uniform_int(0, 800);
}

const Vehicle* Traffic::find(std::int64_t id) const {
  for (const Vehicle& v : vehicles_) {
    if (v.id == id) return &v;
  }
  return nullptr;
}

VehicleClass Traffic::sample_class(bool parked) {
  double w[4] = {config_.weight_car, config_.weight_van, config_.weight_truck, config_.weight_bus};
  if (parked) w[3] *= 0.3;  // buses rarely park on the street
  const double total = w[0] + w[1] + w[2] + w[3];
  double u = rng_.uniform() * total;
  for (int k = 0; k < 4; ++k) {
    if (u < w[k]) return static_cast<VehicleClass>(k);
    u -= w[k];
  }
  return VehicleClass::kCar;
}

Rgb8 Traffic::sample_colour(VehicleClass c) {
  static constexpr std::array<Rgb8, 10> kCar = {{{230, 230, 230},
                                                 {25, 25, 28},
                                                 {170, 172, 176},
                                                 {95, 97, 100},
                                                 {140, 20, 25},
                                                 {30, 70, 150},
                                                 {20, 30, 70},
                                                 {30, 90, 50},
                                                 {200, 185, 150},
                                                 {210, 120, 30}}};
  static constexpr std::array<Rgb8, 4> kBus = {
      {{230, 190, 30}, {190, 30, 30}, {40, 90, 170}, {235, 235, 235}}};
  static constexpr std::array<Rgb8, 4> kTruck = {
      {{235, 235, 235}, {170, 30, 30}, {40, 70, 140}, {60, 110, 60}}};
  static constexpr std::array<Rgb8, 3> kVan = {{{235, 235, 235}, {170, 172, 176}, {50, 80, 140}}};
  switch (c) {
    case VehicleClass::kCar:
      return pick(kCar, rng_);
    case VehicleClass::kVan:
      return pick(kVan, rng_);
    case VehicleClass::kTruck:
      return pick(kTruck, rng_);
    case VehicleClass::kBus:
      return pick(kBus, rng_);
  }
  return {200, 200, 200};
}

void Traffic::place(Vehicle& v) const {
  const Lane& lane = town_.lanes[static_cast<std::size_t>(v.lane)];
  const Eigen::Vector2d p = town_.lane_point(lane, v.s_m);
  v.x = p.x();
  v.y = p.y();
  v.yaw_deg = lane.yaw_deg;
}

bool Traffic::lane_free(int lane, double s_m, double half_length, std::int64_t ignore_id) const {
  for (const Vehicle& o : vehicles_) {
    if (o.lane != lane || o.id == ignore_id) continue;
    if (std::abs(o.s_m - s_m) < half_length + o.half_extent.x() + 2.0) return false;
  }
  return true;
}

bool Traffic::inside_red_zone(int lane_idx, double s_m, double half_length) const {
  const Lane& lane = town_.lanes[static_cast<std::size_t>(lane_idx)];
  const Road& road = town_.roads[static_cast<std::size_t>(lane.road)];
  const bool red = road.axis != green_axis_;
  for (const auto& [a, b] : town_.crossing_spans(lane.road)) {
    const double lo = s_m - half_length, hi = s_m + half_length;
    if (red) {
      // Between the stop line and the far side of the crossing.
      const double z0 = lane.direction > 0 ? a - kStopLineM : a;
      const double z1 = lane.direction > 0 ? b : b + kStopLineM;
      if (hi > z0 && lo < z1) return true;
    } else if (hi > a && lo < b) {
      // Green vehicles may start inside a crossing; keep spawns out anyway.
      return true;
    }
  }
  return false;
}

std::int64_t Traffic::add_moving(int lane, double s_m, VehicleClass cls, bool is_cav) {
  Vehicle v;
  v.cls = cls;
  v.half_extent = sample_half_extent(cls, rng_);
  v.lane = lane;
  v.s_m = s_m;
  v.is_cav = is_cav;
  v.colour = sample_colour(cls);
  double vmax = rng_.uniform(config_.speed_min_mps, config_.speed_max_mps);
  if (cls == VehicleClass::kTruck || cls == VehicleClass::kBus) vmax *= 0.8;
  v.desired_speed_mps = vmax;
  v.speed_mps = vmax * rng_.uniform(0.5, 1.0);
  if (!lane_free(lane, s_m, v.half_extent.x(), -1) ||
      inside_red_zone(lane, s_m, v.half_extent.x())) {
    return -1;
  }
  v.id = next_id_++;
  place(v);
  vehicles_.push_back(v);
  return v.id;
}

void Traffic::populate() {
  const double e = town_.extent_m;
  if (config_.moving_per_lane_km > 0.0) {
    const double mean_gap = 1000.0 / config_.moving_per_lane_km;
    for (std::size_t li = 0; li < town_.lanes.size(); ++li) {
      double s = -e + rng_.uniform(0.0, mean_gap);
      while (s < e - 5.0) {
        add_moving(static_cast<int>(li), s, sample_class(false), false);
        s += 8.0 + rng_.uniform(0.0, 2.0 * mean_gap);
      }
    }
  }
  if (config_.parked_per_strip_km > 0.0) {
    const double mean_gap = 1000.0 / config_.parked_per_strip_km;
    for (std::size_t ri = 0; ri < town_.roads.size(); ++ri) {
      const Road& r = town_.roads[ri];
      const auto spans = town_.crossing_spans(static_cast<int>(ri));
      for (int side : {+1, -1}) {
        if (!(side > 0 ? r.parking_pos : r.parking_neg)) continue;
        const double lateral = side * (r.lanes_half_width() + 0.5 * r.parking_width_m);
        // Heading of the traffic on that side (the parked car faces it).
        double yaw = 0.0;
        if (r.axis == RoadAxis::kX) {
          yaw = side > 0 ? 0.0 : 180.0;
        } else {
          yaw = side > 0 ? -90.0 : 90.0;
        }
        double s = -e + rng_.uniform(0.0, mean_gap);
        while (s < e - 5.0) {
          const VehicleClass cls = sample_class(true);
          const Eigen::Vector3d he = sample_half_extent(cls, rng_);
          const double c = s + he.x();
          bool ok = true;
          for (const auto& [a, b] : spans) {
            if (c + he.x() > a - 6.0 && c - he.x() < b + 6.0) ok = false;
          }
          if (ok && rng_.uniform() < 0.85) {
            Vehicle v;
            v.id = next_id_++;
            v.cls = cls;
            v.half_extent = he;
            v.lane = -1;
            v.s_m = c;
            const Eigen::Vector2d p = town_.road_point(static_cast<int>(ri), c, lateral);
            v.x = p.x();
            v.y = p.y();
            v.yaw_deg = yaw;
            v.colour = sample_colour(cls);
            vehicles_.push_back(v);
          }
          s = c + he.x() + rng_.uniform(0.8, 0.8 + 2.0 * std::max(0.0, mean_gap - 5.0));
        }
      }
    }
  }
}

double Traffic::stop_line_ahead(const Vehicle& v) const {
  const Lane& lane = town_.lanes[static_cast<std::size_t>(v.lane)];
  const Road& road = town_.roads[static_cast<std::size_t>(lane.road)];
  if (road.axis == green_axis_) return kInf;
  const double dir = lane.direction;
  const double front = dir * v.s_m + v.half_extent.x();  // in travel coordinate
  double best = kInf;
  for (const auto& [a, b] : town_.crossing_spans(lane.road)) {
    const double line = dir > 0 ? a - kStopLineM : -(b + kStopLineM);
    const double d = line - front;
    if (d > -0.5) best = std::min(best, std::max(0.0, d));
  }
  return best;
}

void Traffic::step(double dt) {
  // Group moving vehicles per lane, front-most first.
  std::vector<std::vector<std::size_t>> per_lane(town_.lanes.size());
  for (std::size_t i = 0; i < vehicles_.size(); ++i) {
    if (vehicles_[i].lane >= 0) per_lane[static_cast<std::size_t>(vehicles_[i].lane)].push_back(i);
  }
  for (std::size_t li = 0; li < per_lane.size(); ++li) {
    auto& idx = per_lane[li];
    const double dir = town_.lanes[li].direction;
    std::sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
      return dir * vehicles_[a].s_m > dir * vehicles_[b].s_m;
    });
    for (std::size_t k = 0; k < idx.size(); ++k) {
      Vehicle& v = vehicles_[idx[k]];
      double gap = kInf, lead_speed = 0.0;
      if (k > 0) {
        const Vehicle& lead = vehicles_[idx[k - 1]];
        gap = dir * (lead.s_m - v.s_m) - lead.half_extent.x() - v.half_extent.x();
        lead_speed = lead.speed_mps;
      }
      const double stop = stop_line_ahead(v);
      if (stop < gap) {
        gap = stop;
        lead_speed = 0.0;
      }
      const double vel = v.speed_mps;
      double acc = kIdmAccel * (1.0 - std::pow(vel / v.desired_speed_mps, 4.0));
      if (std::isfinite(gap)) {
        const double s_star =
            kIdmMinGap +
            std::max(0.0, vel * kIdmHeadway +
                              vel * (vel - lead_speed) / (2.0 * std::sqrt(kIdmAccel * kIdmBrake)));
        const double g = std::max(gap, 0.1);
        acc -= kIdmAccel * (s_star / g) * (s_star / g);
      }
      acc = std::max(acc, -9.0);
      double nv = std::max(0.0, vel + acc * dt);
      double ds = nv * dt;
      if (std::isfinite(gap) && ds > std::max(0.0, gap - 0.5)) {
        ds = std::max(0.0, gap - 0.5);
        nv = std::min(nv, ds / dt);
      }
      v.speed_mps = nv;
      v.s_m += dir * ds;
      place(v);
    }
  }
  // Remove vehicles that left the town (CAVs stay).
  const double e = town_.extent_m;
  vehicles_.erase(std::remove_if(vehicles_.begin(), vehicles_.end(),
                                 [&](const Vehicle& v) {
                                   if (v.lane < 0 || v.is_cav) return false;
                                   const double dir =
                                       town_.lanes[static_cast<std::size_t>(v.lane)].direction;
                                   return dir * v.s_m > e + v.half_extent.x();
                                 }),
                  vehicles_.end());
  spawn_at_entries(dt);
}

void Traffic::spawn_at_entries(double dt) {
  const double e = town_.extent_m;
  for (std::size_t li = 0; li < town_.lanes.size(); ++li) {
    const double dir = town_.lanes[li].direction;
    const double rate = config_.moving_per_lane_km / 1000.0 * 0.5 *
                        (config_.speed_min_mps + config_.speed_max_mps);  // vehicles / s
    if (!rng_.bernoulli(rate * dt)) continue;
    add_moving(static_cast<int>(li), -dir * (e - 4.0), sample_class(false), false);
  }
}

}  // namespace concord::sim
