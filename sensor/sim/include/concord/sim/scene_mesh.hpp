// Mesh building: turns the town, vehicles and RSU masts into triangle meshes
// for the ray caster.
#pragma once

#include "concord/sim/mesh.hpp"
#include "concord/sim/pose.hpp"
#include "concord/sim/town.hpp"
#include "concord/sim/traffic.hpp"

#include <cstdint>
#include <vector>

namespace concord::sim {

/// Static geometry of `town` as one mesh (kind kStatic): asphalt ground plane
/// (z = 0, extends 200 m beyond the town), raised blocks (z = 0.15) with
/// sidewalk rings and grass, lane markings (z = 0.02: yellow double centre
/// line, dashed white lane dividers, white edge and stop lines), buildings
/// and walls (boxes). Material ids per triangle (material.hpp).
TriangleMesh build_static_mesh(const Town& town);

/// Mesh of vehicle `v` (kind kVehicle, object_id = v.id), inside its box
/// (x,y centre, z from 0 to 2*half height, heading yaw). Cars and vans: a
/// lower body (full length and width, 55 % / 60 % of the height) plus a
/// cabin (car: 55 % of the length, 90 % of the width, window material on
/// top part) ; trucks: cab + cargo box; buses: one box with a window band.
TriangleMesh build_vehicle_mesh(const Vehicle& v);

/// RSU mast (kind kMast, object_id = agent_id): a 0.3 m square pole from the
/// ground to `height_m` at (x, y) of `base` plus a 0.6 m sensor head.
TriangleMesh build_mast_mesh(const Pose& base, double height_m, int agent_id);

/// Meshes of one frame in geometry-id order: [0] static, then masts, then
/// vehicles. geom_id(kind, id) maps an object back to its geometry id.
struct FrameMeshes {
  const TriangleMesh* static_mesh = nullptr;  ///< not owned
  std::vector<TriangleMesh> dynamic;          ///< masts and vehicles

  /// Pointers for RayCaster::set_scene (static first).
  std::vector<const TriangleMesh*> pointers() const;
  /// Geometry id of the object (kVehicle: vehicle id, kMast: agent id), or
  /// kNoHit-like 0xFFFFFFFF when absent.
  std::uint32_t geom_id(GeometryKind kind, std::int64_t object_id) const;
  /// Mesh of geometry `geom_id` (static or dynamic).
  const TriangleMesh& mesh(std::uint32_t geom_id) const;
};

}  // namespace concord::sim
