// Triangle meshes for the ray caster: boxes and horizontal quads with a
// material and colour per triangle.
#pragma once

#include "concord/sim/material.hpp"

#include <Eigen/Core>

#include <array>
#include <cstdint>
#include <vector>

namespace concord::sim {

/// What a geometry (one Embree geometry = one TriangleMesh) represents.
enum class GeometryKind : std::uint8_t { kStatic, kVehicle, kMast };

/// An indexed triangle mesh in world coordinates (metres). Per-triangle
/// `materials` and `albedo` have triangles.size() entries. `kind` and
/// `object_id` (vehicle id for kVehicle, agent id for kMast, -1 otherwise)
/// let a ray hit name the object it struck.
struct TriangleMesh {
  std::vector<Eigen::Vector3f> vertices;
  std::vector<std::array<std::uint32_t, 3>> triangles;
  std::vector<Material> materials;
  std::vector<Rgb8> albedo;
  GeometryKind kind = GeometryKind::kStatic;
  std::int64_t object_id = -1;

  /// Number of triangles.
  std::size_t size() const { return triangles.size(); }
  /// Appends `other`'s triangles (kind/object_id of *this are kept).
  void append(const TriangleMesh& other);
};

/// Appends a closed box (12 triangles, outward winding) to `mesh`.
/// `center`: box centre (world, m); `half_extent`: half length (along the
/// heading), half width, half height (m); `yaw_deg`: heading, x towards y
/// (CARLA convention). Colour `albedo` for all faces.
void add_box(TriangleMesh& mesh, const Eigen::Vector3d& center, const Eigen::Vector3d& half_extent,
             double yaw_deg, Material material, const Rgb8& albedo);

/// Appends an axis-aligned box [min, max] (world, m): add_box with yaw 0.
void add_aabb(TriangleMesh& mesh, const Eigen::Vector3d& min, const Eigen::Vector3d& max,
              Material material, const Rgb8& albedo);

/// Appends an upward-facing horizontal rectangle (2 triangles) at height `z`
/// (m) centred on (cx, cy) with half sizes (hx along the heading, hy across)
/// and heading `yaw_deg`.
void add_quad(TriangleMesh& mesh, double cx, double cy, double z, double hx, double hy,
              double yaw_deg, Material material, const Rgb8& albedo);

}  // namespace concord::sim
