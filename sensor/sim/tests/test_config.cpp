// SimConfig TOML loading: defaults file, unknown keys and bad values rejected
// with file:line.
#include "concord/sim/config.hpp"

#include <gtest/gtest.h>

#include <string>

namespace cs = concord::sim;

namespace {

std::string error_of(const std::string& text, const std::string& source = "x.toml") {
  try {
    cs::parse_sim_config(text, source);
  } catch (const cs::SimConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(SimConfig, DefaultFileMatchesStructDefaults) {
  const cs::SimConfig f = cs::load_sim_config(CONCORD_SIM_DEFAULT_CONFIG);
  const cs::SimConfig d;
  EXPECT_EQ(f.seed, d.seed);
  EXPECT_EQ(f.splits.train_scenarios, d.splits.train_scenarios);
  EXPECT_EQ(f.splits.validate_scenarios, d.splits.validate_scenarios);
  EXPECT_EQ(f.splits.test_scenarios, d.splits.test_scenarios);
  EXPECT_EQ(f.scenario.frames, d.scenario.frames);
  EXPECT_EQ(f.scenario.cavs_max, d.scenario.cavs_max);
  EXPECT_DOUBLE_EQ(f.scenario.comm_range_m, d.scenario.comm_range_m);
  EXPECT_EQ(f.town.roads_x, d.town.roads_x);
  EXPECT_DOUBLE_EQ(f.traffic.moving_per_lane_km, d.traffic.moving_per_lane_km);
  EXPECT_DOUBLE_EQ(f.lidar64.max_range_m, d.lidar64.max_range_m);
  EXPECT_DOUBLE_EQ(f.lidar32.horizontal_resolution_deg, d.lidar32.horizontal_resolution_deg);
  EXPECT_EQ(f.lidar16.model, cs::LidarModel::kVLP16);
  EXPECT_EQ(f.camera.width_px, d.camera.width_px);
  EXPECT_EQ(f.camera.height_px, d.camera.height_px);
  EXPECT_EQ(f.visibility.size_px, 256);
  EXPECT_DOUBLE_EQ(f.visibility.resolution_m, 0.39);
  EXPECT_EQ(f.pcd_encoding, d.pcd_encoding);
}

TEST(SimConfig, ParsesValues) {
  const cs::SimConfig c = cs::parse_sim_config(
      "seed = 7\nthreads = 2\npcd_encoding = \"binary\"\n[camera]\nwidth_px = 64\nheight_px = 48\n"
      "[lidar.vlp16]\nenabled = false\nmax_range_m = 50\n[scenario]\ncavs_min = 3\ncavs_max = 5\n");
  EXPECT_EQ(c.seed, 7u);
  EXPECT_EQ(c.threads, 2);
  EXPECT_EQ(c.pcd_encoding, cs::PcdEncoding::kBinary);
  EXPECT_EQ(c.camera.width_px, 64);
  EXPECT_FALSE(c.lidar16.enabled);
  EXPECT_DOUBLE_EQ(c.lidar16.max_range_m, 50.0);  // integer accepted for a float key
  EXPECT_EQ(c.scenario.cavs_min, 3);
}

TEST(SimConfig, UnknownKeyRejectedWithFileAndLine) {
  const std::string e = error_of("seed = 1\n[camera]\nwidth_px = 100\nbogus_px = 3\n");
  EXPECT_NE(e.find("x.toml:4:"), std::string::npos) << e;
  EXPECT_NE(e.find("camera.bogus_px"), std::string::npos) << e;
  const std::string t = error_of("[lidar.hdl64e]\nrange_m = 3\n");
  EXPECT_NE(t.find("x.toml:2:"), std::string::npos) << t;
  EXPECT_NE(t.find("lidar.hdl64e.range_m"), std::string::npos) << t;
  const std::string top = error_of("\n\n[weather]\nrain = 1\n");
  EXPECT_NE(top.find("x.toml:3:"), std::string::npos) << top;
}

TEST(SimConfig, WrongTypesAndRangesRejected) {
  const std::string e = error_of("[camera]\nwidth_px = \"wide\"\n");
  EXPECT_NE(e.find("x.toml:2:"), std::string::npos) << e;
  EXPECT_NE(e.find("integer"), std::string::npos) << e;
  EXPECT_NE(error_of("[scenario]\ncavs_min = 1\n").find("scenario.cavs_min"), std::string::npos);
  EXPECT_NE(error_of("[lidar.vlp16]\ndropout_probability = 1.5\n").find("dropout_probability"),
            std::string::npos);
  EXPECT_NE(error_of("pcd_encoding = \"zip\"\n").find("x.toml:1:"), std::string::npos);
  EXPECT_NE(error_of("seed = [1\n").find("x.toml:"), std::string::npos);
  EXPECT_THROW(cs::load_sim_config("/nonexistent/sim.toml"), cs::SimConfigError);
}
