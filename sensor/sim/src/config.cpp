#include "concord/sim/config.hpp"

#include <toml++/toml.h>

#include <fstream>
#include <set>
#include <sstream>

namespace concord::sim {
namespace {

std::string where(const std::string& file, const toml::source_region& src) {
  std::ostringstream os;
  os << file;
  if (src.begin.line > 0) os << ':' << src.begin.line << ':' << src.begin.column;
  return os.str();
}

// Reads keys of one TOML table, remembering which were consumed so the rest
// can be rejected as unknown.
class TableReader {
 public:
  TableReader(const toml::table& table, std::string prefix, const std::string& file)
      : table_(table), prefix_(std::move(prefix)), file_(file) {}

  void get(const char* key, double& out) {
    if (const toml::node* n = take(key)) {
      if (auto f = n->value_exact<double>()) {
        out = *f;
      } else if (auto i = n->value_exact<std::int64_t>()) {
        out = static_cast<double>(*i);
      } else {
        fail(*n, key, "expected a number");
      }
    }
  }
  void get(const char* key, int& out) {
    if (const toml::node* n = take(key)) {
      auto i = n->value_exact<std::int64_t>();
      if (!i) fail(*n, key, "expected an integer");
      out = static_cast<int>(*i);
    }
  }
  void get(const char* key, std::uint64_t& out) {
    if (const toml::node* n = take(key)) {
      auto i = n->value_exact<std::int64_t>();
      if (!i || *i < 0) fail(*n, key, "expected a non-negative integer");
      out = static_cast<std::uint64_t>(*i);
    }
  }
  void get(const char* key, bool& out) {
    if (const toml::node* n = take(key)) {
      auto b = n->value_exact<bool>();
      if (!b) fail(*n, key, "expected true or false");
      out = *b;
    }
  }
  void get(const char* key, std::string& out) {
    if (const toml::node* n = take(key)) {
      auto s = n->value_exact<std::string>();
      if (!s) fail(*n, key, "expected a string");
      out = *s;
    }
  }
  // Returns the sub-table `key`, or nullptr when absent.
  const toml::table* sub(const char* key) {
    const toml::node* n = take(key);
    if (!n) return nullptr;
    const toml::table* t = n->as_table();
    if (!t) fail(*n, key, "expected a table");
    return t;
  }
  std::string child_prefix(const char* key) const { return prefix_ + key + "."; }
  const toml::node* node(const char* key) const { return table_.get(key); }

  // Throws on the first key that no get()/sub() consumed.
  void finish() const {
    for (auto&& [k, v] : table_) {
      if (used_.count(std::string(k.str())) == 0) {
        throw SimConfigError(where(file_, k.source()) + ": unknown key '" + prefix_ +
                             std::string(k.str()) + "'");
      }
    }
  }

  [[noreturn]] void fail(const toml::node& n, const char* key, const std::string& what) const {
    throw SimConfigError(where(file_, n.source()) + ": key '" + prefix_ + key + "': " + what);
  }

 private:
  const toml::node* take(const char* key) {
    used_.insert(key);
    return table_.get(key);
  }

