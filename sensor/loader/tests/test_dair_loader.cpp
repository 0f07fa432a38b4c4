// DairV2xLoader: split, CollabSample conventions on a synthetic DAIR folder with
// known poses, and the real example (skipped when absent; dair_fixture.hpp).
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <Eigen/Dense>

#include <cmath>
#include <filesystem>
#include <set>

#include "concord/formats/box.hpp"
#include "concord/formats/error.hpp"
#include "concord/formats/pose.hpp"
#include "concord/loader/dair_loader.hpp"
#include "dair_fixture.hpp"
#include "test_support.hpp"

namespace {

namespace cf = concord::formats;
namespace ct = concord::test;
namespace fs = std::filesystem;
using concord::loader::DairLoaderOptions;
using concord::loader::DairSplit;
using concord::loader::DairSplitOptions;
using concord::loader::DairV2xLoader;

Eigen::Matrix4d to_eigen(const at::Tensor& t) {
  Eigen::Matrix4d m;
  const at::Tensor d = t.to(at::kDouble).contiguous();
  for (int r = 0; r < 4; ++r) {
    for (int c = 0; c < 4; ++c) m(r, c) = d[r][c].item<double>();
  }
  return m;
}

// Points [N, 4] moved by T (4x4) -> N x 3 double.
Eigen::Matrix<double, Eigen::Dynamic, 3> moved(const at::Tensor& pts, const Eigen::Matrix4d& t) {
  const at::Tensor p = pts.contiguous();
  Eigen::Matrix<double, Eigen::Dynamic, 3> out(p.size(0), 3);
  const float* d = p.data_ptr<float>();
  for (int64_t i = 0; i < p.size(0); ++i) {
    for (int c = 0; c < 3; ++c) out(i, c) = d[i * 4 + c];
  }
  return cf::transform_points(t, out);
}

// Points inside a [x, y, z, h, w, l, yaw] box (hwl).
int count_in_box(const Eigen::Matrix<double, Eigen::Dynamic, 3>& pts, const at::Tensor& box) {
  cf::Box7 b;
  b.x = box[0].item<double>();
  b.y = box[1].item<double>();
  b.z = box[2].item<double>();
  b.h = box[3].item<double>();
  b.w = box[4].item<double>();
  b.l = box[5].item<double>();
  b.yaw = box[6].item<double>();
  const double c = std::cos(b.yaw), s = std::sin(b.yaw);
  int n = 0;
  for (Eigen::Index i = 0; i < pts.rows(); ++i) {
    const double dx = pts(i, 0) - b.x, dy = pts(i, 1) - b.y, dz = pts(i, 2) - b.z;
    const double u = c * dx + s * dy, v = -s * dx + c * dy;
    n += (std::abs(u) <= b.l / 2 && std::abs(v) <= b.w / 2 && std::abs(dz) <= b.h / 2) ? 1 : 0;
  }
  return n;
}

}  // namespace

TEST(DairSplit, FirstTrainLastTestNoOverlap) {
  using concord::loader::dair_split_indices;
  const auto train = dair_split_indices(38, DairSplit::kTrain);
  const auto test = dair_split_indices(38, DairSplit::kTest);
  ASSERT_EQ(train.size(), 30u);
  ASSERT_EQ(test.size(), 8u);
  EXPECT_EQ(train.front(), 0u);
  EXPECT_EQ(train.back(), 29u);
  EXPECT_EQ(test.front(), 30u);
  EXPECT_EQ(test.back(), 37u);
  EXPECT_EQ(dair_split_indices(38, DairSplit::kAll).size(), 38u);
  // Configurable, with a gap allowed; overlap refused.
  const auto t2 = dair_split_indices(10, DairSplit::kTest, DairSplitOptions{5, 3});
  EXPECT_EQ(t2, (std::vector<std::size_t>{7, 8, 9}));
  EXPECT_THROW(dair_split_indices(10, DairSplit::kTrain, DairSplitOptions{8, 3}),
               std::invalid_argument);
}

