// Test support: a tiny synthetic DAIR-V2X-C folder written from known poses,
// and the location of the real example data (tests skip without it).
#pragma once

#include "concord/formats/box.hpp"

#include <Eigen/Core>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace concord::test {

/// The real DAIR-V2X-C example folder: $CONCORD_DAIR_ROOT, else
/// ../shared/data/dair-v2x-c-example (relative to the working directory, the
/// repo root under ctest), else the CONCORD_DAIR_DEFAULT_ROOT compile
/// definition. Empty when none is a directory; `tried` lists the candidates.
std::filesystem::path dair_example_root(std::string* tried = nullptr);

/// Encodes a PCD binary_compressed file image with the DAIR vehicle layout
/// (x y z F4, intensity U1, timestamp F8) or, when `timestamps` is empty, the
/// RSU layout (x y z intensity, all F4). `xyzi` is N x 4.
std::string encode_dair_pcd(const Eigen::MatrixXd& xyzi, const std::vector<double>& timestamps);

/// What write_tiny_dair() wrote.
struct TinyDair {
  std::filesystem::path root;
  Eigen::Matrix4d vehicle_lidar_to_world;  ///< expected chain, offset applied
  Eigen::Matrix4d rsu_lidar_to_world;      ///< expected, system_error_offset applied
  double offset_x = 0.5, offset_y = -0.25;
  /// World boxes of the cooperative label (hwl, m, rad) in file order.
  std::vector<formats::Box7> world_boxes;
  std::vector<std::string> vehicle_ids;  ///< in time order
  std::vector<std::string> rsu_ids;
};

/// Writes `pairs` synthetic pairs under `root` (created): data_info files
/// (cooperative entries in REVERSE time order, to test sorting), calibrations,
/// binary_compressed point clouds with points inside each object, per-side and
/// cooperative labels (RSU numbers as strings), intrinsics and small JPEGs.
/// The vehicle moves +2 m along world x per pair.
TinyDair write_tiny_dair(const std::filesystem::path& root, int pairs = 3);

}  // namespace concord::test
