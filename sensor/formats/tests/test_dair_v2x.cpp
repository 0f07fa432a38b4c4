// DAIR-V2X-C reader (sheet §1.3): synthetic fixtures with known poses, hand-made
// binary_compressed clouds, refusal paths, and the real example data (skipped
// when absent; see dair_fixture.hpp for where it is looked for).
#include "concord/formats/dair_v2x.hpp"
#include "concord/formats/error.hpp"
#include "concord/formats/pcd.hpp"
#include "concord/formats/pose.hpp"
#include "dair_fixture.hpp"

#include <gtest/gtest.h>
#include <lzf.h>
#include <Eigen/Dense>

#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

namespace cf = concord::formats;
namespace ct = concord::test;
namespace fs = std::filesystem;

namespace {

fs::path temp_dir() {
  const fs::path d =
      fs::temp_directory_path() / ("concord_dair_test_" + std::to_string(::getpid()) + "_" +
                                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

template <typename T>
void put(std::string& s, T v) {
  s.append(reinterpret_cast<const char*>(&v), sizeof(T));
}

// Expects `fn` to throw FormatError whose one-line message contains every needle.
template <typename Fn>
void expect_format_error(Fn fn, const std::vector<std::string>& needles) {
  try {
    fn();
    ADD_FAILURE() << "expected FormatError";
  } catch (const cf::FormatError& e) {
    const std::string msg = e.what();
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    for (const auto& n : needles) EXPECT_NE(msg.find(n), std::string::npos) << n << " in: " << msg;
  }
}

#define CONCORD_REQUIRE_DAIR(root)                                                               \
  std::string tried_;                                                                            \
  const fs::path root = ct::dair_example_root(&tried_);                                          \
  if (root.empty()) {                                                                            \
    GTEST_SKIP() << "DAIR-V2X-C example data not found (tried " << tried_                        \
                 << "; set CONCORD_DAIR_ROOT or place it at ../shared/data/dair-v2x-c-example)"; \
  }

// Points (rows, world) inside the box given by DAIR world corners (c0 c1 c3 c4 span it).
int count_inside(const Eigen::Matrix<double, Eigen::Dynamic, 3>& pts, const cf::Corners8& c) {
  const Eigen::Vector3d o = c.row(0).transpose();
  const Eigen::Vector3d e[3] = {(c.row(1) - c.row(0)).transpose(),
                                (c.row(3) - c.row(0)).transpose(),
                                (c.row(4) - c.row(0)).transpose()};
  int n = 0;
  for (Eigen::Index i = 0; i < pts.rows(); ++i) {
    const Eigen::Vector3d p = pts.row(i).transpose() - o;
    bool in = true;
    for (const auto& ek : e) {
      const double t = p.dot(ek) / ek.squaredNorm();
      in = in && t >= 0.0 && t <= 1.0;
    }
    n += in ? 1 : 0;
  }
  return n;
}

Eigen::Matrix<double, Eigen::Dynamic, 3> to_world(const cf::DairAgentFrame& side,
                                                  const cf::DairPoints& pts) {
  return cf::transform_points(side.lidar_to_world, pts.xyzi.leftCols(3).cast<double>());
}

}  // namespace

// ---------------------------------------------------------------- PCD fixtures

TEST(DairPcd, HandMadeBinaryCompressedDecodesToKnownValues) {
  // Vehicle layout x y z (F4) intensity (U1) timestamp (F8), 3 points, LZF-compressed.
  Eigen::MatrixXd xyzi(3, 4);
  xyzi << 1.5, -2.0, 0.25, 7,  //
      10.0, 20.0, -1.75, 255,  //
      -100.5, 0.0, 3.0, 0;
  const std::vector<double> stamps{1626240241.604435, 1626240241.604436, 1626240241.7};
  const std::string file = ct::encode_dair_pcd(xyzi, stamps);
  const cf::PointCloud c = cf::parse_pcd(file, "veh.pcd");
  ASSERT_EQ(c.size(), 3);
  EXPECT_EQ(c.columns, (std::vector<std::string>{"x", "y", "z", "intensity", "timestamp"}));
  for (int i = 0; i < 3; ++i) {
    for (int k = 0; k < 4; ++k) EXPECT_EQ(c.points(i, k), static_cast<float>(xyzi(i, k)));
  }
  // float32 cannot hold the Unix time; the f64 path is exact.
  EXPECT_EQ(cf::parse_pcd_field_f64(file, "timestamp", "veh.pcd"), stamps);
  EXPECT_EQ(cf::parse_pcd_field_f64(file, "intensity", "veh.pcd"),
            (std::vector<double>{7, 255, 0}));

  // The same through DairAgentFrame::read_points, and the RSU layout (all F4).
  const fs::path d = temp_dir();
  write(d / "veh.pcd", file);
  write(d / "rsu.pcd", ct::encode_dair_pcd(xyzi.array() / 256.0, {}));
  cf::DairAgentFrame veh, rsu;
  veh.pointcloud = d / "veh.pcd";
  rsu.pointcloud = d / "rsu.pcd";
  const cf::DairPoints vp = veh.read_points();
  EXPECT_EQ(vp.intensity_full_scale, 255.0);
  EXPECT_EQ(vp.timestamp_s, stamps);
  EXPECT_EQ(vp.xyzi(1, 3), 255.0f);
  EXPECT_EQ(vp.xyzi(2, 0), -100.5f);
  const cf::DairPoints rp = rsu.read_points();
  EXPECT_EQ(rp.intensity_full_scale, 1.0);
  EXPECT_TRUE(rp.timestamp_s.empty());
  EXPECT_EQ(rp.xyzi(1, 3), static_cast<float>(255.0 / 256.0));
}

TEST(DairPcd, Float64FieldInBinaryAndAscii) {
  std::string bin =
      "VERSION 0.7\nFIELDS x t\nSIZE 4 8\nTYPE F F\nCOUNT 1 1\nWIDTH 2\nHEIGHT 1\nPOINTS 2\n"
      "DATA binary\n";
  put(bin, 1.0f);
  put(bin, 1626240241.123456);
  put(bin, 2.0f);
  put(bin, 1626240242.654321);
  EXPECT_EQ(cf::parse_pcd_field_f64(bin, "t", "b.pcd"),
            (std::vector<double>{1626240241.123456, 1626240242.654321}));
  const std::string ascii =
      "VERSION 0.7\nFIELDS x t\nSIZE 4 8\nTYPE F F\nWIDTH 2\nHEIGHT 1\nPOINTS 2\nDATA ascii\n"
      "1 1626240241.123456\n2 1626240242.654321\n";
  EXPECT_EQ(cf::parse_pcd_field_f64(ascii, "t", "a.pcd"),
            (std::vector<double>{1626240241.123456, 1626240242.654321}));
  expect_format_error([&] { cf::parse_pcd_field_f64(bin, "timestamp", "b.pcd"); },
                      {"b.pcd", "no field 'timestamp'", "FIELDS: x t"});
}

TEST(DairPcd, TruncatedCloudNamesTheFile) {
  Eigen::MatrixXd xyzi = Eigen::MatrixXd::Random(200, 4).cwiseAbs() * 100.0;
  const std::string file = ct::encode_dair_pcd(xyzi, std::vector<double>(200, 1.6e9));
  const fs::path d = temp_dir();
  cf::DairAgentFrame veh;
  veh.pointcloud = d / "015372.pcd";
  write(veh.pointcloud, file.substr(0, file.size() - 40));
  expect_format_error([&] { veh.read_points(); }, {veh.pointcloud.string(), "truncated"});
  // Header cut inside the FIELDS block: no DATA line.
  write(veh.pointcloud, file.substr(0, 60));
  expect_format_error([&] { veh.read_points(); }, {veh.pointcloud.string(), "DATA"});
  // A cloud without intensity.
  write(
      veh.pointcloud,
      "VERSION 0.7\nFIELDS x y z\nSIZE 4 4 4\nTYPE F F F\nWIDTH 1\nPOINTS 1\nDATA ascii\n1 2 3\n");
  expect_format_error([&] { veh.read_points(); }, {veh.pointcloud.string(), "'intensity'"});
}

// ---------------------------------------------------------------- labels, calibration

TEST(DairLabels, NumbersMayBeStringsAndMissingFieldsAreNamed) {
  const std::string text = R"([
    {"type": "Car", "truncated_state": "1", "occluded_state": 2, "alpha": "0.5",
     "2d_box": {"xmin": 1, "ymin": 2.5, "xmax": "3", "ymax": 4},
     "3d_dimensions": {"h": 1.5, "w": "2.0", "l": 4},
     "3d_location": {"x": "10.25", "y": -3, "z": " -1.5 "}, "rotation": -0.75}
  ])";
  const auto objs = cf::parse_dair_labels(text, "lbl.json", cf::DairLabelKind::kSide);
  ASSERT_EQ(objs.size(), 1u);
  const cf::DairObject& o = objs[0];
  EXPECT_EQ(o.type, "Car");
  EXPECT_EQ(o.truncated_state, 1);
  EXPECT_EQ(o.occluded_state, 2);
  EXPECT_EQ(o.alpha, 0.5);
  EXPECT_EQ(o.box2d, (std::array<double, 4>{1, 2.5, 3, 4}));
  const cf::Box7 b = o.box7();
  EXPECT_EQ(b.to_array(), (std::array<double, 7>{10.25, -3, -1.5, 1.5, 2.0, 4, -0.75}));

