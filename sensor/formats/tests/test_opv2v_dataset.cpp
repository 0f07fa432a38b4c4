// OPV2V dataset reader on a tiny dataset written into a temp folder (sheet §1.1, §1.2).
#include "concord/formats/error.hpp"
#include "concord/formats/opv2v_dataset.hpp"
#include "concord/formats/pcd.hpp"
#include "tiny_dataset.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>

namespace cf = concord::formats;
namespace fs = std::filesystem;

namespace {

constexpr double kPi = 3.14159265358979323846;

// Per-process, per-test folder: ctest runs each test in its own process, in parallel.
fs::path unique_temp(const std::string& what) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return fs::temp_directory_path() /
         ("concord_" + what + "_" + std::to_string(::getpid()) + "_" + info->name());
}

fs::path tiny_root() {
  static const fs::path root = cf::testing::write_tiny_opv2v(unique_temp("tiny_opv2v"));
  return root;
}

}  // namespace

TEST(Opv2vDataset, ListsScenariosAgentsFramesDeterministically) {
  const cf::Opv2vDataset ds(tiny_root(), "test");
  ASSERT_EQ(ds.scenarios(), (std::vector<std::string>{cf::testing::kTinyScenario}));
  // OpenCOOD order: folder names sorted as strings ("1000" < "641"), RSU last.
  EXPECT_EQ(ds.agents(cf::testing::kTinyScenario), (std::vector<std::string>{"1000", "641", "-1"}));
  EXPECT_EQ(ds.timestamps(cf::testing::kTinyScenario),
            (std::vector<std::string>{"000068", "000070"}));
  ASSERT_EQ(ds.size(), 2u);
  EXPECT_EQ(ds.frame_key(1).second, "000070");
  EXPECT_THROW(ds.frame_key(2), std::out_of_range);
  const auto dp = ds.data_protocol(cf::testing::kTinyScenario);
  ASSERT_TRUE(dp.has_value());
  EXPECT_EQ(dp->dataset, "tiny");
}

TEST(Opv2vDataset, FrameAgentsFilesAndLazyPoints) {
  const cf::Opv2vDataset ds(tiny_root(), "test");
  const cf::Opv2vFrame f = ds.frame(0);
  EXPECT_EQ(f.ego().id(), "1000");
  const cf::Opv2vAgentFrame& a = f.agent("641");
  EXPECT_TRUE(a.has_points(64));
  EXPECT_TRUE(a.has_points(32));
  EXPECT_FALSE(a.has_points(16));
  EXPECT_EQ(a.points(64).rows(), 3);
  EXPECT_EQ(a.points(32).rows(), 2);
  EXPECT_FLOAT_EQ(a.points(32)(1, 3), 0.9f);
  EXPECT_THROW(a.points(16), cf::FormatError);
  EXPECT_THROW(a.points(8), std::invalid_argument);
  EXPECT_FALSE(f.agent("1000").has_points(64));
  EXPECT_TRUE(a.has_camera_image(0));
  EXPECT_FALSE(a.has_camera_image(1));
  EXPECT_EQ(a.camera_image(0).width, 80);
  EXPECT_EQ(a.depth_image(0).meters[0], 12.0f);
  EXPECT_EQ(a.camera_intrinsic(0)(0, 0), 40.0);
  EXPECT_THROW(a.camera_intrinsic(2), cf::FormatError);
  EXPECT_THROW(f.agent("999"), std::out_of_range);
}

