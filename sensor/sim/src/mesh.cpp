#include "concord/sim/mesh.hpp"

#include "concord/sim/pose.hpp"

#include <cmath>

namespace concord::sim {

void TriangleMesh::append(const TriangleMesh& other) {
  const auto base = static_cast<std::uint32_t>(vertices.size());
  vertices.insert(vertices.end(), other.vertices.begin(), other.vertices.end());
  for (const auto& t : other.triangles)
    triangles.push_back({t[0] + base, t[1] + base, t[2] + base});
  materials.insert(materials.end(), other.materials.begin(), other.materials.end());
  albedo.insert(albedo.end(), other.albedo.begin(), other.albedo.end());
}

void add_box(TriangleMesh& mesh, const Eigen::Vector3d& center, const Eigen::Vector3d& half_extent,
             double yaw_deg, Material material, const Rgb8& albedo) {
  const double c = std::cos(deg2rad(yaw_deg)), s = std::sin(deg2rad(yaw_deg));
  const auto base = static_cast<std::uint32_t>(mesh.vertices.size());
  // Corner k: bit0 -> +x, bit1 -> +y, bit2 -> +z (local frame).
  for (int k = 0; k < 8; ++k) {
    const double lx = (k & 1) ? half_extent.x() : -half_extent.x();
    const double ly = (k & 2) ? half_extent.y() : -half_extent.y();
    const double lz = (k & 4) ? half_extent.z() : -half_extent.z();
    mesh.vertices.emplace_back(static_cast<float>(center.x() + c * lx - s * ly),
                               static_cast<float>(center.y() + s * lx + c * ly),
                               static_cast<float>(center.z() + lz));
  }
  // Faces as quads (a, b, c, d), split into (a, b, c) and (a, c, d). The
  // winding only matters for Embree's geometric normal, which the ray caster
  // re-orients towards the ray anyway.
  static constexpr std::array<std::array<std::uint32_t, 4>, 6> kFaces = {{
      {0, 2, 3, 1},  // -z
      {4, 5, 7, 6},  // +z
      {0, 1, 5, 4},  // -y
      {2, 6, 7, 3},  // +y
      {0, 4, 6, 2},  // -x
      {1, 3, 7, 5},  // +x
  }};
  for (const auto& f : kFaces) {
    mesh.triangles.push_back({base + f[0], base + f[1], base + f[2]});
    mesh.triangles.push_back({base + f[0], base + f[2], base + f[3]});
    for (int i = 0; i < 2; ++i) {
      mesh.materials.push_back(material);
      mesh.albedo.push_back(albedo);
    }
  }
}

void add_aabb(TriangleMesh& mesh, const Eigen::Vector3d& min, const Eigen::Vector3d& max,
              Material material, const Rgb8& albedo) {
  add_box(mesh, 0.5 * (min + max), 0.5 * (max - min), 0.0, material, albedo);
}

void add_quad(TriangleMesh& mesh, double cx, double cy, double z, double hx, double hy,
              double yaw_deg, Material material, const Rgb8& albedo) {
  const double c = std::cos(deg2rad(yaw_deg)), s = std::sin(deg2rad(yaw_deg));
  const auto base = static_cast<std::uint32_t>(mesh.vertices.size());
  static constexpr std::array<std::array<double, 2>, 4> kCorners = {
      {{-1, -1}, {1, -1}, {1, 1}, {-1, 1}}};
  for (const auto& k : kCorners) {
    const double lx = k[0] * hx, ly = k[1] * hy;
    mesh.vertices.emplace_back(static_cast<float>(cx + c * lx - s * ly),
                               static_cast<float>(cy + s * lx + c * ly), static_cast<float>(z));
  }
  mesh.triangles.push_back({base, base + 1, base + 2});
  mesh.triangles.push_back({base, base + 2, base + 3});
  for (int i = 0; i < 2; ++i) {
    mesh.materials.push_back(material);
    mesh.albedo.push_back(albedo);
  }
}

}  // namespace concord::sim