  const fs::path d = temp_dir();
  const fs::path missing = d / "label" / "lidar" / "015372.json";
  write(missing, R"([{"type": "Car", "3d_dimensions": {"h": 1, "w": 2, "l": 4},
    "3d_location": {"x": 1, "y": 2, "z": 3}, "rotation": 0},
    {"type": "Car", "3d_dimensions": {"w": 2, "l": 4},
    "3d_location": {"x": 1, "y": 2, "z": 3}, "rotation": 0}])");
  expect_format_error([&] { cf::read_dair_labels(missing, cf::DairLabelKind::kSide); },
                      {missing.string(), "object 1", "'3d_dimensions.h'", "expected a number"});
  write(missing, R"([{"type": "Car", "3d_dimensions": {"h": "tall", "w": 2, "l": 4},
    "3d_location": {"x": 1, "y": 2, "z": 3}, "rotation": 0}])");
  expect_format_error([&] { cf::read_dair_labels(missing, cf::DairLabelKind::kSide); },
                      {missing.string(), "object 0", "'3d_dimensions.h' = \"tall\""});
  // Cooperative labels need world_8_points (8 x 3), not rotation.
  write(missing, R"([{"type": "car", "3d_dimensions": {"h": 1, "w": 2, "l": 4},
    "3d_location": {"x": 1, "y": 2, "z": 3}, "world_8_points": [[0, 0, 0]]}])");
  expect_format_error([&] { cf::read_dair_labels(missing, cf::DairLabelKind::kCooperative); },
                      {missing.string(), "world_8_points", "8 corners"});
  write(missing, "[{\"type\": ");
  expect_format_error([&] { cf::read_dair_labels(missing, cf::DairLabelKind::kSide); },
                      {missing.string(), "invalid JSON"});
  expect_format_error([&] { cf::read_dair_labels(d / "nope.json", cf::DairLabelKind::kSide); },
                      {(d / "nope.json").string(), "cannot open"});
}

