// End-to-end: a tiny dataset has the OPV2V / OPV2V-H layout, labels follow
// the LiDAR-hit rule, and two runs (1 and 2 threads) give identical bytes.
#include "concord/sim/config.hpp"
#include "concord/sim/simulator.hpp"

#include "concord/formats/box.hpp"
#include "concord/formats/opv2v_yaml.hpp"
#include "concord/formats/pcd.hpp"
#include "concord/formats/png.hpp"
#include "concord/formats/pose.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace cs = concord::sim;
namespace fs = std::filesystem;

namespace {

cs::SimConfig tiny() {
  cs::SimConfig c = cs::parse_sim_config(R"(
seed = 99
[splits]
train_scenarios = 1
validate_scenarios = 0
test_scenarios = 1
[scenario]
frames = 2
cavs_min = 2
cavs_max = 3
rsu_probability = 1.0
[town]
roads_x = 2
roads_y = 2
[lidar.hdl64e]
horizontal_resolution_deg = 1.0
[lidar.hdl32e]
horizontal_resolution_deg = 2.0
[lidar.vlp16]
horizontal_resolution_deg = 2.0
[camera]
width_px = 48
height_px = 36
)",
                                         "tiny.toml");
  return c;
}

std::map<std::string, std::string> read_tree(const fs::path& root) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    files[fs::relative(e.path(), root).generic_string()] = ss.str();
  }
  return files;
}

}  // namespace

TEST(Simulate, LayoutLabelsAndByteIdenticalReruns) {
  const fs::path base = fs::temp_directory_path() / "concord_sim_det";
  fs::remove_all(base);
  cs::SimConfig c1 = tiny();
  c1.threads = 1;
  cs::SimConfig c2 = tiny();
  c2.threads = 2;
  std::size_t last_done = 0, last_total = 0;
  const cs::SimulationStats s1 = cs::simulate(c1, base / "a", [&](std::size_t d, std::size_t t) {
    last_done = d;
    last_total = t;
  });
  cs::simulate(c2, base / "b");
  EXPECT_EQ(last_done, 4u);
  EXPECT_EQ(last_total, 4u);
  EXPECT_EQ(s1.scenarios, 2u);
  EXPECT_EQ(s1.frames, 4u);

  const auto a = read_tree(base / "a");
  const auto b = read_tree(base / "b");
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [name, bytes] : a) {
    auto it = b.find(name);
    ASSERT_NE(it, b.end()) << name;
    EXPECT_TRUE(it->second == bytes) << name << " differs between runs";
  }

  // Layout: {split}/{YYYY_MM_DD_hh_mm_ss}/{id}/{ts}.*, RSU = -1.
  std::size_t agent_dirs = 0;
  for (const char* split : {"train", "test"}) {
    std::vector<fs::path> scen;
    for (const auto& e : fs::directory_iterator(base / "a" / split)) scen.push_back(e.path());
    ASSERT_EQ(scen.size(), 1u);
    const std::string name = scen[0].filename().string();
    ASSERT_EQ(name.size(), 19u);
    EXPECT_EQ(name.substr(0, 3), "202");
    EXPECT_TRUE(fs::exists(scen[0] / "data_protocol.yaml"));
    EXPECT_TRUE(fs::is_directory(scen[0] / "-1"));
    std::vector<int> cav_ids;
    for (const auto& e : fs::directory_iterator(scen[0])) {
      if (!e.is_directory()) continue;
      ++agent_dirs;
      const int id = std::stoi(e.path().filename().string());
      if (id > 0) cav_ids.push_back(id);
      for (const char* ts : {"000068", "000070"}) {
        const fs::path d = e.path();
        const std::string t = ts;
        for (const std::string suffix :
             {".yaml", ".pcd", "_32.pcd", "_16.pcd", "_camera0.png", "_camera3.png", "_depth0.png",
              "_depth3.png", "_bev_visibility.png"}) {
          EXPECT_TRUE(fs::exists(d / (t + suffix))) << (d / (t + suffix));
        }
      }
    }
    EXPECT_GE(cav_ids.size(), 2u);
    // Labels: CAVs never listed; each listed vehicle has >= 1 64-beam point in its box.
    for (const auto& e : fs::directory_iterator(scen[0])) {
      if (!e.is_directory()) continue;
      const auto meta = concord::formats::read_agent_yaml(e.path() / "000070.yaml");
      const auto pts =
          concord::formats::to_xyzi(concord::formats::read_pcd(e.path() / "000070.pcd"));
      for (int id : cav_ids) EXPECT_EQ(meta.vehicles.count(id), 0u);
      for (const auto& [id, obj] : meta.vehicles) {
        const Eigen::Matrix4d t_lo =
            concord::formats::x1_to_x2(concord::formats::object_pose(obj), meta.lidar_pose);
        const Eigen::Matrix4d t_ol = concord::formats::rigid_inverse(t_lo);
        int inside = 0;
        for (Eigen::Index i = 0; i < pts.rows(); ++i) {
          const Eigen::Vector4d p = t_ol * Eigen::Vector4d(pts(i, 0), pts(i, 1), pts(i, 2), 1.0);
          if (std::abs(p.x()) <= obj.extent[0] + 0.1 && std::abs(p.y()) <= obj.extent[1] + 0.1 &&
              std::abs(p.z()) <= obj.extent[2] + 0.1) {
            ++inside;
          }
        }
        EXPECT_GE(inside, 1) << "vehicle " << id << " listed without a LiDAR hit";
      }
      const auto vis = concord::formats::read_png8(e.path() / "000070_bev_visibility.png");
      EXPECT_EQ(vis.width, 256);
      EXPECT_EQ(vis.channels, 1);
      const auto cam = concord::formats::read_png_info(e.path() / "000070_camera0.png");
      EXPECT_EQ(cam.width, 48);
      EXPECT_EQ(cam.channels, 3);
    }
  }
  EXPECT_EQ(s1.agent_frames, agent_dirs * 2);
  fs::remove_all(base);
}