TEST(Opv2vDataset, ObjectsInAgentFrames) {
  const cf::Opv2vDataset ds(tiny_root(), "test");
  const cf::Opv2vFrame f = ds.frame(cf::testing::kTinyScenario, "000068");
  // In 641's frame (world-aligned at the origin): vehicle 5 only (7 out of
  // range, CAV 641 excluded), centre (10, 0, 0), l 4, w 2, h 1.5, yaw pi/2.
  const auto in641 = f.objects_in("641");
  ASSERT_EQ(in641.size(), 1u);
  EXPECT_EQ(in641[0].id, 5);
  EXPECT_NEAR(in641[0].box.x, 10, 1e-9);
  EXPECT_NEAR(in641[0].box.y, 0, 1e-9);
  EXPECT_NEAR(in641[0].box.l, 4, 1e-9);
  EXPECT_NEAR(in641[0].box.w, 2, 1e-9);
  EXPECT_NEAR(in641[0].box.h, 1.5, 1e-9);
  EXPECT_NEAR(in641[0].box.yaw, kPi / 2, 1e-9);
  // In 1000's frame (at (20, 0, 0), yaw 90): R^T ((10,0,0) - (20,0,0)) = (0, 10, 0), yaw 0.
  const auto in1000 = f.objects_in("1000");
  ASSERT_EQ(in1000.size(), 1u);
  EXPECT_NEAR(in1000[0].box.x, 0, 1e-9);
  EXPECT_NEAR(in1000[0].box.y, 10, 1e-9);
  EXPECT_NEAR(in1000[0].box.yaw, 0, 1e-9);
  // Without the CAV exclusion, agent 1000's listing of 641 shows up too.
  const auto with_cavs = f.objects_in("641", cf::kOpenCoodGtRange, false);
  EXPECT_EQ(with_cavs.size(), 2u);
}

TEST(Opv2vDataset, PointsInOtherAgentFrameDropEgoHits) {
  const cf::Opv2vDataset ds(tiny_root(), "test");
  const cf::Opv2vFrame f = ds.frame(0);
  const cf::PointMatrix p = f.points_in("641", "1000");
  ASSERT_EQ(p.rows(), 2);  // (0.5, 0, 0) was inside the ego box
  // (10,0,0) -> (0, 10, 0); (0,5,1) -> R^T((0,5,1) - (20,0,0)) = (5, 20, 1).
  EXPECT_NEAR(p(0, 0), 0, 1e-5);
  EXPECT_NEAR(p(0, 1), 10, 1e-5);
  EXPECT_NEAR(p(1, 0), 5, 1e-5);
  EXPECT_NEAR(p(1, 1), 20, 1e-5);
  EXPECT_NEAR(p(1, 2), 1, 1e-5);
  EXPECT_FLOAT_EQ(p(1, 3), 0.9f);
  EXPECT_EQ(f.points_in("641", "641", 64, false).rows(), 3);
}

TEST(Opv2vDataset, ClearErrorsNamingTheFile) {
  EXPECT_THROW(cf::Opv2vDataset(tiny_root(), "train"), cf::FormatError);
  // Remove one agent's YAML for 000070 in a copy: loading that frame names it.
  const fs::path copy = unique_temp("tiny_broken");
  cf::testing::write_tiny_opv2v(copy);
  const fs::path missing = copy / "test" / cf::testing::kTinyScenario / "641" / "000070.yaml";
  fs::remove(missing);
  const cf::Opv2vDataset ds(copy, "test");
  try {
    ds.frame(1);
    FAIL();
  } catch (const cf::FormatError& e) {
    EXPECT_NE(std::string(e.what()).find(missing.string()), std::string::npos) << e.what();
  }
  // A corrupt point cloud names its file.
  const fs::path pcd = copy / "test" / cf::testing::kTinyScenario / "641" / "000068.pcd";
  fs::resize_file(pcd, fs::file_size(pcd) - 4);
  const cf::Opv2vFrame f = ds.frame(0);
  try {
    f.agent("641").points();
    FAIL();
  } catch (const cf::FormatError& e) {
    EXPECT_NE(std::string(e.what()).find(pcd.string()), std::string::npos) << e.what();
  }
  fs::remove_all(copy);
}

TEST(Opv2vDataset, HeteroRootFallback) {
  // _16.pcd placed only in an OPV2V_Hetero mirror is found through options.
  const fs::path hetero = unique_temp("tiny_hetero");
  fs::remove_all(hetero);
  const fs::path dir = hetero / "test" / cf::testing::kTinyScenario / "641";
  fs::create_directories(dir);
  cf::PointMatrix pts(1, 4);
  pts << 1, 2, 3, 0.25f;
  cf::write_pcd_xyzi(dir / "000068_16.pcd", pts, cf::PcdData::kBinary);
  cf::Opv2vDatasetOptions opt;
  opt.hetero_root = hetero;
  const cf::Opv2vDataset ds(tiny_root(), "test", opt);
  const cf::Opv2vFrame f = ds.frame(0);
  ASSERT_TRUE(f.agent("641").has_points(16));
  EXPECT_EQ(f.agent("641").points(16)(0, 2), 3.0f);
  fs::remove_all(hetero);
}
