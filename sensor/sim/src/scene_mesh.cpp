#include "concord/sim/scene_mesh.hpp"

#include "concord/sim/raycaster.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace concord::sim {
namespace {

constexpr double kMarkZ = 0.02;
constexpr double kLineHalfWidth = 0.06;

// Adds a marking strip along road `ri` from s0 to s1 at perpendicular `lateral`.
void add_strip(TriangleMesh& m, const Town& town, int ri, double s0, double s1, double lateral,
               double half_width, Material mat) {
  if (s1 - s0 < 0.05) return;
  const Road& r = town.roads[static_cast<std::size_t>(ri)];
  const Eigen::Vector2d c = town.road_point(ri, 0.5 * (s0 + s1), lateral);
  const double yaw = r.axis == RoadAxis::kX ? 0.0 : 90.0;
  add_quad(m, c.x(), c.y(), kMarkZ, 0.5 * (s1 - s0), half_width, yaw, mat, default_albedo(mat));
}

void add_markings(TriangleMesh& m, const Town& town, int ri) {
  const Road& r = town.roads[static_cast<std::size_t>(ri)];
  const double e = town.extent_m;
  std::vector<std::pair<double, double>> free;
  double cur = -e;
  for (const auto& [a, b] : town.crossing_spans(ri)) {
    if (a > cur) free.emplace_back(cur, a);
    cur = std::max(cur, b);
  }
  if (cur < e) free.emplace_back(cur, e);
  const double lw = r.lane_width_m;
  const int n = r.lanes_per_direction;
  for (const auto& [s0, s1] : free) {
    for (double sgn : {+1.0, -1.0}) {
      add_strip(m, town, ri, s0, s1, sgn * 0.15, kLineHalfWidth, Material::kLaneMarkingYellow);
      add_strip(m, town, ri, s0, s1, sgn * n * lw, kLineHalfWidth, Material::kLaneMarkingWhite);
      for (int k = 1; k < n; ++k) {
        for (double d = s0 + 1.0; d + 3.0 < s1; d += 9.0) {
          add_strip(m, town, ri, d, d + 3.0, sgn * k * lw, kLineHalfWidth,
                    Material::kLaneMarkingWhite);
        }
      }
    }
  }
  // Stop bars 2 m before every crossing, across the approaching lanes.
  for (const auto& [a, b] : town.crossing_spans(ri)) {
    for (const Lane& lane : town.lanes) {
      if (lane.road != ri) continue;
      const double s = lane.direction > 0 ? a - 2.0 + 0.2 : b + 2.0 - 0.2;
      const double half_w = 0.5 * lw - 0.1;
      add_strip(m, town, ri, s - 0.2, s + 0.2, lane.lateral_m, half_w, Material::kLaneMarkingWhite);
    }
  }
}

// Box given in the vehicle frame (x forward, y right, z up from the ground).
void local_box(TriangleMesh& m, const Vehicle& v, const Eigen::Vector3d& center,
               const Eigen::Vector3d& half, Material mat, const Rgb8& col) {
  const double c = std::cos(deg2rad(v.yaw_deg)), s = std::sin(deg2rad(v.yaw_deg));
  add_box(m,
          Eigen::Vector3d(v.x + c * center.x() - s * center.y(),
                          v.y + s * center.x() + c * center.y(), center.z()),
          half, v.yaw_deg, mat, col);
}

// Local box [x0, x1] x [-y_half, y_half] x [z0, z1].
void part(TriangleMesh& m, const Vehicle& v, double x0, double x1, double y_half, double z0,
          double z1, Material mat, const Rgb8& col) {
  local_box(m, v, Eigen::Vector3d(0.5 * (x0 + x1), 0.0, 0.5 * (z0 + z1)),
            Eigen::Vector3d(0.5 * (x1 - x0), y_half, 0.5 * (z1 - z0)), mat, col);
}

}  // namespace

TriangleMesh build_static_mesh(const Town& town) {
  TriangleMesh m;
  m.kind = GeometryKind::kStatic;
  const double g = town.extent_m + 200.0;
  add_quad(m, 0.0, 0.0, 0.0, g, g, 0.0, Material::kAsphalt, default_albedo(Material::kAsphalt));
  for (const Block& b : town.blocks) {
    add_aabb(m, Eigen::Vector3d(b.min.x(), b.min.y(), 0.0),
             Eigen::Vector3d(b.max.x(), b.max.y(), kCurbHeightM), Material::kSidewalk,
             default_albedo(Material::kSidewalk));
    const Eigen::Vector2d lo = b.min + Eigen::Vector2d::Constant(b.sidewalk_m);
    const Eigen::Vector2d hi = b.max - Eigen::Vector2d::Constant(b.sidewalk_m);
    if (hi.x() > lo.x() && hi.y() > lo.y()) {
      add_quad(m, 0.5 * (lo.x() + hi.x()), 0.5 * (lo.y() + hi.y()), kCurbHeightM + 0.002,
               0.5 * (hi.x() - lo.x()), 0.5 * (hi.y() - lo.y()), 0.0, Material::kGrass,
               default_albedo(Material::kGrass));
    }
  }
  for (std::size_t ri = 0; ri < town.roads.size(); ++ri)
    add_markings(m, town, static_cast<int>(ri));
  for (const StaticBox& b : town.buildings) {
    add_aabb(m, Eigen::Vector3d(b.min.x(), b.min.y(), 0.0),
             Eigen::Vector3d(b.max.x(), b.max.y(), b.height_m), b.material, b.albedo);
  }
  return m;
}

