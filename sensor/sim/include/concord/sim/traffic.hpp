// Vehicles of size classes car/van/truck/bus, parked or driving along lanes
// with intelligent-driver-model (IDM) spacing and a fixed traffic-light phase.
#pragma once

#include "concord/sim/config.hpp"
#include "concord/sim/material.hpp"
#include "concord/sim/pose.hpp"
#include "concord/sim/rng.hpp"
#include "concord/sim/town.hpp"

#include <Eigen/Core>

#include <cstdint>
#include <vector>

namespace concord::sim {

/// Vehicle size class.
enum class VehicleClass : std::uint8_t { kCar, kVan, kTruck, kBus };

/// Lower-case class name ("car", "van", "truck", "bus").
const char* to_string(VehicleClass c) noexcept;

/// Draws half extents (half length, half width, half height; m) for class
/// `c` from clamped normals: car L 4.5±0.35 W 1.85±0.08 H 1.50±0.08;
/// van L 5.3±0.35 W 2.0±0.08 H 2.2±0.15; truck L 8.0±1.2 W 2.5±0.05
/// H 3.3±0.25; bus L 11.5±0.8 W 2.55±0.03 H 3.1±0.12 (full sizes; typical
/// EU/US registrations, e.g. VW Golf..Ford F-150 for cars, Sprinter-class
/// vans, 2-axle rigid trucks, 12 m city buses).
Eigen::Vector3d sample_half_extent(VehicleClass c, Rng& rng);

/// One vehicle. Position is the centre of its footprint on the ground (z = 0),
/// heading `yaw_deg` (CARLA). Moving vehicles follow lane `lane` at road
/// coordinate `s_m`; parked ones have lane -1.
struct Vehicle {
  std::int64_t id = 0;
  VehicleClass cls = VehicleClass::kCar;
  Eigen::Vector3d half_extent = Eigen::Vector3d(2.25, 0.925, 0.75);  ///< m
  int lane = -1;
  double s_m = 0.0;
  double x = 0.0, y = 0.0, yaw_deg = 0.0;  ///< world, m / deg
  double speed_mps = 0.0;
  double desired_speed_mps = 0.0;
  bool is_cav = false;
  Rgb8 colour{200, 200, 200};

  /// Ground pose (z = 0, roll = pitch = 0) in CARLA convention.
  Pose pose() const { return Pose{x, y, 0.0, 0.0, yaw_deg, 0.0}; }
};

/// All vehicles of a scenario and their kinematics. Roads of `green_axis`
/// have a green light for the whole scenario; the other roads' vehicles stop
/// 2 m before each intersection, which prevents crossing conflicts.
class Traffic {
 public:
  /// Empty traffic on `town` (kept by reference; must outlive *this).
  Traffic(const Town& town, const TrafficConfig& config, RoadAxis green_axis, std::uint64_t seed);

  /// Places a driving vehicle of class `cls` on `lane` at road coordinate
  /// `s_m`; returns its id, or -1 when it would overlap another vehicle
  /// (gap < 2 m) or sit past a red stop line inside an intersection.
  std::int64_t add_moving(int lane, double s_m, VehicleClass cls, bool is_cav);

  /// Fills every lane (density moving_per_lane_km) and parking strip
  /// (parked_per_strip_km) with vehicles, skipping overlaps.
  void populate();

  /// Advances all moving vehicles by `dt_s` seconds with IDM car following
  /// (a_max 1.5 m/s^2, b 2.0 m/s^2, s0 2 m, T 1.2 s; Treiber et al. 2000) and
  /// red stop lines; vehicles leaving the town are removed (never CAVs) and
  /// new ones enter at lane starts.
  void step(double dt_s);

  /// Vehicles in creation order (ids increase).
  const std::vector<Vehicle>& vehicles() const { return vehicles_; }
  /// Vehicle with id `id`, or nullptr.
  const Vehicle* find(std::int64_t id) const;
  /// Axis with the green light.
  RoadAxis green_axis() const { return green_axis_; }

 private:
  VehicleClass sample_class(bool parked);
  Rgb8 sample_colour(VehicleClass c);
  void place(Vehicle& v) const;
  double stop_line_ahead(const Vehicle& v) const;
  bool lane_free(int lane, double s_m, double half_length, std::int64_t ignore_id) const;
  bool inside_red_zone(int lane, double s_m, double half_length) const;
  void spawn_at_entries(double dt_s);

  const Town& town_;
  TrafficConfig config_;
  RoadAxis green_axis_;
  Rng rng_;
  std::int64_t next_id_;
  std::vector<Vehicle> vehicles_;
};

}  // namespace concord::sim
