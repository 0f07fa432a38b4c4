// CollabLoader on the tiny OPV2V dataset of the formats tests (see tiny_dataset.hpp).
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include "concord/formats/error.hpp"
#include "concord/loader/collab_loader.hpp"
#include "test_support.hpp"
#include "tiny_dataset.hpp"

#include <map>

#include "concord/formats/image.hpp"
#include "concord/formats/png.hpp"

namespace {

namespace cf = concord::formats;
using concord::loader::CollabLoader;
using concord::loader::LoaderOptions;

const cf::Opv2vDataset& tiny() {
  static concord::test::TempDir dir;
  static const cf::Opv2vDataset dataset(cf::testing::write_tiny_opv2v(dir.path() / "tiny"), "test");
  return dataset;
}

LoaderOptions no_points() {
  LoaderOptions o;
  o.lidar_beams = 0;
  return o;
}

TEST(CollabLoader, GroundTruthIsTheInRangeUnionInTheEgoFrame) {
  CollabLoader loader(tiny(), no_points());
  auto s = loader.get(0);
  // Ego "1000" (string order) at world (20, 0), yaw 90°: its x axis is world +y,
  // its y axis world -x. Vehicle 5 at world (10, 0), yaw 90°, extent (2, 1, 0.75)
  // -> ego (0, 10), yaw 0, h 1.5, w 2, l 4. Vehicle 7 (500 m away) is out of range.
  ASSERT_EQ(s.agents.front().id, "1000");
  ASSERT_EQ(s.gt_boxes.size(0), 1);
  EXPECT_EQ(s.gt_ids[0].item<int64_t>(), 5);
  const auto b = s.gt_boxes[0];
  EXPECT_NEAR(b[0].item<float>(), 0.0f, 1e-4);
  EXPECT_NEAR(b[1].item<float>(), 10.0f, 1e-4);
  EXPECT_NEAR(b[3].item<float>(), 1.5f, 1e-5);
  EXPECT_NEAR(b[4].item<float>(), 2.0f, 1e-5);
  EXPECT_NEAR(b[5].item<float>(), 4.0f, 1e-5);
  EXPECT_NEAR(std::remainder(b[6].item<float>(), M_PI), 0.0, 1e-4);
}

TEST(CollabLoader, OwnLabelsAreTheGroundTruthRowsEachAgentLists) {
  auto s = CollabLoader(tiny(), no_points()).get(0);
  // 1000 and 641 list vehicle 5; the RSU -1 lists nothing.
  ASSERT_EQ(s.agents.size(), 3u);
  ASSERT_EQ(s.agents[2].id, "-1");
  for (int k = 0; k < 2; ++k) {
    ASSERT_EQ(s.agents[k].own_gt_boxes.sizes(), (std::vector<int64_t>{1, 7})) << k;
    EXPECT_TRUE(at::equal(s.agents[k].own_gt_boxes, s.gt_boxes)) << "ego frame, like gt_boxes";
  }
  EXPECT_EQ(s.agents[2].own_gt_boxes.sizes(), (std::vector<int64_t>{0, 7}));
}

TEST(CollabLoader, CommunicationRangeAndRelativePoses) {
  LoaderOptions o = no_points();
  o.comm_range_m = 30.0;  // 641 is 20 m from the ego, the RSU -1 36 m
  auto s = CollabLoader(tiny(), o).get(0);
  ASSERT_EQ(s.agents.size(), 2u);
  EXPECT_EQ(s.agents[1].id, "641");
  // 641 sits at world (0, 0): in the ego frame (0, 20), yaw -90°.
  const auto t = s.agents[1].ego_from_agent;
  EXPECT_NEAR(t[0][3].item<double>(), 0.0, 1e-9);
  EXPECT_NEAR(t[1][3].item<double>(), 20.0, 1e-9);
  EXPECT_NEAR(t[0][0].item<double>(), 0.0, 1e-9);
  EXPECT_TRUE(at::allclose(s.agents[0].ego_from_agent, at::eye(4, at::kDouble)));
  o.comm_range_m = 70.0;
  EXPECT_EQ(CollabLoader(tiny(), o).get(0).agents.size(), 3u);
  o.max_agents = 1;
  EXPECT_EQ(CollabLoader(tiny(), o).get(0).agents.size(), 1u);
}

TEST(CollabLoader, PoseNoiseIsSeededAndLeavesGroundTruthClean) {
  LoaderOptions o = no_points();
  o.pose_noise_xy_m = 0.6;
  o.pose_noise_yaw_deg = 0.6;
  o.seed = 7;
  auto a = CollabLoader(tiny(), o).get(0);
  auto b = CollabLoader(tiny(), o).get(0);
  auto clean = CollabLoader(tiny(), no_points()).get(0);
  EXPECT_TRUE(at::equal(a.agents[1].ego_from_agent_noisy, b.agents[1].ego_from_agent_noisy));
  EXPECT_FALSE(at::allclose(a.agents[1].ego_from_agent_noisy, a.agents[1].ego_from_agent));
  EXPECT_TRUE(at::equal(a.agents[1].ego_from_agent, clean.agents[1].ego_from_agent));
  EXPECT_TRUE(at::equal(a.gt_boxes, clean.gt_boxes));
  EXPECT_TRUE(at::equal(clean.agents[1].ego_from_agent_noisy, clean.agents[1].ego_from_agent));
}

TEST(CollabLoader, PointsDropEgoHitsAndMissingCloudsNameTheFile) {
  // A frame whose ego is 641 (the only agent with a point cloud at 000068).
  const cf::Opv2vFrame full = tiny().frame(0);
  const cf::Opv2vFrame only641(full.scenario(), full.timestamp(), {full.agent("641")});
  LoaderOptions o;
  auto s = CollabLoader(tiny(), o).from_frame(only641, 0);
  ASSERT_EQ(s.agents[0].input.points.size(), 1u);
  const at::Tensor p = s.agents[0].input.points[0];
  ASSERT_EQ(p.sizes(), (std::vector<int64_t>{2, 4}));  // (0.5, 0, 0) hits the ego box
  EXPECT_FLOAT_EQ(p[0][0].item<float>(), 10.0f);
  EXPECT_FLOAT_EQ(p[1][3].item<float>(), 0.9f);
  try {
    CollabLoader(tiny(), o).get(0);  // ego 1000 has no {ts}.pcd
    FAIL() << "loaded a missing point cloud";
  } catch (const cf::FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("1000"), std::string::npos) << e.what();
  }
}