  const toml::table& table_;
  std::string prefix_;
  const std::string& file_;
  std::set<std::string> used_;
};

void read_lidar(TableReader& parent, const char* key, LidarConfig& lc, const std::string& file) {
  const toml::table* t = parent.sub(key);
  if (!t) return;
  TableReader r(*t, parent.child_prefix(key), file);
  r.get("enabled", lc.enabled);
  r.get("rotation_rate_hz", lc.rotation_rate_hz);
  r.get("horizontal_resolution_deg", lc.horizontal_resolution_deg);
  r.get("min_range_m", lc.min_range_m);
  r.get("max_range_m", lc.max_range_m);
  r.get("range_noise_stddev_m", lc.range_noise_stddev_m);
  r.get("dropout_probability", lc.dropout_probability);
  r.get("motion_skew", lc.motion_skew);
  r.finish();
}

[[noreturn]] void bad(const std::string& source, const std::string& key, const std::string& what) {
  throw SimConfigError(source + ": key '" + key + "': " + what);
}

void require(bool ok, const std::string& source, const std::string& key, const std::string& what) {
  if (!ok) bad(source, key, what);
}

void require_prob(double p, const std::string& source, const std::string& key) {
  require(p >= 0.0 && p <= 1.0, source, key, "must be in [0, 1]");
}

void validate_lidar(const LidarConfig& l, const std::string& source, const std::string& name) {
  require(l.rotation_rate_hz > 0.0 && l.rotation_rate_hz <= 50.0, source,
          name + ".rotation_rate_hz", "must be in (0, 50]");
  require(l.horizontal_resolution_deg >= 0.05 && l.horizontal_resolution_deg <= 5.0, source,
          name + ".horizontal_resolution_deg", "must be in [0.05, 5]");
  require(l.min_range_m >= 0.0 && l.min_range_m < l.max_range_m, source, name + ".min_range_m",
          "must be in [0, max_range_m)");
  require(l.max_range_m > 0.0 && l.max_range_m <= 300.0, source, name + ".max_range_m",
          "must be in (0, 300]");
  require(l.range_noise_stddev_m >= 0.0, source, name + ".range_noise_stddev_m", "must be >= 0");
  require_prob(l.dropout_probability, source, name + ".dropout_probability");
}

}  // namespace

const char* to_string(LidarModel model) noexcept {
  switch (model) {
    case LidarModel::kHDL64E:
      return "hdl64e";
    case LidarModel::kHDL32E:
      return "hdl32e";
    case LidarModel::kVLP16:
      return "vlp16";
  }
  return "unknown";
}

void validate(const SimConfig& c, const std::string& s) {
  require(c.threads >= 0, s, "threads", "must be >= 0");
  require(c.splits.train_scenarios >= 0 && c.splits.validate_scenarios >= 0 &&
              c.splits.test_scenarios >= 0,
          s, "splits", "scenario counts must be >= 0");
  const auto& sc = c.scenario;
  require(sc.frames >= 1, s, "scenario.frames", "must be >= 1");
  require(sc.frame_period_s > 0.0, s, "scenario.frame_period_s", "must be > 0");
  require(sc.first_timestamp >= 0, s, "scenario.first_timestamp", "must be >= 0");
  require(sc.timestamp_step >= 1, s, "scenario.timestamp_step", "must be >= 1");
  require(sc.cavs_min >= 2 && sc.cavs_min <= 5, s, "scenario.cavs_min", "must be in [2, 5]");
  require(sc.cavs_max >= sc.cavs_min && sc.cavs_max <= 5, s, "scenario.cavs_max",
          "must be in [cavs_min, 5]");
  require(sc.cav_spread_m > 0.0, s, "scenario.cav_spread_m", "must be > 0");
  require(sc.comm_range_m >= sc.cav_spread_m, s, "scenario.comm_range_m",
          "must be >= cav_spread_m");
  require_prob(sc.rsu_probability, s, "scenario.rsu_probability");
  require(sc.rsu_mast_height_m >= 2.0, s, "scenario.rsu_mast_height_m", "must be >= 2");
  require(sc.lidar_mount_height_m > 0.5, s, "scenario.lidar_mount_height_m", "must be > 0.5");
  require(sc.gps_noise_stddev_m >= 0.0, s, "scenario.gps_noise_stddev_m", "must be >= 0");
  const auto& t = c.town;
  require(t.roads_x >= 1 && t.roads_y >= 1 && t.roads_x <= 8 && t.roads_y <= 8, s, "town.roads_x",
          "roads_x/roads_y must be in [1, 8]");
  require(t.block_min_m >= 30.0 && t.block_max_m >= t.block_min_m, s, "town.block_min_m",
          "need 30 <= block_min_m <= block_max_m");
  require(t.lanes_per_direction_min >= 1 &&
              t.lanes_per_direction_max >= t.lanes_per_direction_min &&
              t.lanes_per_direction_max <= 4,
          s, "town.lanes_per_direction_min", "need 1 <= min <= max <= 4");
  require(t.lane_width_m >= 2.5 && t.lane_width_m <= 5.0, s, "town.lane_width_m",
          "must be in [2.5, 5]");
  require(t.sidewalk_width_m >= 0.5, s, "town.sidewalk_width_m", "must be >= 0.5");
  require_prob(t.parking_probability, s, "town.parking_probability");
  require(t.parking_width_m >= 2.0, s, "town.parking_width_m", "must be >= 2");
  require_prob(t.building_probability, s, "town.building_probability");
  require(t.building_height_min_m > 0.0 && t.building_height_max_m >= t.building_height_min_m, s,
          "town.building_height_min_m", "need 0 < min <= max");
  require_prob(t.wall_probability, s, "town.wall_probability");
  require(t.wall_height_min_m > 0.0 && t.wall_height_max_m >= t.wall_height_min_m, s,
          "town.wall_height_min_m", "need 0 < min <= max");
  const auto& tr = c.traffic;
  require(tr.moving_per_lane_km >= 0.0 && tr.parked_per_strip_km >= 0.0, s,
          "traffic.moving_per_lane_km", "densities must be >= 0");
  require(tr.speed_min_mps > 0.0 && tr.speed_max_mps >= tr.speed_min_mps, s,
          "traffic.speed_min_mps", "need 0 < min <= max");
  require(tr.weight_car >= 0 && tr.weight_van >= 0 && tr.weight_truck >= 0 && tr.weight_bus >= 0 &&
              tr.weight_car + tr.weight_van + tr.weight_truck + tr.weight_bus > 0,
          s, "traffic.weight_car", "class weights must be >= 0 with a positive sum");
  validate_lidar(c.lidar64, s, "lidar.hdl64e");
  validate_lidar(c.lidar32, s, "lidar.hdl32e");
  validate_lidar(c.lidar16, s, "lidar.vlp16");
  require(c.camera.width_px >= 8 && c.camera.width_px <= 4096, s, "camera.width_px",
          "must be in [8, 4096]");
  require(c.camera.height_px >= 8 && c.camera.height_px <= 4096, s, "camera.height_px",
          "must be in [8, 4096]");
  require(c.camera.hfov_deg > 10.0 && c.camera.hfov_deg < 170.0, s, "camera.hfov_deg",
          "must be in (10, 170)");
  require(c.camera.noise_stddev >= 0.0, s, "camera.noise_stddev", "must be >= 0");
  require(c.visibility.size_px >= 16 && c.visibility.size_px <= 2048, s, "visibility.size_px",
          "must be in [16, 2048]");
  require(c.visibility.resolution_m > 0.0, s, "visibility.resolution_m", "must be > 0");
  require(c.visibility.min_pixels >= 1, s, "visibility.min_pixels", "must be >= 1");
}

SimConfig parse_sim_config(std::string_view text, const std::string& source) {
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    throw SimConfigError(where(source, e.source()) + ": " + std::string(e.description()));
  }
  SimConfig c;
  TableReader r(root, "", source);
  r.get("seed", c.seed);
  r.get("threads", c.threads);
  std::string enc;
  r.get("pcd_encoding", enc);
  if (!enc.empty()) {
    if (enc == "ascii") {
      c.pcd_encoding = PcdEncoding::kAscii;
    } else if (enc == "binary") {
      c.pcd_encoding = PcdEncoding::kBinary;
    } else if (enc == "binary_compressed") {
      c.pcd_encoding = PcdEncoding::kBinaryCompressed;
    } else {
      r.fail(*r.node("pcd_encoding"), "pcd_encoding",
             "expected \"ascii\", \"binary\" or \"binary_compressed\"");
    }
  }
  if (const toml::table* t = r.sub("splits")) {
    TableReader s(*t, "splits.", source);
    s.get("train_scenarios", c.splits.train_scenarios);
    s.get("validate_scenarios", c.splits.validate_scenarios);
    s.get("test_scenarios", c.splits.test_scenarios);
    s.finish();
  }
  if (const toml::table* t = r.sub("scenario")) {
    TableReader s(*t, "scenario.", source);
    auto& sc = c.scenario;
    s.get("frames", sc.frames);
    s.get("frame_period_s", sc.frame_period_s);
    s.get("first_timestamp", sc.first_timestamp);
    s.get("timestamp_step", sc.timestamp_step);
    s.get("cavs_min", sc.cavs_min);
    s.get("cavs_max", sc.cavs_max);
    s.get("cav_spread_m", sc.cav_spread_m);
    s.get("comm_range_m", sc.comm_range_m);
    s.get("rsu_probability", sc.rsu_probability);
    s.get("rsu_mast_height_m", sc.rsu_mast_height_m);
    s.get("lidar_mount_height_m", sc.lidar_mount_height_m);
    s.get("gps_noise_stddev_m", sc.gps_noise_stddev_m);
    s.finish();
  }
  if (const toml::table* t = r.sub("town")) {
    TableReader s(*t, "town.", source);
    auto& tc = c.town;
    s.get("roads_x", tc.roads_x);
    s.get("roads_y", tc.roads_y);
    s.get("block_min_m", tc.block_min_m);
    s.get("block_max_m", tc.block_max_m);
    s.get("lanes_per_direction_min", tc.lanes_per_direction_min);
    s.get("lanes_per_direction_max", tc.lanes_per_direction_max);
    s.get("lane_width_m", tc.lane_width_m);
    s.get("sidewalk_width_m", tc.sidewalk_width_m);
    s.get("parking_probability", tc.parking_probability);
    s.get("parking_width_m", tc.parking_width_m);
    s.get("building_probability", tc.building_probability);
    s.get("building_height_min_m", tc.building_height_min_m);
    s.get("building_height_max_m", tc.building_height_max_m);
    s.get("wall_probability", tc.wall_probability);
    s.get("wall_height_min_m", tc.wall_height_min_m);
    s.get("wall_height_max_m", tc.wall_height_max_m);
    s.finish();
  }
  if (const toml::table* t = r.sub("traffic")) {
    TableReader s(*t, "traffic.", source);
    auto& tr = c.traffic;
    s.get("moving_per_lane_km", tr.moving_per_lane_km);
    s.get("parked_per_strip_km", tr.parked_per_strip_km);
    s.get("speed_min_mps", tr.speed_min_mps);
    s.get("speed_max_mps", tr.speed_max_mps);
    s.get("weight_car", tr.weight_car);
    s.get("weight_van", tr.weight_van);
    s.get("weight_truck", tr.weight_truck);
    s.get("weight_bus", tr.weight_bus);
    s.finish();
  }
  if (const toml::table* t = r.sub("lidar")) {
    TableReader s(*t, "lidar.", source);
    read_lidar(s, "hdl64e", c.lidar64, source);
    read_lidar(s, "hdl32e", c.lidar32, source);
    read_lidar(s, "vlp16", c.lidar16, source);
    s.finish();
  }
  if (const toml::table* t = r.sub("camera")) {
    TableReader s(*t, "camera.", source);
    s.get("width_px", c.camera.width_px);
    s.get("height_px", c.camera.height_px);
    s.get("hfov_deg", c.camera.hfov_deg);
    s.get("noise_stddev", c.camera.noise_stddev);
    s.get("shadows", c.camera.shadows);
    s.finish();
  }
  if (const toml::table* t = r.sub("visibility")) {
    TableReader s(*t, "visibility.", source);
    s.get("size_px", c.visibility.size_px);
    s.get("resolution_m", c.visibility.resolution_m);
    s.get("min_pixels", c.visibility.min_pixels);
    s.finish();
  }
  r.finish();
  validate(c, source);
  return c;
}

SimConfig load_sim_config(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw SimConfigError(path.string() + ": cannot open simulator config");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_sim_config(ss.str(), path.string());
}

}  // namespace concord::sim