TEST(DairV2xLoader, SyntheticSampleFollowsCollabSampleConventions) {
  ct::TempDir dir;
  const ct::TinyDair t = ct::write_tiny_dair(dir.path() / "dair", 3);
  const cf::DairV2xDataset ds(t.root);
  DairLoaderOptions o;
  o.split = {2, 1};
  o.cameras = true;
  const DairV2xLoader train(ds, o, DairSplit::kTrain);
  const DairV2xLoader test(ds, o, DairSplit::kTest);
  EXPECT_EQ(train.size(), 2u);
  ASSERT_EQ(test.size(), 1u);
  EXPECT_EQ(test.indices(), (std::vector<std::size_t>{2}));

  const auto s = train.get(0);
  EXPECT_EQ(s.timestamp, t.vehicle_ids[0]);
  EXPECT_EQ(s.scenario, "tiny01");
  ASSERT_EQ(s.agents.size(), 2u);
  EXPECT_EQ(s.agents[0].id, "vehicle");
  EXPECT_EQ(s.agents[1].id, "infrastructure");
  EXPECT_TRUE(to_eigen(s.agents[0].ego_from_agent).isApprox(Eigen::Matrix4d::Identity(), 1e-12));
  const Eigen::Matrix4d ego_from_rsu =
      cf::rigid_inverse(t.vehicle_lidar_to_world) * t.rsu_lidar_to_world;
  EXPECT_TRUE(to_eigen(s.agents[1].ego_from_agent).isApprox(ego_from_rsu, 1e-9));
  EXPECT_TRUE(to_eigen(s.agents[1].ego_from_agent_noisy).isApprox(ego_from_rsu, 1e-9));

  // Points: both sides hold the same world points (2 x 27 in boxes + 1 far);
  // moved to the ego frame they coincide.
  const at::Tensor vp = s.agents[0].input.points.at(0);
  const at::Tensor rp = s.agents[1].input.points.at(0);
  ASSERT_EQ(vp.size(0), 55);
  ASSERT_EQ(rp.size(0), 55);
  EXPECT_EQ(vp.size(1), 4);
  const auto ve = moved(vp, Eigen::Matrix4d::Identity());
  const auto re = moved(rp, ego_from_rsu);
  EXPECT_LT((ve - re).cwiseAbs().maxCoeff(), 1e-3);
  EXPECT_FLOAT_EQ(vp[10][3].item<float>(), 10.0f / 255.0f);  // U1 / 255
  EXPECT_FLOAT_EQ(rp[10][3].item<float>(), 0.5f);            // F4 as is

  // Cameras: one per side.
  EXPECT_EQ(s.agents[0].input.images.sizes(), (std::vector<int64_t>{1, 1, 3, 24, 32}));
  EXPECT_EQ(s.agents[1].input.intrinsics.sizes(), (std::vector<int64_t>{1, 1, 3, 3}));
  EXPECT_EQ(s.agents[1].input.camera_to_lidar.sizes(), (std::vector<int64_t>{1, 1, 4, 4}));

  // GT: the world boxes in the ego frame, hwl, yaw relative to the ego's heading.
  ASSERT_EQ(s.gt_boxes.size(0), 2);
  EXPECT_EQ(s.gt_ids[1].item<int64_t>(), 1);
  const double ego_yaw = std::atan2(t.vehicle_lidar_to_world(1, 0), t.vehicle_lidar_to_world(0, 0));
  for (int k = 0; k < 2; ++k) {
    const cf::Box7& w = t.world_boxes[static_cast<std::size_t>(k)];
    const Eigen::Vector4d c =
        cf::rigid_inverse(t.vehicle_lidar_to_world) * Eigen::Vector4d(w.x, w.y, w.z, 1.0);
    const at::Tensor b = s.gt_boxes[k];
    EXPECT_NEAR(b[0].item<double>(), c.x(), 1e-4);
    EXPECT_NEAR(b[1].item<double>(), c.y(), 1e-4);
    EXPECT_NEAR(b[2].item<double>(), c.z(), 1e-4);
    EXPECT_NEAR(b[3].item<double>(), w.h, 1e-5);
    EXPECT_NEAR(b[4].item<double>(), w.w, 1e-5);
    EXPECT_NEAR(b[5].item<double>(), w.l, 1e-5);
    EXPECT_NEAR(std::remainder(b[6].item<double>() - (w.yaw - ego_yaw), 2 * M_PI), 0.0, 1e-4);
    EXPECT_EQ(count_in_box(ve, b), 27);
    EXPECT_EQ(count_in_box(re, b), 27);
  }

  // comm range drops the RSU (~33 m away); gt_range filters boxes; noise is seeded.
  DairLoaderOptions near = o;
  near.comm_range_m = 10.0;
  near.points = false;
  near.cameras = false;
  EXPECT_EQ(DairV2xLoader(ds, near).get(0).agents.size(), 1u);
  near.gt_range = {0, -20, -3, 20, 20, 1};
  EXPECT_LT(DairV2xLoader(ds, near).get(0).gt_boxes.size(0), 2);
  DairLoaderOptions noisy = o;
  noisy.points = noisy.cameras = false;
  noisy.pose_noise_xy_m = 0.5;
  noisy.pose_noise_yaw_deg = 1.0;
  noisy.seed = 7;
  const auto n1 = DairV2xLoader(ds, noisy).get(1), n2 = DairV2xLoader(ds, noisy).get(1);
  EXPECT_TRUE(at::equal(n1.agents[1].ego_from_agent_noisy, n2.agents[1].ego_from_agent_noisy));
  EXPECT_FALSE(at::allclose(n1.agents[1].ego_from_agent_noisy, n1.agents[1].ego_from_agent));
  EXPECT_TRUE(at::equal(n1.gt_boxes, DairV2xLoader(ds, o).get(1).gt_boxes));  // GT uses clean poses

  DairLoaderOptions bad = o;
  bad.comm_range_m = 0;
  EXPECT_THROW(DairV2xLoader(ds, bad), std::invalid_argument);
  DairLoaderOptions overlap = o;
  overlap.split = {3, 1};
  EXPECT_THROW(DairV2xLoader(ds, overlap, DairSplit::kTest), std::invalid_argument);
  EXPECT_THROW(train.get(2), std::out_of_range);
}