TEST(DairCalib, RigidFilesWrappedOrPlainAndRefusals) {
  const fs::path d = temp_dir();
  write(d / "plain.json",
        R"({"rotation": [[0, -1, 0], [1, 0, 0], [0, 0, 1]], "translation": [[1], [2], [3]]})");
  write(d / "wrapped.json",
        R"({"frame": "ENU", "transform": {"rotation": [[1, 0, 0], [0, 1, 0], [0, 0, 1]],
            "translation": [[0.5], ["0.25"], [0]]}})");
  const Eigen::Matrix4d a = cf::read_dair_rigid(d / "plain.json");
  EXPECT_EQ(a(1, 0), 1.0);
  EXPECT_EQ(a(0, 1), -1.0);
  EXPECT_EQ(a(2, 3), 3.0);
  EXPECT_EQ(cf::read_dair_rigid(d / "wrapped.json")(1, 3), 0.25);
  write(d / "bad.json", R"({"rotation": [[1, 0, 0], [0, 1, 0]], "translation": [[0], [0], [0]]})");
  expect_format_error([&] { cf::read_dair_rigid(d / "bad.json"); },
                      {(d / "bad.json").string(), "'rotation'", "3 x 3"});
  write(d / "skew.json",
        R"({"rotation": [[1, 0, 0], [0, 2, 0], [0, 0, 1]], "translation": [[0], [0], [0]]})");
  expect_format_error([&] { cf::read_dair_rigid(d / "skew.json"); },
                      {(d / "skew.json").string(), "not a rotation"});
  EXPECT_NO_THROW(cf::read_dair_rigid(d / "skew.json", false));
  write(d / "notr.json", R"({"rotation": [[1, 0, 0], [0, 1, 0], [0, 0, 1]]})");
  expect_format_error([&] { cf::read_dair_rigid(d / "notr.json"); },
                      {(d / "notr.json").string(), "missing key 'translation'"});
}

