// data_protocol.yaml: one per scenario, describing what a scenario folder holds.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>
#include "concord/formats/error.hpp"

namespace concord::formats {

/// Concord's `{scenario}/data_protocol.yaml` (OPV2V keeps one file of this name
/// per scenario; sheet §1.1 Layout). Real OPV2V files hold OpenCDA's full
/// simulation config instead; read_data_protocol then fills only the keys it
/// finds (all optional) and keeps the defaults for the rest. Keys (YAML name = field):
///  - dataset: data set family, e.g. "OPV2V", "OPV2V-H", "concord-sim"
///  - version: integer schema version of this file (1)
///  - town: CARLA town / map name ("" if unknown)
///  - frame_rate_hz: sensor frame rate (Hz; OPV2V 10)
///  - lidar_beams: beam counts with a point cloud per frame (64 -> {ts}.pcd,
///    32 -> {ts}_32.pcd, 16 -> {ts}_16.pcd)
///  - lidar_range_m: LiDAR maximum range (m)
///  - num_cameras: RGB cameras per agent ({ts}_camera{0..n-1}.png)
///  - image_width, image_height: camera image size (px; OPV2V 800 x 600)
///  - has_depth: whether {ts}_depth{i}.png exist
///  - depth_encoding: name of a DepthEncoding (depth_png.hpp), e.g. "concord_u16"
///  - seed: simulator seed (0 when unknown)
struct DataProtocol {
  std::string dataset = "OPV2V";
  int version = 1;
  std::string town;
  double frame_rate_hz = 10.0;
  std::vector<int> lidar_beams{64};
  double lidar_range_m = 120.0;
  int num_cameras = 4;
  int image_width = 800;
  int image_height = 600;
  bool has_depth = false;
  std::string depth_encoding = "concord_u16";
  std::uint64_t seed = 0;

  bool operator==(const DataProtocol& o) const;
};

/// Parses data_protocol YAML text (unknown keys ignored). Throws FormatError
/// naming `source` on a YAML syntax error or a key of the wrong type.
DataProtocol parse_data_protocol(const std::string& text, const std::string& source);

/// Reads `path`; see parse_data_protocol. Throws FormatError.
DataProtocol read_data_protocol(const std::filesystem::path& path);

/// Emits the YAML (all keys, doubles with 17 significant digits).
std::string emit_data_protocol(const DataProtocol& p);

/// Writes emit_data_protocol(p) to `path`. Throws FormatError on I/O failure.
void write_data_protocol(const std::filesystem::path& path, const DataProtocol& p);

}  // namespace concord::formats
