// Surface materials: LiDAR reflectivity and camera albedo per material id.
#pragma once

#include <array>
#include <cstdint>

namespace concord::sim {

/// Material id stored per triangle; a ray hit reports it through the mesh.
enum class Material : std::uint8_t {
  kAsphalt = 0,
  kLaneMarkingWhite,
  kLaneMarkingYellow,
  kSidewalk,
  kGrass,
  kBuilding,
  kWall,
  kVehicleBody,
  kVehicleWindow,
  kMast,
  kCount
};

/// 8-bit sRGB colour.
using Rgb8 = std::array<std::uint8_t, 3>;

/// Diffuse LiDAR reflectivity in [0, 1] at 905 nm for `m` (typical values:
/// asphalt ~0.1, white road paint ~0.6, car paint ~0.3, glass ~0.05). Used as
/// intensity = reflectivity * cos(incidence) * exp(-0.004 * range_m) (CARLA's
/// LiDAR intensity model, atmosphere_attenuation_rate 0.004 1/m).
double lidar_reflectivity(Material m) noexcept;

/// Default camera albedo (sRGB) of `m`; buildings and vehicles override it
/// with their own colour per triangle.
Rgb8 default_albedo(Material m) noexcept;

/// Short lowercase name ("asphalt", "vehicle_body", ...).
const char* to_string(Material m) noexcept;

}  // namespace concord::sim
