// Render smoke tests: box pixels get the box colour where geometry says they should.
#include "concord/formats/png.hpp"
#include "concord/viz/bev.hpp"
#include "concord/viz/camera_view.hpp"
#include "concord/viz/canvas.hpp"
#include "tiny_dataset.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>

namespace cf = concord::formats;
namespace cv = concord::viz;
namespace fs = std::filesystem;

namespace {

fs::path unique_temp(const std::string& what) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return fs::temp_directory_path() /
         ("concord_viz_" + what + "_" + std::to_string(::getpid()) + "_" + info->name());
}

}  // namespace

TEST(Canvas, BresenhamLineAndClipping) {
  cv::Canvas c(10, 5, cv::Rgb{0, 0, 0});
  const cv::Rgb red{255, 0, 0};
  c.draw_line(0, 0, 9, 4, red);
  EXPECT_EQ(c.pixel(0, 0), red);
  EXPECT_EQ(c.pixel(9, 4), red);
  EXPECT_EQ(c.pixel(9, 0), cv::Rgb{});
  // A line far outside is clipped without visiting its huge extent.
  c.draw_line(-1e9, 2, 1e9, 2, red);
  EXPECT_EQ(c.pixel(5, 2), red);
  c.draw_line(-100, -100, -50, -50, cv::Rgb{1, 2, 3});
  EXPECT_EQ(c.pixel(0, 0), red);
}

TEST(Bev, GtBoxPixelsHaveBoxColour) {
  const fs::path root = cf::testing::write_tiny_opv2v(unique_temp("bev"));
  const cf::Opv2vDataset ds(root, "test");
  const cf::Opv2vFrame f = ds.frame(0);
  cv::BevOptions opt;  // +-51.2 m at 0.1 m/px -> 1024 x 1024
  const cv::BevImage bev = cv::render_bev(f, "641", opt);
  ASSERT_EQ(bev.image().width, 1024);
  ASSERT_EQ(bev.image().height, 1024);
  // Vehicle 5 in 641's frame: centre (10, 0), yaw 90, l 4 along y, w 2 along x:
  // corners x in [9, 11], y in [-2, 2]. Edge x = 11 -> v = (51.2 - 11) / 0.1 = 402,
  // at y = 0 -> u = 512. Edge y = -2 at x = 10 -> (u, v) = (492, 412).
  EXPECT_EQ(bev.canvas().pixel(512, 402), opt.gt_color);
  EXPECT_EQ(bev.canvas().pixel(492, 412), opt.gt_color);
  EXPECT_EQ(bev.canvas().pixel(532, 407), opt.gt_color);  // edge y = +2 at x = 10.5
  // Inside the box away from edges/heading tick stays background.
  EXPECT_EQ(bev.canvas().pixel(500, 405), opt.background);
  // 641's point (0, 5, 1) -> (u, v) = (562, 512), coloured with 641's colour
  // (agent index 1 in OpenCOOD order "1000", "641", "-1").
  EXPECT_EQ(bev.canvas().pixel(562, 512), opt.agent_colors[1]);
  // Predicted boxes overlay in another colour.
  cv::BevImage over = bev;
  const cv::Rgb red{255, 0, 0};
  cf::Box7 pred;
  pred.x = -20;
  pred.y = 10;
  pred.l = 4;
  pred.w = 2;
  pred.h = 1.5;
  pred.yaw = 0;  // x in [-22, -18], y in [9, 11]: edge x = -18 at y = 10 -> (u, v) = (612, 692)
  cv::draw_boxes(over, {pred}, red);
  EXPECT_EQ(over.canvas().pixel(612, 692), red);
  EXPECT_EQ(bev.canvas().pixel(612, 692), opt.background);
  const fs::path png = root / "bev.png";
  cv::save_png(png, over);
  EXPECT_EQ(cf::read_png_rgb(png).width, 1024);
  fs::remove_all(root);
}

TEST(CameraView, ProjectedBoxEdges) {
  const fs::path root = cf::testing::write_tiny_opv2v(unique_temp("cam"));
  const cf::Opv2vDataset ds(root, "test");
  const cf::Opv2vFrame f = ds.frame(0);
  const cv::CameraViewOptions opt;
  const cv::Canvas img = cv::render_camera(f, "641", 0, opt);
  ASSERT_EQ(img.width(), 80);
  ASSERT_EQ(img.height(), 60);
  // Near bottom edge of vehicle 5: corners (9, +-2, -0.75) -> u = 40 +- 40*2/9,
  // v = 30 + 40*0.75/9 = 33.3 -> row 33, columns 31..49.
  EXPECT_EQ(img.pixel(40, 33), opt.box_color);
  // Near vertical edge at u = 48.9 spans v 26.7 .. 33.3.
  EXPECT_EQ(img.pixel(49, 30), opt.box_color);
  // Centre of the face is the original gray image.
  EXPECT_EQ(img.pixel(40, 30), (cv::Rgb{50, 50, 50}));
  // Agent 1000 has no camera in its YAML.
  EXPECT_THROW(cv::render_camera(f, "1000", 0), cf::FormatError);
  fs::remove_all(root);
}
