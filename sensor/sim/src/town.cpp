#include "concord/sim/town.hpp"

#include <algorithm>
#include <cmath>

namespace concord::sim {
namespace {

constexpr std::array<Rgb8, 8> kBuildingPalette = {{
    {176, 160, 136},  // sandstone
    {150, 80, 60},    // brick
    {140, 140, 145},  // concrete
    {205, 200, 190},  // white render
    {110, 130, 150},  // blue glass
    {120, 95, 75},    // brown
    {185, 175, 120},  // ochre
    {95, 100, 105},   // dark concrete
}};

Rgb8 tint(const Rgb8& c, Rng& rng) {
  Rgb8 out;
  const double f = rng.uniform(0.85, 1.1);
  for (std::size_t i = 0; i < 3; ++i) {
    out[i] = static_cast<std::uint8_t>(std::clamp(c[i] * f, 0.0, 255.0));
  }
  return out;
}

// Asphalt span [lo, hi] across the road in its perpendicular coordinate.
std::pair<double, double> road_span(const Road& r) {
  return {r.offset_m - r.half_width(-1), r.offset_m + r.half_width(+1)};
}

void add_lots(Town& town, const Block& block, const TownConfig& cfg, Rng& rng) {
  const double setback = rng.uniform(1.0, 3.0);
  Eigen::Vector2d lo = block.min + Eigen::Vector2d::Constant(block.sidewalk_m + setback);
  Eigen::Vector2d hi = block.max - Eigen::Vector2d::Constant(block.sidewalk_m + setback);
  if (hi.x() - lo.x() < 6.0 || hi.y() - lo.y() < 6.0) return;
  const int long_axis = (hi.x() - lo.x()) >= (hi.y() - lo.y()) ? 0 : 1;
  const int short_axis = 1 - long_axis;
  const double short_len = hi[short_axis] - lo[short_axis];
  const int rows = short_len > 40.0 ? 2 : 1;
  for (int row = 0; row < rows; ++row) {
    const double r0 = lo[short_axis] + short_len * row / rows;
    const double r1 = lo[short_axis] + short_len * (row + 1) / rows;
    double a = lo[long_axis];
    while (a < hi[long_axis] - 1e-6) {
      double len = rng.uniform(14.0, 30.0);
      if (hi[long_axis] - (a + len) < 8.0) len = hi[long_axis] - a;
      Eigen::Vector2d lot_min, lot_max;
      lot_min[long_axis] = a;
      lot_max[long_axis] = a + len;
      lot_min[short_axis] = r0;
      lot_max[short_axis] = r1;
      a += len;
      const double u = rng.uniform();
      if (u < cfg.building_probability) {
        StaticBox b;
        const double gap = rng.uniform(0.5, 2.5);
        b.min = lot_min + Eigen::Vector2d::Constant(gap);
        b.max = lot_max - Eigen::Vector2d::Constant(gap);
        if ((b.max - b.min).minCoeff() < 3.0) continue;
        b.height_m = rng.uniform(cfg.building_height_min_m, cfg.building_height_max_m);
        b.material = Material::kBuilding;
        b.albedo = tint(kBuildingPalette[static_cast<std::size_t>(rng.uniform_int(0, 7))], rng);
        town.buildings.push_back(b);
      } else if (rng.uniform() < cfg.wall_probability) {
        const double h = rng.uniform(cfg.wall_height_min_m, cfg.wall_height_max_m);
        const Rgb8 col = tint(default_albedo(Material::kWall), rng);
        const double t = 0.3;
        const Eigen::Vector2d m0 = lot_min + Eigen::Vector2d::Constant(0.2);
        const Eigen::Vector2d m1 = lot_max - Eigen::Vector2d::Constant(0.2);
        const std::array<std::pair<Eigen::Vector2d, Eigen::Vector2d>, 4> sides = {{
            {{m0.x(), m0.y()}, {m1.x(), m0.y() + t}},
            {{m0.x(), m1.y() - t}, {m1.x(), m1.y()}},
            {{m0.x(), m0.y() + t}, {m0.x() + t, m1.y() - t}},
            {{m1.x() - t, m0.y() + t}, {m1.x(), m1.y() - t}},
        }};
        for (const auto& [smin, smax] : sides) {
          town.buildings.push_back(StaticBox{smin, smax, h, Material::kWall, col});
        }
      }
    }
  }
}

}  // namespace

double Road::half_width(int sign) const {
  const bool parking = sign > 0 ? parking_pos : parking_neg;
  return lanes_half_width() + (parking ? parking_width_m : 0.0);
}

Eigen::Vector2d Town::road_point(int road, double s, double lateral) const {
  const Road& r = roads[static_cast<std::size_t>(road)];
  return r.axis == RoadAxis::kX ? Eigen::Vector2d(s, r.offset_m + lateral)
                                : Eigen::Vector2d(r.offset_m + lateral, s);
}

Eigen::Vector2d Town::lane_point(const Lane& lane, double s) const {
  return road_point(lane.road, s, lane.lateral_m);
}

std::vector<std::pair<double, double>> Town::crossing_spans(int road) const {
  std::vector<std::pair<double, double>> spans;
  const Road& r = roads[static_cast<std::size_t>(road)];
  for (const Intersection& in : intersections) {
    if (r.axis == RoadAxis::kX && in.road_x == road)
      spans.emplace_back(in.cx - in.half_x, in.cx + in.half_x);
    if (r.axis == RoadAxis::kY && in.road_y == road)
      spans.emplace_back(in.cy - in.half_y, in.cy + in.half_y);
  }
  std::sort(spans.begin(), spans.end());
  return spans;
}

Town generate_town(const TownConfig& cfg, Rng& rng) {
  Town town;
  auto make_offsets = [&](int n) {
    std::vector<double> p(static_cast<std::size_t>(n), 0.0);
    for (std::size_t k = 1; k < p.size(); ++k)
      p[k] = p[k - 1] + rng.uniform(cfg.block_min_m, cfg.block_max_m);
    const double mid = 0.5 * (p.front() + p.back());
    for (double& v : p) v -= mid;
    return p;
  };
  const std::vector<double> ys = make_offsets(cfg.roads_x);
  const std::vector<double> xs = make_offsets(cfg.roads_y);
  double max_off = 0.0;
  for (double v : ys) max_off = std::max(max_off, std::abs(v));
  for (double v : xs) max_off = std::max(max_off, std::abs(v));
  town.extent_m = max_off + cfg.block_max_m;

  auto add_road = [&](RoadAxis axis, double offset) {
    Road r;
    r.axis = axis;
    r.offset_m = offset;
    r.lanes_per_direction =
        rng.uniform_int(cfg.lanes_per_direction_min, cfg.lanes_per_direction_max);
    r.lane_width_m = cfg.lane_width_m;
    r.parking_width_m = cfg.parking_width_m;
    r.parking_pos = rng.bernoulli(cfg.parking_probability);
    r.parking_neg = rng.bernoulli(cfg.parking_probability);
    town.roads.push_back(r);
  };
  for (double y : ys) add_road(RoadAxis::kX, y);
  for (double x : xs) add_road(RoadAxis::kY, x);

  for (std::size_t ri = 0; ri < town.roads.size(); ++ri) {
    const Road& r = town.roads[ri];
    for (int dir : {+1, -1}) {
      for (int k = 0; k < r.lanes_per_direction; ++k) {
        Lane l;
        l.road = static_cast<int>(ri);
        l.direction = dir;
        l.index = k;
        const double off = (k + 0.5) * r.lane_width_m;
        if (r.axis == RoadAxis::kX) {
          l.lateral_m = dir > 0 ? off : -off;  // right of +x is +y
          l.yaw_deg = dir > 0 ? 0.0 : 180.0;
        } else {
          l.lateral_m = dir > 0 ? -off : off;  // right of +y is -x
          l.yaw_deg = dir > 0 ? 90.0 : -90.0;
        }
        town.lanes.push_back(l);
      }
    }
  }

  const int nx = cfg.roads_x;
  for (int i = 0; i < nx; ++i) {
    for (int j = 0; j < cfg.roads_y; ++j) {
      const Road& rx = town.roads[static_cast<std::size_t>(i)];
      const Road& ry = town.roads[static_cast<std::size_t>(nx + j)];
      Intersection in;
      in.road_x = i;
      in.road_y = nx + j;
      const auto [x0, x1] = road_span(ry);
      const auto [y0, y1] = road_span(rx);
      in.cx = 0.5 * (x0 + x1);
      in.cy = 0.5 * (y0 + y1);
      in.half_x = 0.5 * (x1 - x0);
      in.half_y = 0.5 * (y1 - y0);
      town.intersections.push_back(in);
    }
  }

  // Blocks: products of the free intervals between road asphalt spans.
  auto free_intervals = [&](RoadAxis axis) {
    std::vector<std::pair<double, double>> spans;
    for (const Road& r : town.roads) {
      if (r.axis == axis) spans.push_back(road_span(r));
    }
    std::sort(spans.begin(), spans.end());
    std::vector<std::pair<double, double>> out;
    double cur = -town.extent_m;
    for (const auto& s : spans) {
      if (s.first > cur) out.emplace_back(cur, s.first);
      cur = std::max(cur, s.second);
    }
    if (cur < town.extent_m) out.emplace_back(cur, town.extent_m);
    return out;
  };
  const auto bx = free_intervals(RoadAxis::kY);  // x-intervals between y-roads
  const auto by = free_intervals(RoadAxis::kX);
  for (const auto& ix : bx) {
    for (const auto& iy : by) {
      Block b;
      b.min = {ix.first, iy.first};
      b.max = {ix.second, iy.second};
      b.sidewalk_m = cfg.sidewalk_width_m;
      town.blocks.push_back(b);
      add_lots(town, b, cfg, rng);
    }
  }
  return town;
}

}  // namespace concord::sim
