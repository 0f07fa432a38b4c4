// SimConfig: every knob of the simulator, loaded from TOML (configs/sim/*.toml).
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace concord::sim {

/// A simulator config is malformed: unknown key, wrong type, out-of-range
/// value. what() is one line starting with "file:line:column:" when the
/// position is known.
class SimConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Supported spinning LiDAR models (vertical angle tables in lidar.hpp).
enum class LidarModel { kHDL64E, kHDL32E, kVLP16 };

/// PCD DATA encoding of written point clouds.
enum class PcdEncoding { kAscii, kBinary, kBinaryCompressed };

/// Dataset size: scenarios per split (split by scenario, as OPV2V).
struct SplitsConfig {
  int train_scenarios = 8;
  int validate_scenarios = 2;
  int test_scenarios = 2;
};

/// Per-scenario agents and timing.
struct ScenarioConfig {
  int frames = 20;              ///< frames per scenario
  double frame_period_s = 0.1;  ///< 10 Hz, as OPV2V
  int first_timestamp = 68;     ///< file name of the first frame (06d)
  int timestamp_step = 2;       ///< OPV2V names every 2nd CARLA tick
  int cavs_min = 2;             ///< CAVs per scenario, 2..5
  int cavs_max = 5;
  double cav_spread_m = 40.0;         ///< max CAV distance from the scenario centre
  double comm_range_m = 70.0;         ///< all agents pairwise within this (2-D)
  double rsu_probability = 0.35;      ///< chance of a roadside unit (id -1)
  double rsu_mast_height_m = 5.0;     ///< RSU LiDAR/camera height above ground
  double lidar_mount_height_m = 1.9;  ///< CAV LiDAR height above ground
  double gps_noise_stddev_m = 0.2;    ///< noise of predicted_ego_pos x/y
};

/// Procedural town: a Manhattan grid of straight multi-lane roads.
struct TownConfig {
  int roads_x = 3;            ///< roads running along world x
  int roads_y = 3;            ///< roads running along world y
  double block_min_m = 55.0;  ///< road spacing range
  double block_max_m = 80.0;
  int lanes_per_direction_min = 1;
  int lanes_per_direction_max = 2;
  double lane_width_m = 3.5;
  double sidewalk_width_m = 3.0;
  double parking_probability = 0.6;  ///< chance a road side has a parking strip
  double parking_width_m = 2.4;
  double building_probability = 0.75;  ///< chance a lot holds a building
  double building_height_min_m = 6.0;
  double building_height_max_m = 30.0;
  double wall_probability = 0.35;  ///< chance an open lot is fenced by a wall
  double wall_height_min_m = 1.8;
  double wall_height_max_m = 3.0;
};

/// Vehicles: densities, speeds and the size-class mix.
struct TrafficConfig {
  double moving_per_lane_km = 30.0;   ///< moving vehicles per lane-km
  double parked_per_strip_km = 70.0;  ///< parked vehicles per parking-strip km
  double speed_min_mps = 6.0;         ///< desired speed range (m/s)
  double speed_max_mps = 13.0;
  double weight_car = 0.70;  ///< class mix (normalised)
  double weight_van = 0.15;
  double weight_truck = 0.08;
  double weight_bus = 0.07;
};

/// One spinning LiDAR.
struct LidarConfig {
  bool enabled = true;
  LidarModel model = LidarModel::kHDL64E;
  double rotation_rate_hz = 10.0;          ///< revolutions per second
  double horizontal_resolution_deg = 0.4;  ///< azimuth step
  double min_range_m = 1.0;
  double max_range_m = 70.0;
  double range_noise_stddev_m = 0.02;  ///< Gaussian range noise
  double dropout_probability = 0.05;   ///< random point loss
  bool motion_skew = true;             ///< model ego motion during the sweep
};

/// The four pinhole cameras of each agent.
struct CameraConfig {
  int width_px = 200;
  int height_px = 150;
  double hfov_deg = 100.0;    ///< OPV2V: fx = 335.64 at 800 px
  double noise_stddev = 2.0;  ///< Gaussian pixel noise, 8-bit levels
  bool shadows = true;        ///< cast shadow rays towards the sun
};

/// Camera-visibility map (bev_visibility.png).
struct VisibilityConfig {
  int size_px = 256;
  double resolution_m = 0.39;
  int min_pixels = 4;  ///< camera pixels for a vehicle to count as visible
};

/// Complete simulator configuration. Defaults = configs/sim/default.toml.
struct SimConfig {
  std::uint64_t seed = 20240601;
  int threads = 0;  ///< ray-casting threads, 0 = all cores
  PcdEncoding pcd_encoding = PcdEncoding::kBinary;
  SplitsConfig splits;
  ScenarioConfig scenario;
  TownConfig town;
  TrafficConfig traffic;
  LidarConfig lidar64{true, LidarModel::kHDL64E};
  LidarConfig lidar32{true, LidarModel::kHDL32E};
  LidarConfig lidar16{true, LidarModel::kVLP16};
  CameraConfig camera;
  VisibilityConfig visibility;
};

/// Parses TOML text. `source` names the file in errors. Every key is
/// optional (defaults above); unknown keys, wrong types and invalid values
/// throw SimConfigError with "source:line:column: ...".
SimConfig parse_sim_config(std::string_view toml_text, const std::string& source = "<string>");

/// Reads and parses a TOML file (see parse_sim_config). Throws
/// SimConfigError when the file cannot be read or is invalid.
SimConfig load_sim_config(const std::filesystem::path& path);

/// Checks value ranges (cavs 2..5, positive sizes, probabilities in [0, 1],
/// ...). Throws SimConfigError naming `source` and the offending key.
void validate(const SimConfig& config, const std::string& source = "<config>");

/// Lower-case name of a model as used in TOML ("hdl64e", "hdl32e", "vlp16").
const char* to_string(LidarModel model) noexcept;

}  // namespace concord::sim
