// PCD reader/writer: round trips, hand-made fixtures, refusal paths (sheet §1.1, §1.3).
#include "concord/formats/error.hpp"
#include "concord/formats/pcd.hpp"

#include <gtest/gtest.h>
#include <lzf.h>

#include <unistd.h>

#include <charconv>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

namespace cf = concord::formats;
namespace fs = std::filesystem;

namespace {

fs::path temp_dir() {
  const fs::path d =
      fs::temp_directory_path() / ("concord_pcd_test_" + std::to_string(::getpid()) + "_" +
                                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
  fs::create_directories(d);
  return d;
}

cf::PointCloud random_cloud(int n) {
  std::mt19937 rng(42);
  std::uniform_real_distribution<float> u(-120.f, 120.f);
  cf::PointCloud c;
  c.columns = {"x", "y", "z", "intensity"};
  c.points.resize(n, 4);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < 3; ++j) c.points(i, j) = u(rng);
    c.points(i, 3) = std::abs(u(rng)) / 120.f;
  }
  c.points(0, 0) = 1e-30f;  // tiny value survives every mode
  c.points(1, 1) = -0.0f;
  return c;
}

template <typename T>
void put(std::string& s, T v) {
  s.append(reinterpret_cast<const char*>(&v), sizeof(T));
}

bool bit_equal(const cf::PointMatrix& a, const cf::PointMatrix& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::memcmp(a.data(), b.data(), sizeof(float) * static_cast<std::size_t>(a.size())) == 0;
}

}  // namespace

TEST(Pcd, BinaryRoundTripIsBitExact) {
  const fs::path p = temp_dir() / "a.pcd";
  const cf::PointCloud c = random_cloud(1000);
  cf::write_pcd(p, c, cf::PcdData::kBinary);
  const cf::PointCloud r = cf::read_pcd(p);
  EXPECT_EQ(r.columns, c.columns);
  EXPECT_TRUE(bit_equal(r.points, c.points));
  EXPECT_EQ(cf::read_pcd_header(p).data, cf::PcdData::kBinary);
}

TEST(Pcd, BinaryCompressedRoundTripIsBitExact) {
  const fs::path p = temp_dir() / "a.pcd";
  const cf::PointCloud c = random_cloud(1000);
  cf::write_pcd(p, c, cf::PcdData::kBinaryCompressed);
  const cf::PointCloud r = cf::read_pcd(p);
  EXPECT_EQ(r.columns, c.columns);
  EXPECT_TRUE(bit_equal(r.points, c.points));
  const cf::PcdHeader h = cf::read_pcd_header(p);
  EXPECT_EQ(h.data, cf::PcdData::kBinaryCompressed);
  EXPECT_EQ(h.points, 1000u);
}

TEST(Pcd, AsciiRoundTripWithinPrintPrecision) {
  const fs::path p = temp_dir() / "a.pcd";
  const cf::PointCloud c = random_cloud(200);
  cf::write_pcd_xyzi(p, c.points, cf::PcdData::kAscii);
  const cf::PointCloud r = cf::read_pcd(p);
  ASSERT_EQ(r.points.rows(), 200);
  for (int i = 0; i < 200; ++i) {
    for (int j = 0; j < 4; ++j) EXPECT_FLOAT_EQ(r.points(i, j), c.points(i, j));
  }
  // Shortest round-trip printing makes ascii exact as well.
  EXPECT_TRUE(bit_equal(r.points, c.points));
}

TEST(Pcd, EmptyCloudAllModes) {
  const fs::path d = temp_dir();
  cf::PointCloud c;
  c.columns = {"x", "y", "z", "intensity"};
  c.points.resize(0, 4);
  for (auto mode : {cf::PcdData::kAscii, cf::PcdData::kBinary, cf::PcdData::kBinaryCompressed}) {
    cf::write_pcd(d / "e.pcd", c, mode);
    EXPECT_EQ(cf::read_pcd(d / "e.pcd").size(), 0);
  }
}