TEST(DairV2xLoader, MissingPointCloudNamesTheFile) {
  ct::TempDir dir;
  const ct::TinyDair t = ct::write_tiny_dair(dir.path() / "dair", 2);
  const fs::path pcd = t.root / "infrastructure-side/velodyne" / (t.rsu_ids[1] + ".pcd");
  fs::remove(pcd);
  const cf::DairV2xDataset ds(t.root);
  DairLoaderOptions o;
  o.split = {1, 1};
  const DairV2xLoader loader(ds, o);
  EXPECT_NO_THROW(loader.get(0));
  try {
    loader.get(1);
    FAIL() << "expected FormatError";
  } catch (const cf::FormatError& e) {
    EXPECT_NE(std::string(e.what()).find(pcd.string()), std::string::npos) << e.what();
  }
}

TEST(DairV2xLoader, RealPairsGiveBoxesHoldingPointsOfBothAgents) {
  std::string tried;
  const fs::path root = ct::dair_example_root(&tried);
  if (root.empty()) {
    GTEST_SKIP() << "DAIR-V2X-C example data not found (tried " << tried
                 << "; set CONCORD_DAIR_ROOT or place it at ../shared/data/dair-v2x-c-example)";
  }
  const cf::DairV2xDataset ds(root);
  ASSERT_EQ(ds.size(), 38u) << "the example subset has 38 pairs";
  const DairV2xLoader train(ds, DairLoaderOptions{}, DairSplit::kTrain);
  const DairV2xLoader test(ds, DairLoaderOptions{}, DairSplit::kTest);
  EXPECT_EQ(train.size(), 30u);
  EXPECT_EQ(test.size(), 8u);
  std::set<std::string> train_frames;
  for (std::size_t i : train.indices()) {
    train_frames.insert(ds.info(i).vehicle_frame_id);
    train_frames.insert(ds.info(i).infrastructure_frame_id);
  }
  for (std::size_t i : test.indices()) {
    EXPECT_EQ(train_frames.count(ds.info(i).vehicle_frame_id), 0u);
    EXPECT_EQ(train_frames.count(ds.info(i).infrastructure_frame_id), 0u);
  }
  for (const DairV2xLoader* loader : {&train, &test}) {
    for (std::size_t k : {std::size_t{0}, loader->size() - 1}) {
      const auto s = loader->get(k);
      SCOPED_TRACE("vehicle frame " + s.timestamp);
      ASSERT_EQ(s.agents.size(), 2u);
      const auto ve = moved(s.agents[0].input.points.at(0), Eigen::Matrix4d::Identity());
      const auto re = moved(s.agents[1].input.points.at(0), to_eigen(s.agents[1].ego_from_agent));
      ASSERT_GT(s.gt_boxes.size(0), 0);
      int both = 0;
      for (int64_t b = 0; b < s.gt_boxes.size(0); ++b) {
        const at::Tensor box = s.gt_boxes[b];
        EXPECT_LE(std::abs(box[1].item<float>()), 51.2f + 3.0f);
        both += (count_in_box(ve, box) >= 5 && count_in_box(re, box) >= 5) ? 1 : 0;
      }
      EXPECT_GE(both, 3);
      const at::Tensor vi = s.agents[0].input.points.at(0).select(1, 3);
      EXPECT_GE(vi.min().item<float>(), 0.0f);
      EXPECT_LE(vi.max().item<float>(), 1.0f);
    }
  }
}