// ---------------------------------------------------------------- synthetic dataset

TEST(DairDataset, SyntheticPairsSortedWithKnownCalibrationChains) {
  const ct::TinyDair t = ct::write_tiny_dair(temp_dir() / "dair", 3);
  const cf::DairV2xDataset ds(t.root);
  ASSERT_EQ(ds.size(), 3u);
  for (std::size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(ds.info(k).vehicle_frame_id, t.vehicle_ids[k]);  // time order, not file order
    EXPECT_EQ(ds.info(k).infrastructure_frame_id, t.rsu_ids[k]);
  }
  const cf::DairPair p = ds.pair(0);
  EXPECT_TRUE(p.vehicle.lidar_to_world.isApprox(t.vehicle_lidar_to_world, 1e-12));
  EXPECT_TRUE(p.infrastructure.lidar_to_world.isApprox(t.rsu_lidar_to_world, 1e-12));
  EXPECT_EQ(p.info.system_error_offset_x, t.offset_x);
  EXPECT_EQ(p.vehicle.intersection_loc, "tiny01");
  EXPECT_EQ(p.vehicle.pointcloud_timestamp_us, 1626240241604435);
  EXPECT_EQ(p.infrastructure.camera.width, 32);
  EXPECT_EQ(p.vehicle.camera.intrinsic(0, 0), 40.0);
  EXPECT_EQ(p.vehicle.camera.distortion.size(), 5u);
  EXPECT_TRUE((p.vehicle.camera.camera_to_lidar() * p.vehicle.camera.lidar_to_camera)
                  .isApprox(Eigen::Matrix4d::Identity(), 1e-12));
  const cf::Image8 img = p.infrastructure.read_image();
  EXPECT_EQ(img.width, 32);
  EXPECT_EQ(img.height, 24);
  EXPECT_NEAR(img.data[0], 128, 3);
  EXPECT_THROW(ds.info(3), std::out_of_range);

  // Both sides' points land in the cooperative world boxes (27 each per box).
  const auto coop = p.read_cooperative_labels();
  ASSERT_EQ(coop.size(), 2u);
  EXPECT_FALSE(coop[0].rotation.has_value());
  const auto vw = to_world(p.vehicle, p.vehicle.read_points());
  const auto rw = to_world(p.infrastructure, p.infrastructure.read_points());
  for (const auto& o : coop) {
    EXPECT_EQ(count_inside(vw, *o.world_8_points), 27);
    EXPECT_EQ(count_inside(rw, *o.world_8_points), 27);
  }
  // Per-side labels (RSU numbers are strings) match the world boxes through the poses.
  const auto rl = p.infrastructure.read_lidar_labels();
  ASSERT_EQ(rl.size(), 2u);
  const Eigen::Vector4d c =
      p.infrastructure.lidar_to_world *
      Eigen::Vector4d(rl[1].location.x(), rl[1].location.y(), rl[1].location.z(), 1.0);
  EXPECT_NEAR(c.x(), t.world_boxes[1].x, 1e-5);
  EXPECT_NEAR(c.y(), t.world_boxes[1].y, 1e-5);
  EXPECT_EQ(p.vehicle.read_camera_labels().size(), 2u);
}