TEST(Pcd, HandMadeBinaryCompressedLiteralRun) {
  // Two points, fields x y z (F4) intensity (U1): column-major payload
  // x0 x1 y0 y1 z0 z1 i0 i1 = 6*4 + 2 = 26 bytes. LZF literal run: control
  // byte L-1 = 25 followed by the 26 literal bytes.
  std::string payload;
  for (float v : {1.5f, -2.0f, 3.25f, 4.0f, -0.5f, 100.0f}) put(payload, v);
  put<std::uint8_t>(payload, 7);
  put<std::uint8_t>(payload, 255);
  ASSERT_EQ(payload.size(), 26u);
  std::string lzf;
  put<std::uint8_t>(lzf, 25);
  lzf += payload;
  std::string file =
      "# .PCD v0.7\nVERSION 0.7\nFIELDS x y z intensity\nSIZE 4 4 4 1\nTYPE F F F U\n"
      "COUNT 1 1 1 1\nWIDTH 2\nHEIGHT 1\nVIEWPOINT 0 0 0 1 0 0 0\nPOINTS 2\nDATA "
      "binary_compressed\n";
  put<std::uint32_t>(file, static_cast<std::uint32_t>(lzf.size()));
  put<std::uint32_t>(file, 26);
  file += lzf;
  const cf::PointCloud c = cf::parse_pcd(file, "fixture.pcd");
  ASSERT_EQ(c.size(), 2);
  EXPECT_EQ(c.columns, (std::vector<std::string>{"x", "y", "z", "intensity"}));
  EXPECT_EQ(c.points(0, 0), 1.5f);
  EXPECT_EQ(c.points(1, 0), -2.0f);
  EXPECT_EQ(c.points(0, 1), 3.25f);
  EXPECT_EQ(c.points(1, 1), 4.0f);
  EXPECT_EQ(c.points(0, 2), -0.5f);
  EXPECT_EQ(c.points(1, 2), 100.0f);
  EXPECT_EQ(c.points(0, 3), 7.0f);
  EXPECT_EQ(c.points(1, 3), 255.0f);
}

TEST(Pcd, MixedTypesAndCountsViaLzfCompress) {
  // Fields: a F8, b I2 with COUNT 2, t U4, c I1 -> columns a b_0 b_1 t c.
  const int n = 50;
  std::string raw;
  for (int i = 0; i < n; ++i) put<double>(raw, 0.25 * i);
  for (int i = 0; i < n; ++i) {
    put<std::int16_t>(raw, static_cast<std::int16_t>(-i));
    put<std::int16_t>(raw, static_cast<std::int16_t>(1000 + i));
  }
  for (int i = 0; i < n; ++i) put<std::uint32_t>(raw, 70000u + static_cast<std::uint32_t>(i));
  for (int i = 0; i < n; ++i) put<std::int8_t>(raw, static_cast<std::int8_t>(-100 + i));
  std::string comp(raw.size() * 2 + 16, '\0');
  const unsigned csize = lzf_compress(raw.data(), static_cast<unsigned>(raw.size()), comp.data(),
                                      static_cast<unsigned>(comp.size()));
  ASSERT_GT(csize, 0u);
  std::string file =
      "VERSION .7\nFIELDS a b t c\nSIZE 8 2 4 1\nTYPE F I U I\nCOUNT 1 2 1 1\nWIDTH 50\n"
      "HEIGHT 1\nPOINTS 50\nDATA binary_compressed\n";
  put<std::uint32_t>(file, csize);
  put<std::uint32_t>(file, static_cast<std::uint32_t>(raw.size()));
  file.append(comp.data(), csize);
  const cf::PointCloud c = cf::parse_pcd(file, "mixed.pcd");
  EXPECT_EQ(c.columns, (std::vector<std::string>{"a", "b_0", "b_1", "t", "c"}));
  for (int i = 0; i < n; ++i) {
    EXPECT_EQ(c.points(i, 0), 0.25f * static_cast<float>(i));
    EXPECT_EQ(c.points(i, 1), static_cast<float>(-i));
    EXPECT_EQ(c.points(i, 2), static_cast<float>(1000 + i));
    EXPECT_EQ(c.points(i, 3), static_cast<float>(70000 + i));
    EXPECT_EQ(c.points(i, 4), static_cast<float>(-100 + i));
  }
}

