#include "concord/sim/material.hpp"

namespace concord::sim {

double lidar_reflectivity(Material m) noexcept {
  switch (m) {
    case Material::kAsphalt:
      return 0.10;
    case Material::kLaneMarkingWhite:
      return 0.60;
    case Material::kLaneMarkingYellow:
      return 0.50;
    case Material::kSidewalk:
      return 0.25;
    case Material::kGrass:
      return 0.35;
    case Material::kBuilding:
      return 0.30;
    case Material::kWall:
      return 0.35;
    case Material::kVehicleBody:
      return 0.30;
    case Material::kVehicleWindow:
      return 0.05;
    case Material::kMast:
      return 0.40;
    case Material::kCount:
      break;
  }
  return 0.0;
}

Rgb8 default_albedo(Material m) noexcept {
  switch (m) {
    case Material::kAsphalt:
      return {70, 70, 74};
    case Material::kLaneMarkingWhite:
      return {225, 225, 220};
    case Material::kLaneMarkingYellow:
      return {220, 180, 40};
    case Material::kSidewalk:
      return {160, 155, 150};
    case Material::kGrass:
      return {80, 125, 60};
    case Material::kBuilding:
      return {170, 150, 130};
    case Material::kWall:
      return {140, 120, 105};
    case Material::kVehicleBody:
      return {150, 20, 20};
    case Material::kVehicleWindow:
      return {30, 40, 55};
    case Material::kMast:
      return {120, 120, 125};
    case Material::kCount:
      break;
  }
  return {0, 0, 0};
}

const char* to_string(Material m) noexcept {
  switch (m) {
    case Material::kAsphalt:
      return "asphalt";
    case Material::kLaneMarkingWhite:
      return "lane_marking_white";
    case Material::kLaneMarkingYellow:
      return "lane_marking_yellow";
    case Material::kSidewalk:
      return "sidewalk";
    case Material::kGrass:
      return "grass";
    case Material::kBuilding:
      return "building";
    case Material::kWall:
      return "wall";
    case Material::kVehicleBody:
      return "vehicle_body";
    case Material::kVehicleWindow:
      return "vehicle_window";
    case Material::kMast:
      return "mast";
    case Material::kCount:
      break;
  }
  return "unknown";
}

}  // namespace concord::sim
