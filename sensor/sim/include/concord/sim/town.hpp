// Procedural town: a Manhattan grid of straight multi-lane roads with
// intersections, raised sidewalks, buildings and walls.
#pragma once

#include "concord/sim/config.hpp"
#include "concord/sim/material.hpp"
#include "concord/sim/rng.hpp"

#include <Eigen/Core>

#include <vector>

namespace concord::sim {

/// Height of the raised sidewalk / block platform above the road (m).
inline constexpr double kCurbHeightM = 0.15;

/// Direction a road runs in (world frame).
enum class RoadAxis : std::uint8_t { kX, kY };

/// A straight two-way road spanning the whole town. `offset_m` is its
/// centreline's fixed coordinate (world y for kX roads, world x for kY roads).
/// Lanes of direction +1 lie on the right of the +axis heading (CARLA drives
/// on the right; y is right of x). Optional parking strips on either side.
struct Road {
  RoadAxis axis = RoadAxis::kX;
  double offset_m = 0.0;
  int lanes_per_direction = 1;
  double lane_width_m = 3.5;
  double parking_width_m = 0.0;  ///< 0 = no strip on that side
  bool parking_pos = false;      ///< strip on the +perpendicular side
  bool parking_neg = false;      ///< strip on the -perpendicular side

  /// Half width of the driving lanes (m).
  double lanes_half_width() const { return lanes_per_direction * lane_width_m; }
  /// Half width of the asphalt on side `sign` (+1/-1), parking included (m).
  double half_width(int sign) const;
};

/// One driving lane: road index, travel direction along the road axis (+1 or
/// -1), index from the centreline (0 = innermost).
struct Lane {
  int road = 0;
  int direction = 1;
  int index = 0;
  double lateral_m = 0.0;  ///< signed perpendicular coordinate of the lane centre
  double yaw_deg = 0.0;    ///< travel heading (CARLA yaw)
};

/// Crossing of an x-road and a y-road; the asphalt square is
/// [cx - half_x, cx + half_x] x [cy - half_y, cy + half_y] (world, m).
struct Intersection {
  int road_x = 0;  ///< index of the kX road
  int road_y = 0;  ///< index of the kY road
  double cx = 0, cy = 0, half_x = 0, half_y = 0;
};

/// A box-shaped static obstacle (building or wall): axis-aligned footprint
/// [min, max] (world, m) from z = 0 to `height_m`.
struct StaticBox {
  Eigen::Vector2d min = Eigen::Vector2d::Zero();
  Eigen::Vector2d max = Eigen::Vector2d::Zero();
  double height_m = 0.0;
  Material material = Material::kBuilding;
  Rgb8 albedo{0, 0, 0};
};

/// A city block between roads: raised platform [min, max] (world, m) whose
/// outer `sidewalk_m` ring is sidewalk and the inside grass/lots.
struct Block {
  Eigen::Vector2d min = Eigen::Vector2d::Zero();
  Eigen::Vector2d max = Eigen::Vector2d::Zero();
  double sidewalk_m = 3.0;
};

/// The generated town. The square [-extent_m, extent_m]^2 is populated; roads
/// run across all of it.
struct Town {
  double extent_m = 0.0;
  std::vector<Road> roads;
  std::vector<Lane> lanes;
  std::vector<Intersection> intersections;
  std::vector<Block> blocks;
  std::vector<StaticBox> buildings;  ///< buildings and walls

  /// World (x, y) of a point on `lane` at road coordinate `s` (m).
  Eigen::Vector2d lane_point(const Lane& lane, double s) const;
  /// World (x, y) of a point at road coordinate `s` and perpendicular
  /// coordinate `lateral` on road `road`.
  Eigen::Vector2d road_point(int road, double s, double lateral) const;
  /// Intersections on road `road`, as [begin, end] road-coordinate spans,
  /// sorted by begin.
  std::vector<std::pair<double, double>> crossing_spans(int road) const;
};

/// Generates a town from `rng` following `config`: road spacings drawn from
/// [block_min_m, block_max_m], lanes per direction from the configured
/// range, parking strips, blocks with lots holding buildings (heights drawn
/// uniformly) or walled yards. Deterministic for a given rng state.
Town generate_town(const TownConfig& config, Rng& rng);

}  // namespace concord::sim