TEST(Pcd, DairStyleBinaryFields) {
  // DAIR-V2X layout (sheet §1.3): x y z intensity timestamp, SIZE 4 4 4 1 8, TYPE F F F U F.
  std::string file =
      "VERSION 0.7\nFIELDS x y z intensity timestamp\nSIZE 4 4 4 1 8\nTYPE F F F U F\n"
      "COUNT 1 1 1 1 1\nWIDTH 1\nHEIGHT 1\nVIEWPOINT 0 0 0 1 0 0 0\nPOINTS 1\nDATA binary\n";
  put(file, 1.0f);
  put(file, 2.0f);
  put(file, 3.0f);
  put<std::uint8_t>(file, 42);
  put(file, 1626155926.25);
  const cf::PointCloud c = cf::parse_pcd(file, "dair.pcd");
  ASSERT_EQ(c.size(), 1);
  EXPECT_EQ(c.points(0, 3), 42.0f);
  EXPECT_EQ(c.points(0, 4), static_cast<float>(1626155926.25));
  const cf::PointMatrix xyzi = cf::to_xyzi(c);
  EXPECT_EQ(xyzi(0, 2), 3.0f);
  EXPECT_EQ(xyzi(0, 3), 42.0f);
}

TEST(Pcd, Open3dRgbKeepsIntensityInRed) {
  // Open3D writes colours as a float whose bits are 0x00RRGGBB; OPV2V stores
  // intensity in R. R = 200, G = 10, B = 3.
  const std::uint32_t bits = (200u << 16) | (10u << 8) | 3u;
  float packed;
  std::memcpy(&packed, &bits, 4);
  std::string bin =
      "VERSION 0.7\nFIELDS x y z rgb\nSIZE 4 4 4 4\nTYPE F F F F\nCOUNT 1 1 1 1\n"
      "WIDTH 1\nHEIGHT 1\nPOINTS 1\nDATA binary\n";
  put(bin, 1.0f);
  put(bin, 2.0f);
  put(bin, 3.0f);
  put(bin, packed);
  const cf::PointCloud c = cf::parse_pcd(bin, "o3d.pcd");
  EXPECT_EQ(c.columns, (std::vector<std::string>{"x", "y", "z", "r", "g", "b"}));
  EXPECT_FLOAT_EQ(c.points(0, 3), 200.0f / 255.0f);
  EXPECT_FLOAT_EQ(c.points(0, 4), 10.0f / 255.0f);
  EXPECT_FLOAT_EQ(c.points(0, 5), 3.0f / 255.0f);
  EXPECT_FLOAT_EQ(cf::to_xyzi(c)(0, 3), 200.0f / 255.0f);

  // Ascii: Open3D prints the packed float, PCL prints the packed integer.
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof(buf), packed);
  const std::string head =
      "VERSION 0.7\nFIELDS x y z rgb\nSIZE 4 4 4 4\nTYPE F F F F\nCOUNT 1 1 1 1\n"
      "WIDTH 2\nHEIGHT 1\nPOINTS 2\nDATA ascii\n";
  const std::string ascii =
      head + "1 2 3 " + std::string(buf, res.ptr) + "\n4 5 6 " + std::to_string(bits) + "\n";
  const cf::PointCloud a = cf::parse_pcd(ascii, "o3d_ascii.pcd");
  EXPECT_FLOAT_EQ(a.points(0, 3), 200.0f / 255.0f);
  EXPECT_FLOAT_EQ(a.points(1, 3), 200.0f / 255.0f);
  EXPECT_FLOAT_EQ(a.points(1, 5), 3.0f / 255.0f);
}

