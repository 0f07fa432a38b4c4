// PNG and depth PNG read/write (sheet §1.1 camera PNGs, §1.2 OPV2V-H depth).
#include "concord/formats/depth_png.hpp"
#include "concord/formats/error.hpp"
#include "concord/formats/png.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace cf = concord::formats;
namespace fs = std::filesystem;

namespace {

fs::path tmp(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("concord_png_test_" + std::to_string(::getpid()));
  fs::create_directories(d);
  return d / name;
}

}  // namespace

TEST(Png, RgbRoundTrip) {
  cf::Image8 img(5, 3, 3);
  for (std::size_t i = 0; i < img.data.size(); ++i) img.data[i] = static_cast<std::uint8_t>(i * 7);
  cf::write_png(tmp("rgb.png"), img);
  const cf::Image8 r = cf::read_png_rgb(tmp("rgb.png"));
  EXPECT_EQ(r.width, 5);
  EXPECT_EQ(r.height, 3);
  EXPECT_EQ(r.channels, 3);
  EXPECT_EQ(r.data, img.data);
  const cf::PngInfo info = cf::read_png_info(tmp("rgb.png"));
  EXPECT_EQ(info.channels, 3);
  EXPECT_EQ(info.bit_depth, 8);
}

TEST(Png, GrayIsExpandedToRgb) {
  cf::Image8 g(2, 1, 1);
  g.data = {10, 200};
  cf::write_png(tmp("gray.png"), g);
  const cf::Image8 r = cf::read_png_rgb(tmp("gray.png"));
  EXPECT_EQ(r.data, (std::vector<std::uint8_t>{10, 10, 10, 200, 200, 200}));
}

TEST(Png, Gray16RoundTrip) {
  cf::Image16 img;
  img.width = 3;
  img.height = 2;
  img.data = {0, 1, 255, 256, 40000, 65535};
  cf::write_png_gray16(tmp("g16.png"), img);
  const cf::Image16 r = cf::read_png_gray16(tmp("g16.png"));
  EXPECT_EQ(r.data, img.data);
}

TEST(DepthPng, ConcordU16RoundTrip) {
  cf::DepthImage d;
  d.width = 4;
  d.height = 1;
  d.meters = {0.0f, 1.234f, 99.99f, 300.0f};
  cf::write_depth_png(tmp("d16.png"), d);
  const cf::DepthImage r = cf::read_depth_png(tmp("d16.png"));
  EXPECT_EQ(r.meters[0], 0.0f);
  EXPECT_NEAR(r.meters[1], 1.234f, 1.0 / 512);
  EXPECT_NEAR(r.meters[2], 99.99f, 1.0 / 512);
  EXPECT_NEAR(r.meters[3], 65535.0 / 256.0, 1e-6);  // clamped
}

TEST(DepthPng, Opv2vHEightBitIsMetres) {
  // HEAL feeds the raw 8-bit value as metres: value 37 -> 37 m.
  cf::Image8 g(2, 1, 1);
  g.data = {37, 255};
  cf::write_png(tmp("opv2vh.png"), g);
  const cf::DepthImage r = cf::read_depth_png(tmp("opv2vh.png"));
  EXPECT_EQ(r.meters[0], 37.0f);
  EXPECT_EQ(r.meters[1], 255.0f);
}

TEST(DepthPng, CarlaRgb24) {
  // (R, G, B) = (0, 0, 1) -> 65536 / (2^24 - 1) * 1000 m = 3.9062502 m.
  cf::Image8 c(1, 1, 3);
  c.data = {0, 0, 1};
  cf::write_png(tmp("carla.png"), c);
  const cf::DepthImage r = cf::read_depth_png(tmp("carla.png"));
  EXPECT_NEAR(r.meters[0], 65536.0 / 16777215.0 * 1000.0, 1e-5);
  cf::DepthImage d;
  d.width = 1;
  d.height = 1;
  d.meters = {12.5f};
  cf::write_depth_png(tmp("carla2.png"), d, cf::DepthEncoding::kCarlaRgb24);
  EXPECT_NEAR(cf::read_depth_png(tmp("carla2.png")).meters[0], 12.5f, 1e-4);
  EXPECT_THROW(cf::read_depth_png(tmp("carla2.png"), cf::DepthEncoding::kOpv2vHU8),
               cf::FormatError);
}

TEST(Png, RefusesNonPngAndMissing) {
  std::ofstream(tmp("bad.png")) << "hello, not a png";
  try {
    cf::read_png_rgb(tmp("bad.png"));
    FAIL();
  } catch (const cf::FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("bad.png"), std::string::npos);
  }
  // A truncated PNG (valid signature) is refused too.
  cf::Image8 img(64, 64, 3, 9);
  cf::write_png(tmp("cut.png"), img);
  fs::resize_file(tmp("cut.png"), 40);
  EXPECT_THROW(cf::read_png_rgb(tmp("cut.png")), cf::FormatError);
  EXPECT_THROW(cf::read_png_rgb(tmp("missing.png")), cf::FormatError);
  EXPECT_THROW(cf::depth_encoding_from_string("mm16"), cf::FormatError);
  EXPECT_EQ(cf::depth_encoding_from_string("opv2v_h_u8"), cf::DepthEncoding::kOpv2vHU8);
}
