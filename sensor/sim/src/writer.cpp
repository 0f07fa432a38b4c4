#include "concord/sim/writer.hpp"

#include "concord/sim/rng.hpp"

#include "concord/formats/depth_png.hpp"
#include "concord/formats/image.hpp"
#include "concord/formats/pcd.hpp"
#include "concord/formats/png.hpp"
#include "concord/formats/point_cloud.hpp"

#include <cmath>
#include <cstdio>

namespace concord::sim {
namespace {

// Days since 1970-01-01 -> civil date (H. Hinnant's civil_from_days).
void civil_from_days(std::int64_t z, int& y, int& m, int& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0));
}

formats::PcdData to_pcd_data(PcdEncoding e) {
  switch (e) {
    case PcdEncoding::kAscii:
      return formats::PcdData::kAscii;
    case PcdEncoding::kBinary:
      return formats::PcdData::kBinary;
    case PcdEncoding::kBinaryCompressed:
      return formats::PcdData::kBinaryCompressed;
  }
  return formats::PcdData::kBinary;
}

void write_scan(const std::filesystem::path& path, const LidarScan& scan, PcdEncoding enc) {
  formats::PointMatrix m(static_cast<Eigen::Index>(scan.size()), 4);
  for (std::size_t i = 0; i < scan.size(); ++i) {
    for (int c = 0; c < 4; ++c)
      m(static_cast<Eigen::Index>(i), c) = scan.xyzi[4 * i + static_cast<std::size_t>(c)];
  }
  formats::write_pcd_xyzi(path, m, to_pcd_data(enc));
}

}  // namespace

std::string scenario_folder_name(std::uint64_t seed, int index) {
  // 2021-08-16 00:00:00 UTC = 18855 days after the epoch.
  const std::int64_t base = 18855LL * 86400LL;
  const std::int64_t t =
      base + static_cast<std::int64_t>(index) * 5 * 3600 +
      static_cast<std::int64_t>(derive_seed({seed, 0x5C3Eu, static_cast<std::uint64_t>(index)}) %
                                3600);
  int y = 0, mo = 0, d = 0;
  civil_from_days(t / 86400, y, mo, d);
  const std::int64_t sec = t % 86400;
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%04d_%02d_%02d_%02d_%02d_%02d", y, mo, d,
                static_cast<int>(sec / 3600), static_cast<int>((sec / 60) % 60),
                static_cast<int>(sec % 60));
  return buf;
}

std::string timestamp_name(int frame, const ScenarioConfig& config) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%06d", config.first_timestamp + frame * config.timestamp_step);
  return buf;
}

formats::DataProtocol make_data_protocol(const SimConfig& config, std::uint64_t seed) {
  formats::DataProtocol p;
  p.dataset = "concord-sim";
  p.version = 1;
  char town[40];
  std::snprintf(town, sizeof(town), "procedural_%016llx", static_cast<unsigned long long>(seed));
  p.town = town;
  p.frame_rate_hz = 1.0 / config.scenario.frame_period_s;
  p.lidar_beams.clear();
  double range = 0.0;
  for (const LidarConfig* l : {&config.lidar64, &config.lidar32, &config.lidar16}) {
    if (!l->enabled) continue;
    p.lidar_beams.push_back(beam_count(l->model));
    range = std::max(range, l->max_range_m);
  }
  p.lidar_range_m = range;
  p.num_cameras = 4;
  p.image_width = config.camera.width_px;
  p.image_height = config.camera.height_px;
  p.has_depth = true;
  p.depth_encoding = formats::to_string(formats::DepthEncoding::kOpv2vHU8);
  p.seed = seed;
  return p;
}

void write_agent_frame(const std::filesystem::path& dir, const std::string& ts,
                       const AgentFrameData& data, PcdEncoding encoding) {
  std::filesystem::create_directories(dir);
  formats::write_agent_yaml(dir / (ts + ".yaml"), data.meta);
  if (data.lidar64) write_scan(dir / (ts + ".pcd"), *data.lidar64, encoding);
  if (data.lidar32) write_scan(dir / (ts + "_32.pcd"), *data.lidar32, encoding);
  if (data.lidar16) write_scan(dir / (ts + "_16.pcd"), *data.lidar16, encoding);
  for (std::size_t i = 0; i < data.cameras.size(); ++i) {
    const CameraImage& img = data.cameras[i];
    formats::Image8 rgb(img.width, img.height, 3);
    rgb.data = img.rgb;
    formats::write_png(dir / (ts + "_camera" + std::to_string(i) + ".png"), rgb);
    formats::DepthImage depth;
    depth.width = img.width;
    depth.height = img.height;
    depth.meters.resize(img.depth_m.size());
    for (std::size_t k = 0; k < img.depth_m.size(); ++k) {
      depth.meters[k] = std::isfinite(img.depth_m[k]) ? img.depth_m[k] : 1000.0f;  // sky -> 255
    }
    formats::write_depth_png(dir / (ts + "_depth" + std::to_string(i) + ".png"), depth,
                             formats::DepthEncoding::kOpv2vHU8);
  }
  if (!data.visibility.empty()) {
    formats::Image8 vis(data.visibility_size, data.visibility_size, 1);
    vis.data = data.visibility;
    formats::write_png(dir / (ts + "_bev_visibility.png"), vis);
  }
}

}  // namespace concord::sim