TEST(Pcd, TruncatedBinaryRefusedWithFileName) {
  const fs::path p = temp_dir() / "trunc.pcd";
  cf::write_pcd(p, random_cloud(100), cf::PcdData::kBinary);
  fs::resize_file(p, fs::file_size(p) - 10);
  try {
    cf::read_pcd(p);
    FAIL() << "expected FormatError";
  } catch (const cf::FormatError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(p.string()), std::string::npos) << msg;
    EXPECT_NE(msg.find("truncated"), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
}

TEST(Pcd, TruncatedCompressedRefusedWithFileName) {
  const fs::path p = temp_dir() / "trunc_c.pcd";
  cf::write_pcd(p, random_cloud(100), cf::PcdData::kBinaryCompressed);
  fs::resize_file(p, fs::file_size(p) - 10);
  try {
    cf::read_pcd(p);
    FAIL() << "expected FormatError";
  } catch (const cf::FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("trunc_c.pcd"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
  }
}

TEST(Pcd, TruncatedAsciiRefused) {
  const std::string s =
      "VERSION 0.7\nFIELDS x y z\nSIZE 4 4 4\nTYPE F F F\nWIDTH 3\nHEIGHT 1\n"
      "POINTS 3\nDATA ascii\n1 2 3\n4 5 6\n";
  EXPECT_THROW(cf::parse_pcd(s, "t.pcd"), cf::FormatError);
}

TEST(Pcd, SizeMismatchAndBadHeaderRefused) {
  std::string s =
      "VERSION 0.7\nFIELDS x y z\nSIZE 4 4 4\nTYPE F F F\nWIDTH 2\nHEIGHT 1\n"
      "POINTS 2\nDATA binary_compressed\n";
  put<std::uint32_t>(s, 4);
  put<std::uint32_t>(s, 20);  // should be 2 * 12 = 24
  s += "abcd";
  try {
    cf::parse_pcd(s, "mismatch.pcd");
    FAIL();
  } catch (const cf::FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("mismatch.pcd: size mismatch"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(
      cf::parse_pcd("VERSION 0.7\nFIELDS x y\nSIZE 4\nTYPE F F\nWIDTH 1\nDATA ascii\n", "h.pcd"),
      cf::FormatError);
  EXPECT_THROW(
      cf::parse_pcd("VERSION 0.7\nFIELDS x\nSIZE 3\nTYPE F\nWIDTH 1\nDATA ascii\n1\n", "h.pcd"),
      cf::FormatError);
  EXPECT_THROW(cf::parse_pcd("not a pcd at all", "h.pcd"), cf::FormatError);
  EXPECT_THROW(cf::read_pcd("/nonexistent/dir/x.pcd"), cf::FormatError);
}

TEST(Pcd, RemoveEgoPoints) {
  cf::PointMatrix m(4, 4);
  m << 0, 0, 0, 1,        // inside the ego box
      2.95f, 1.1f, 0, 2,  // on the boundary: inside (inclusive)
      3.0f, 0, 0, 3,      // ahead of the box
      -2.0f, 0, 0, 4;     // behind the box
  const cf::PointMatrix k = cf::remove_ego_points(m);
  ASSERT_EQ(k.rows(), 2);
  EXPECT_EQ(k(0, 3), 3.0f);
  EXPECT_EQ(k(1, 3), 4.0f);
}

TEST(Pcd, DairV2xExampleMatchesHeader) {
  const std::string rel = "vehicle-side/velodyne";
  fs::path dir = fs::path("../shared/data/dair-v2x-c-example") / rel;
#ifdef CONCORD_SHARED_DATA_DIR
  if (!fs::is_directory(dir)) dir = fs::path(CONCORD_SHARED_DATA_DIR) / "dair-v2x-c-example" / rel;
#endif
  if (!fs::is_directory(dir)) GTEST_SKIP() << "DAIR-V2X example data not found at " << dir;
  fs::path first;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".pcd" && (first.empty() || e.path() < first)) first = e.path();
  }
  if (first.empty()) GTEST_SKIP() << "no .pcd in " << dir;
  const cf::PcdHeader h = cf::read_pcd_header(first);
  const cf::PointCloud c = cf::read_pcd(first);
  EXPECT_EQ(static_cast<std::uint64_t>(c.size()), h.points);
  EXPECT_GT(c.size(), 1000);
  EXPECT_TRUE(c.has_column("x") && c.has_column("intensity"));
  // Points are finite and within a sane LiDAR range.
  const cf::PointMatrix xyzi = cf::to_xyzi(c, first.string());
  EXPECT_TRUE(xyzi.allFinite());
  EXPECT_LT(xyzi.leftCols(3).cwiseAbs().maxCoeff(), 500.0f);
}
