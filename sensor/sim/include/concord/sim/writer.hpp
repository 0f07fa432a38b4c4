// Dataset writer: OPV2V / OPV2V-H on-disk layout of one agent-frame and of a
// scenario, using concord_formats for PCD, YAML and PNG.
#pragma once

#include "concord/sim/camera.hpp"
#include "concord/sim/config.hpp"
#include "concord/sim/lidar.hpp"

#include "concord/formats/data_protocol.hpp"
#include "concord/formats/opv2v_yaml.hpp"

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace concord::sim {

/// Everything recorded for one agent at one frame (sensor frames: LiDAR points
/// in the LiDAR frame, images in pixel rows).
struct AgentFrameData {
  int agent_id = 0;
  formats::AgentFrameMeta meta;          ///< the {ts}.yaml contents
  std::optional<LidarScan> lidar64;      ///< {ts}.pcd
  std::optional<LidarScan> lidar32;      ///< {ts}_32.pcd
  std::optional<LidarScan> lidar16;      ///< {ts}_16.pcd
  std::array<CameraImage, 4> cameras;    ///< {ts}_camera{i}.png, {ts}_depth{i}.png
  std::vector<std::uint8_t> visibility;  ///< {ts}_bev_visibility.png, size x size gray
  int visibility_size = 256;
};

/// OPV2V-style scenario folder name "YYYY_MM_DD_hh_mm_ss" derived only from
/// (seed, index): 2021-08-16 00:00:00 + index * 5 h + (derive_seed % 3600) s,
/// so names are unique per index and sort in index order. Never throws.
std::string scenario_folder_name(std::uint64_t seed, int index);

/// File-name timestamp of frame `frame` (0-based): first_timestamp +
/// frame * timestamp_step, zero-padded to 6 digits (OPV2V names every second
/// CARLA tick, e.g. 000068, 000070, ...).
std::string timestamp_name(int frame, const ScenarioConfig& config);

/// data_protocol.yaml contents for a scenario simulated with `config` and
/// scenario seed `seed` (dataset "concord-sim", depth_encoding "opv2v_h_u8").
formats::DataProtocol make_data_protocol(const SimConfig& config, std::uint64_t seed);

/// Writes one agent-frame into `agent_dir` ({split}/{scenario}/{agent id}/,
/// created if missing): {ts}.yaml, {ts}.pcd (64-beam), {ts}_32.pcd,
/// {ts}_16.pcd (each when present; fields x y z intensity, float32),
/// {ts}_camera{0..3}.png (8-bit RGB), {ts}_depth{0..3}.png (8-bit gray,
/// metres, sky = 255; formats::DepthEncoding::kOpv2vHU8) and
/// {ts}_bev_visibility.png (8-bit gray). Throws formats::FormatError or
/// std::filesystem::filesystem_error on I/O failure.
void write_agent_frame(const std::filesystem::path& agent_dir, const std::string& ts,
                       const AgentFrameData& data, PcdEncoding encoding);

}  // namespace concord::sim
