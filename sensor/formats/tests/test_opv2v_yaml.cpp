// OPV2V YAML read/write: exact round trip, PyYAML-style input, refusals (sheet §1.1).
#include "concord/formats/data_protocol.hpp"
#include "concord/formats/error.hpp"
#include "concord/formats/opv2v_yaml.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

namespace cf = concord::formats;
namespace fs = std::filesystem;

namespace {

cf::AgentFrameMeta sample_meta() {
  cf::AgentFrameMeta m;
  m.lidar_pose = {-288.0123456789012, 0.1, 1.9, 1.0 / 3.0, -179.99999999999997, 1e-5};
  m.true_ego_pos = {-288.5, 0.2, 0.03, 0.0, 90.25, -2.5e-7};
  m.predicted_ego_pos = cf::Pose6{-288.4, 0.3, 0.0, 0.0, 90.0, 0.0};
  m.ego_speed = 18.136541;
  cf::CameraMeta cam;
  cam.cords = {-286.5, 0.1, 3.3, 0.0, 90.1, 0.0};
  cam.intrinsic << 335.639852470912, 0, 400, 0, 335.639852470912, 300, 0, 0, 1;
  cam.extrinsic = Eigen::Matrix4d::Identity();
  cam.extrinsic(0, 3) = 2.5;
  cam.extrinsic(1, 2) = 0.1 + 0.2;  // 0.30000000000000004
  m.cameras[0] = cam;
  cam.cords.yaw = 200.0;
  m.cameras[3] = cam;
  cf::ObjectAnnotation a;
  a.location = {-250.1, 30.25, 0.0312};
  a.center = {-0.02, 1.4e-5, 0.77};
  a.extent = {2.4, 1.06, 0.76};
  a.angle = {0.0, -90.00000000000001, 0.0};
  a.speed = 27.5;
  m.vehicles[1234] = a;
  a.location[0] = 10.0;
  m.vehicles[-7] = a;
  return m;
}

void expect_pose_eq(const cf::Pose6& a, const cf::Pose6& b) {
  EXPECT_TRUE(a == b);
}

}  // namespace

TEST(Opv2vYaml, RoundTripIsExact) {
  const cf::AgentFrameMeta m = sample_meta();
  const std::string text = cf::emit_agent_yaml(m);
  const cf::AgentFrameMeta r = cf::parse_agent_yaml(text, "rt.yaml");
  expect_pose_eq(r.lidar_pose, m.lidar_pose);
  expect_pose_eq(r.true_ego_pos, m.true_ego_pos);
  ASSERT_TRUE(r.predicted_ego_pos.has_value());
  expect_pose_eq(*r.predicted_ego_pos, *m.predicted_ego_pos);
  EXPECT_EQ(r.ego_speed, m.ego_speed);
  ASSERT_EQ(r.cameras.size(), 2u);
  EXPECT_EQ(r.cameras.at(0).intrinsic, m.cameras.at(0).intrinsic);
  EXPECT_EQ(r.cameras.at(0).extrinsic, m.cameras.at(0).extrinsic);
  expect_pose_eq(r.cameras.at(3).cords, m.cameras.at(3).cords);
  ASSERT_EQ(r.vehicles.size(), 2u);
  EXPECT_TRUE(r.vehicles.at(1234) == m.vehicles.at(1234));
  EXPECT_TRUE(r.vehicles.at(-7) == m.vehicles.at(-7));
  // Writing again gives the same text.
  EXPECT_EQ(cf::emit_agent_yaml(r), text);
}

TEST(Opv2vYaml, FileRoundTrip) {
  const fs::path p =
      fs::temp_directory_path() / ("concord_yaml_rt_" + std::to_string(::getpid()) + ".yaml");
  cf::write_agent_yaml(p, sample_meta());
  const cf::AgentFrameMeta r = cf::read_agent_yaml(p);
  expect_pose_eq(r.lidar_pose, sample_meta().lidar_pose);
  fs::remove(p);
}