TEST(CollabLoader, RefusesBadOptions) {
  LoaderOptions o;
  o.lidar_beams = 40;
  EXPECT_THROW(CollabLoader(tiny(), o), std::invalid_argument);
  o = LoaderOptions{};
  o.comm_range_m = 0;
  EXPECT_THROW(CollabLoader(tiny(), o), std::invalid_argument);
  EXPECT_THROW(CollabLoader(tiny(), LoaderOptions{}).get(99), std::out_of_range);
}

}  // namespace

namespace camera_labels {

// A fresh tiny dataset whose agents get the given bev_visibility maps (256 x 256
// grey, one lit pixel per agent, or none) at timestamp 000068.
cf::Opv2vDataset with_visibility(const std::filesystem::path& root,
                                 const std::map<std::string, std::pair<int, int>>& lit) {
  cf::testing::write_tiny_opv2v(root);
  const auto dir = root / "test" / cf::testing::kTinyScenario;
  for (const char* agent : {"1000", "641"}) {
    cf::Image8 map(256, 256, 1, 0);
    if (auto it = lit.find(agent); it != lit.end()) {
      map.data[static_cast<std::size_t>(it->second.first) * 256 + it->second.second] = 255;
    }
    cf::write_png(dir / agent / "000068_bev_visibility.png", map);
  }
  return cf::Opv2vDataset(root, "test");
}

TEST(CollabLoader, CameraLabelsKeepBoxesWhoseCentrePixelIsVisibleToSomeAgent) {
  concord::test::TempDir tmp;
  LoaderOptions o = no_points();
  o.camera_visible_gt = true;
  // Vehicle 5 sits at (0, 10) in ego 1000's frame -> row 127 - int(0 / 0.39) = 127,
  // col 127 + int(10 / 0.39) = 152; at (10, 0) in 641's frame -> row 102, col 127.
  {
    auto data = with_visibility(tmp.path() / "a", {{"1000", {127, 152}}});
    auto s = CollabLoader(data, o).get(0);
    ASSERT_EQ(s.gt_ids.size(0), 1);
    EXPECT_EQ(s.gt_ids[0].item<int64_t>(), 5);
  }
  {
    auto data = with_visibility(tmp.path() / "b", {{"641", {102, 127}}});
    auto s = CollabLoader(data, o).get(0);
    ASSERT_EQ(s.gt_ids.size(0), 1) << "visible to the collaborator 641 only";
    EXPECT_EQ(s.agents[0].own_gt_boxes.size(0), 0) << "the ego lists 5 but does not see it";
    EXPECT_EQ(s.agents[1].own_gt_boxes.size(0), 1);
  }
  {
    // One pixel off (the transposed cell): invisible to everyone.
    auto data = with_visibility(tmp.path() / "c", {{"1000", {152, 127}}, {"641", {127, 102}}});
    EXPECT_EQ(CollabLoader(data, o).get(0).gt_ids.size(0), 0);
    o.camera_visible_gt = false;
    EXPECT_EQ(CollabLoader(data, o).get(0).gt_ids.size(0), 1) << "LiDAR labels ignore the maps";
  }
}

}  // namespace camera_labels