TEST(DairDataset, MissingOrMalformedFilesNameTheFile) {
  const ct::TinyDair t = ct::write_tiny_dair(temp_dir() / "dair", 2);
  // Missing calibration file.
  const fs::path calib =
      t.root / "vehicle-side/calib/lidar_to_novatel" / (t.vehicle_ids[1] + ".json");
  fs::remove(calib);
  {
    const cf::DairV2xDataset ds(t.root);
    EXPECT_NO_THROW(ds.pair(0));
    expect_format_error([&] { ds.pair(1); }, {calib.string(), "cannot open"});
  }
  // Malformed RSU pose calibration.
  const fs::path v2w =
      t.root / "infrastructure-side/calib/virtuallidar_to_world" / (t.rsu_ids[0] + ".json");
  write(v2w, R"({"rotation": [[1, 0, 0], [0, 1, 0], [0, 0, 1]], "translation": [[1], [2]]})");
  expect_format_error([&] { cf::DairV2xDataset(t.root).pair(0); },
                      {v2w.string(), "'translation'", "3 x 1"});
  // Cooperative data_info: a pair without system_error_offset, then a dangling frame.
  const fs::path info = t.root / "cooperative/data_info.json";
  write(info, R"([{"vehicle_pointcloud_path": "vehicle-side/velodyne/015372.pcd",
    "vehicle_image_path": "vehicle-side/image/015372.jpg",
    "infrastructure_pointcloud_path": "infrastructure-side/velodyne/000016.pcd",
    "infrastructure_image_path": "infrastructure-side/image/000016.jpg",
    "cooperative_label_path": "cooperative/label_world/015372.json"}])");
  expect_format_error([&] { cf::DairV2xDataset{t.root}; },
                      {info.string(), "pair 0", "'system_error_offset.delta_x'"});
  write(info, R"([{"vehicle_pointcloud_path": "vehicle-side/velodyne/999999.pcd",
    "vehicle_image_path": "vehicle-side/image/999999.jpg",
    "infrastructure_pointcloud_path": "infrastructure-side/velodyne/000016.pcd",
    "infrastructure_image_path": "infrastructure-side/image/000016.jpg",
    "cooperative_label_path": "cooperative/label_world/999999.json",
    "system_error_offset": {"delta_x": 0, "delta_y": 0}}])");
  expect_format_error([&] { cf::DairV2xDataset{t.root}; }, {info.string(), "'999999'"});
  fs::remove(t.root / "vehicle-side/data_info.json");
  expect_format_error([&] { cf::DairV2xDataset{t.root}; },
                      {(t.root / "vehicle-side/data_info.json").string(), "cannot open"});
}

// ---------------------------------------------------------------- real example data

TEST(DairExample, EveryShippedPairParses) {
  CONCORD_REQUIRE_DAIR(root);
  const cf::DairV2xDataset ds(root);
  ASSERT_GT(ds.size(), 0u);
  std::int64_t prev_us = 0;
  for (std::size_t k = 0; k < ds.size(); ++k) {
    SCOPED_TRACE("pair " + std::to_string(k) + " vehicle " + ds.info(k).vehicle_frame_id);
    const cf::DairPair p = ds.pair(k);
    EXPECT_GE(p.vehicle.pointcloud_timestamp_us, prev_us);  // time order
    prev_us = p.vehicle.pointcloud_timestamp_us;
    // Sides are close in time (DAIR pairs within ~100 ms) and in space (< 200 m).
    EXPECT_LT(
        std::abs(p.vehicle.pointcloud_timestamp_us - p.infrastructure.pointcloud_timestamp_us),
        200000);
    const Eigen::Vector2d rel = p.vehicle_from_infrastructure().topRightCorner<2, 1>();
    EXPECT_LT(rel.norm(), 200.0);

    const cf::DairPoints v = p.vehicle.read_points();
    const cf::DairPoints r = p.infrastructure.read_points();
    EXPECT_GT(v.xyzi.rows(), 1000);
    EXPECT_GT(r.xyzi.rows(), 1000);
    EXPECT_TRUE(v.xyzi.allFinite());
    EXPECT_EQ(v.intensity_full_scale, 255.0);
    EXPECT_EQ(r.intensity_full_scale, 1.0);
    ASSERT_EQ(v.timestamp_s.size(), static_cast<std::size_t>(v.xyzi.rows()));
    EXPECT_NEAR(v.timestamp_s.front(),
                1e-6 * static_cast<double>(p.vehicle.pointcloud_timestamp_us), 0.5);
    EXPECT_TRUE(r.timestamp_s.empty());

    const auto coop = p.read_cooperative_labels();
    EXPECT_GT(coop.size(), 0u);
    for (const auto& o : coop) {
      ASSERT_TRUE(o.world_8_points.has_value());
      const cf::Box7 b = cf::corners_to_box7(*o.world_8_points);
      EXPECT_NEAR(b.l, o.l, 0.05);  // world_8_points agree with the dimensions
      EXPECT_NEAR(b.w, o.w, 0.05);
    }
    EXPECT_GT(p.vehicle.read_lidar_labels().size(), 0u);
    EXPECT_GT(p.infrastructure.read_lidar_labels().size(), 0u);
    EXPECT_NO_THROW(p.vehicle.read_camera_labels());
    EXPECT_NO_THROW(p.infrastructure.read_camera_labels());
    EXPECT_GT(p.vehicle.camera.intrinsic(0, 0), 100.0);
    EXPECT_GT(p.infrastructure.camera.intrinsic(1, 1), 100.0);
    EXPECT_TRUE(fs::is_regular_file(p.vehicle.camera.image));
    EXPECT_TRUE(fs::is_regular_file(p.infrastructure.camera.image));
  }
  // One JPEG of each side decodes at full size.
  const cf::DairPair p0 = ds.pair(0);
  const cf::Image8 vi = p0.vehicle.read_image();
  EXPECT_EQ(vi.width, 1920);
  EXPECT_EQ(vi.height, 1080);
  EXPECT_EQ(p0.infrastructure.read_image().width, 1920);
}