TEST(Opv2vYaml, ReadsPyYamlStyle) {
  // As PyYAML dumps OPV2V files: block style, sorted keys, ints, exponent floats
  // with and without a dot, integer vehicle ids, extra keys (plan_trajectory).
  const std::string text = R"(camera0:
  cords:
  - 141.35
  - -388.0
  - 3
  - 0.0
  - -0.5
  - 1e-05
  extrinsic:
  - - 1.0
    - 0.0
    - 0.0
    - 2.5
  - - 0.0
    - 1.0
    - 0.0
    - 0.0
  - - 0.0
    - 0.0
    - 1.0
    - 1.5
  - - 0.0
    - 0.0
    - 0.0
    - 1.0
  intrinsic:
  - - 335.639852470912
    - 0.0
    - 400.0
  - - 0.0
    - 335.639852470912
    - 300.0
  - - 0.0
    - 0.0
    - 1.0
ego_speed: 18
lidar_pose:
- 141.35
- -388.0
- 1.9
- 1.0e-05
- -179.5
- -2.0E-3
plan_trajectory:
- - 141.0
  - -380.0
  - 10.0
predicted_ego_pos: [141.3, -388.1, 0.0, 0.0, -179.5, 0.0]
true_ego_pos: [141.35, -388.0, 0.0, 0.0, -179.5, 0.0]
vehicles:
  2046:
    angle: [0.0, 91.5, 0.0]
    center: [0.0, 0.0, 0.7]
    extent: [2.4, 1.0, 0.75]
    location: [120.0, -390.0, 0.03]
    speed: 0
)";
  const cf::AgentFrameMeta m = cf::parse_agent_yaml(text, "pyyaml.yaml");
  EXPECT_EQ(m.lidar_pose.roll, 1e-5);
  EXPECT_EQ(m.lidar_pose.pitch, -2e-3);
  EXPECT_EQ(m.ego_speed, 18.0);
  EXPECT_EQ(m.cameras.at(0).cords.pitch, 1e-5);
  EXPECT_EQ(m.cameras.at(0).cords.z, 3.0);
  EXPECT_EQ(m.cameras.at(0).intrinsic(0, 0), 335.639852470912);
  EXPECT_EQ(m.cameras.at(0).extrinsic(2, 3), 1.5);
  EXPECT_EQ(m.vehicles.at(2046).extent[0], 2.4);
  EXPECT_EQ(m.vehicles.at(2046).angle[1], 91.5);
  ASSERT_TRUE(m.predicted_ego_pos.has_value());
  EXPECT_EQ(m.predicted_ego_pos->y, -388.1);
}

TEST(Opv2vYaml, EmptyVehiclesAndMissingOptionals) {
  const cf::AgentFrameMeta m =
      cf::parse_agent_yaml("lidar_pose: [1, 2, 3, 0, 45, 0]\nvehicles: {}\n", "min.yaml");
  EXPECT_TRUE(m.vehicles.empty());
  EXPECT_FALSE(m.predicted_ego_pos.has_value());
  EXPECT_TRUE(m.true_ego_pos == m.lidar_pose);
  EXPECT_TRUE(m.cameras.empty());
}

TEST(Opv2vYaml, RefusesBadInputNamingFileAndKey) {
  try {
    cf::parse_agent_yaml("ego_speed: 3\n", "000068.yaml");
    FAIL();
  } catch (const cf::FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("000068.yaml: lidar_pose"), std::string::npos) << e.what();
  }
  try {
    cf::parse_agent_yaml("lidar_pose: [1, 2, 3]\n", "000070.yaml");
    FAIL();
  } catch (const cf::FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("list of 6 numbers"), std::string::npos) << e.what();
  }
  EXPECT_THROW(cf::parse_agent_yaml("lidar_pose: [1, 2, 3, a, 5, 6]\n", "x.yaml"), cf::FormatError);
  EXPECT_THROW(cf::parse_agent_yaml("lidar_pose: [1, 2\n", "x.yaml"), cf::FormatError);
  EXPECT_THROW(
      cf::parse_agent_yaml(
          "lidar_pose: [1, 2, 3, 4, 5, 6]\nvehicles:\n  car: {location: [1, 2, 3]}\n", "x.yaml"),
      cf::FormatError);
  EXPECT_THROW(cf::read_agent_yaml("/nonexistent/000068.yaml"), cf::FormatError);
}

TEST(DataProtocol, RoundTripAndDefaults) {
  cf::DataProtocol p;
  p.dataset = "concord-sim";
  p.town = "Town05";
  p.frame_rate_hz = 10.0;
  p.lidar_beams = {64, 32, 16};
  p.lidar_range_m = 120.5;
  p.has_depth = true;
  p.seed = 303;
  const cf::DataProtocol r = cf::parse_data_protocol(cf::emit_data_protocol(p), "dp.yaml");
  EXPECT_TRUE(r == p);
  // Unknown keys (OpenCDA's config) are ignored; absent keys keep defaults.
  const cf::DataProtocol d =
      cf::parse_data_protocol("world:\n  sync_mode: true\ndataset: OPV2V\n", "real.yaml");
  EXPECT_TRUE(d == cf::DataProtocol{});
  EXPECT_THROW(cf::parse_data_protocol("num_cameras: [1, 2]\n", "bad.yaml"), cf::FormatError);
}