TriangleMesh build_vehicle_mesh(const Vehicle& v) {
  TriangleMesh m;
  m.kind = GeometryKind::kVehicle;
  m.object_id = v.id;
  const double hl = v.half_extent.x(), hw = v.half_extent.y(), h = 2.0 * v.half_extent.z();
  const Rgb8 col = v.colour;
  const Rgb8 tyre{22, 22, 24};
  const Rgb8 glass = default_albedo(Material::kVehicleWindow);
  const double clear = 0.12;
  // Wheels (inside the box).
  const double r = std::min(0.45, 0.22 * h + 0.05);
  const double wx = hl - std::max(0.7, 0.18 * hl);
  for (double sx : {+1.0, -1.0}) {
    for (double sy : {+1.0, -1.0}) {
      local_box(m, v, Eigen::Vector3d(sx * wx, sy * (hw - 0.15), r), Eigen::Vector3d(r, 0.14, r),
                Material::kVehicleBody, tyre);
    }
  }
  switch (v.cls) {
    case VehicleClass::kCar:
      part(m, v, -hl, hl, hw, clear + 0.1, 0.58 * h, Material::kVehicleBody, col);
      part(m, v, -0.62 * hl, 0.42 * hl, 0.9 * hw, 0.58 * h, 0.93 * h, Material::kVehicleWindow,
           glass);
      part(m, v, -0.6 * hl, 0.38 * hl, 0.88 * hw, 0.93 * h, h, Material::kVehicleBody, col);
      break;
    case VehicleClass::kVan:
      part(m, v, -hl, hl, hw, clear + 0.1, 0.55 * h, Material::kVehicleBody, col);
      part(m, v, 0.55 * hl, 0.8 * hl, 0.95 * hw, 0.55 * h, 0.85 * h, Material::kVehicleWindow,
           glass);
      part(m, v, -hl, 0.55 * hl, 0.97 * hw, 0.55 * h, h, Material::kVehicleBody, col);
      break;
    case VehicleClass::kTruck: {
      const double cab = hl - 0.45 * hl;  // cab spans [cab, hl]
      part(m, v, cab, hl, hw, clear + 0.2, 0.55 * h, Material::kVehicleBody, col);
      part(m, v, cab, hl - 0.05, 0.96 * hw, 0.55 * h, 0.78 * h, Material::kVehicleWindow, glass);
      part(m, v, cab, hl, hw, 0.78 * h, 0.85 * h, Material::kVehicleBody, col);
      part(m, v, -hl, cab - 0.3, hw, clear + 0.3, h, Material::kVehicleBody, Rgb8{225, 225, 220});
      break;
    }
    case VehicleClass::kBus:
      part(m, v, -hl, hl, hw, clear + 0.15, 0.5 * h, Material::kVehicleBody, col);
      part(m, v, -hl + 0.05, hl - 0.05, 0.98 * hw, 0.5 * h, 0.85 * h, Material::kVehicleWindow,
           glass);
      part(m, v, -hl, hl, hw, 0.85 * h, h, Material::kVehicleBody, col);
      break;
  }
  return m;
}

TriangleMesh build_mast_mesh(const Pose& base, double height_m, int agent_id) {
  TriangleMesh m;
  m.kind = GeometryKind::kMast;
  m.object_id = agent_id;
  const Rgb8 col = default_albedo(Material::kMast);
  add_box(m, Eigen::Vector3d(base.x, base.y, 0.5 * (height_m - 0.6)),
          Eigen::Vector3d(0.15, 0.15, 0.5 * (height_m - 0.6)), base.yaw, Material::kMast, col);
  add_box(m, Eigen::Vector3d(base.x, base.y, height_m - 0.4), Eigen::Vector3d(0.3, 0.3, 0.2),
          base.yaw, Material::kMast, col);
  return m;
}

std::vector<const TriangleMesh*> FrameMeshes::pointers() const {
  std::vector<const TriangleMesh*> out;
  out.reserve(dynamic.size() + 1);
  out.push_back(static_mesh);
  for (const TriangleMesh& m : dynamic) out.push_back(&m);
  return out;
}

std::uint32_t FrameMeshes::geom_id(GeometryKind kind, std::int64_t object_id) const {
  for (std::size_t i = 0; i < dynamic.size(); ++i) {
    if (dynamic[i].kind == kind && dynamic[i].object_id == object_id) {
      return static_cast<std::uint32_t>(i + 1);
    }
  }
  return kNoHit;
}

const TriangleMesh& FrameMeshes::mesh(std::uint32_t geom_id) const {
  if (geom_id == 0) {
    if (!static_mesh) throw std::out_of_range("FrameMeshes::mesh: no static mesh");
    return *static_mesh;
  }
  return dynamic.at(geom_id - 1);
}

}  // namespace concord::sim