TEST(DairExample, BothSidesPointsFallInsideTheSameCooperativeBoxes) {
  // Validates both calibration chains: vehicle points via novatel_to_world ∘
  // lidar_to_novatel, RSU points via virtuallidar_to_world + system_error_offset,
  // must land in the same world_8_points boxes.
  CONCORD_REQUIRE_DAIR(root);
  const cf::DairV2xDataset ds(root);
  long with_offset = 0, without_offset = 0;  // RSU points in boxes, pairs with an offset
  for (std::size_t k = 0; k < ds.size(); ++k) {
    SCOPED_TRACE("pair " + std::to_string(k) + " vehicle " + ds.info(k).vehicle_frame_id);
    const cf::DairPair p = ds.pair(k);
    const cf::DairPoints vp = p.vehicle.read_points();
    const cf::DairPoints rp = p.infrastructure.read_points();
    const auto vw = to_world(p.vehicle, vp);
    const auto rw = to_world(p.infrastructure, rp);
    // Controls: the vehicle chain without lidar_to_novatel (novatel_to_world
    // alone); the RSU pose without system_error_offset.
    const Eigen::Matrix4d novatel_to_world = cf::read_dair_rigid(
        root / "vehicle-side/calib/novatel_to_world" / (p.vehicle.frame_id + ".json"));
    const auto vs = cf::transform_points(novatel_to_world, vp.xyzi.leftCols(3).cast<double>());
    Eigen::Matrix4d raw = p.infrastructure.lidar_to_world;
    raw(0, 3) -= p.info.system_error_offset_x;
    raw(1, 3) -= p.info.system_error_offset_y;
    const bool has_offset = raw != p.infrastructure.lidar_to_world;
    const auto rr = cf::transform_points(raw, rp.xyzi.leftCols(3).cast<double>());
    int both = 0, both_wrong = 0;
    long hits = 0, hits_wrong = 0;
    for (const auto& o : p.read_cooperative_labels()) {
      const cf::Corners8& c = *o.world_8_points;
      const int nv = count_inside(vw, c), nr = count_inside(rw, c);
      both += (nv >= 5 && nr >= 5) ? 1 : 0;
      const int nw = count_inside(vs, c);
      both_wrong += (nw >= 5 && nr >= 5) ? 1 : 0;
      hits += nv;
      hits_wrong += nw;
      if (has_offset) {
        with_offset += nr;
        without_offset += count_inside(rr, c);
      }
    }
    EXPECT_GE(both, 3) << "boxes with >= 5 points from each side";
    EXPECT_LT(both_wrong, both) << "the chain without lidar_to_novatel must lose boxes";
    EXPECT_GT(hits, 3 * hits_wrong) << "vehicle points in boxes, right vs. wrong chain";
  }
  // Adding system_error_offset (the field's convention) fits the GT better than not.
  if (with_offset + without_offset > 0) {
    EXPECT_GT(with_offset, without_offset);
  }
}
