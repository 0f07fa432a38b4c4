// Writes a tiny OPV2V-style dataset into a temp folder for the reader/viz tests.
#pragma once

#include <filesystem>

namespace concord::formats::testing {

/// Scenario written by write_tiny_opv2v().
inline constexpr const char* kTinyScenario = "2021_08_16_22_26_54";

/// Layout under `root`/test/kTinyScenario (timestamps 000068, 000070):
///  - agents "1000" (lidar at (20, 0, 0), yaw 90), "641" (origin, yaw 0),
///    "-1" (RSU at (0, 30, 0)); poses in m/deg, z = 0.
///  - vehicle 5: location (10, 0, 0), extent (2, 1, 0.75), yaw 90 (seen by 641
///    and 1000); vehicle 7 at (500, 0, 0) (seen by 641, out of range); agent
///    1000 also lists the CAV 641 (must be excluded).
///  - 641 @ 000068: {ts}.pcd (binary_compressed) with xyzi rows (0.5, 0, 0, 0.1)
///    [ego hit], (10, 0, 0, 0.5), (0, 5, 1, 0.9); {ts}_32.pcd (ascii) with the
///    last two rows; {ts}_camera0.png 80 x 60 gray-50 image; camera0 at the
///    lidar, yaw 0, K = [[40, 0, 40], [0, 40, 30], [0, 0, 1]];
///    {ts}_depth0.png (8-bit, 12 m everywhere).
///  - data_protocol.yaml with dataset "tiny".
/// Returns `root`. Deletes and recreates `root` first.
std::filesystem::path write_tiny_opv2v(const std::filesystem::path& root);

}  // namespace concord::formats::testing
