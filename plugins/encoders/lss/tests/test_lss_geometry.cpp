// LSS geometry and depth supervision on hand-computed cases: LID bin edges and
// indices, frustum points in the LiDAR frame, the BEV splat, depth targets and
// the focal depth loss.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "bev_splat.hpp"
#include "depth_loss.hpp"
#include "frustum.hpp"
#include "lid_bins.hpp"

namespace {

using concord::plugins::lss::BevGrid;
using concord::plugins::lss::LidBins;

// HEAL m2/m4: 48 bins over [2, 50] m, Δ = 2·48 / (48·49) = 2/49 m.
constexpr double kDelta = 2.0 / 49.0;

TEST(LidBins, EdgesMatchHandComputedValues) {
  const LidBins bins;  // 2, 50, 48
  EXPECT_NEAR(bins.delta(), kDelta, 1e-12);
  at::Tensor e = bins.edges();
  ASSERT_EQ(e.sizes(), (std::vector<int64_t>{48}));
  EXPECT_EQ(e.scalar_type(), at::kFloat);
  EXPECT_NEAR(e[0].item<double>(), 2.0, 1e-6);
  EXPECT_NEAR(e[1].item<double>(), 2.0 + kDelta, 1e-6);
  EXPECT_NEAR(e[2].item<double>(), 2.0 + 3 * kDelta, 1e-6);
  EXPECT_NEAR(e[3].item<double>(), 2.0 + 6 * kDelta, 1e-6);
  EXPECT_NEAR(e[47].item<double>(), 2.0 + 1128 * kDelta, 1e-5);  // 47·48/2 = 1128
  EXPECT_NEAR(bins.edge(48), 50.0, 1e-9);                        // upper edge of the last bin
  EXPECT_THROW((LidBins{5.0, 2.0, 4}.edges()), c10::Error);
  EXPECT_THROW((LidBins{2.0, 50.0, 0}.check()), c10::Error);
}

TEST(LidBins, IndexOfDepthsClampsLikeHeal) {
  const LidBins bins;
  at::Tensor d = at::tensor({2.0, 2.0 + 0.5 * kDelta, 2.0 + 2 * kDelta, 2.0 + 3.5 * kDelta, 1.0,
                             49.9, 50.0, 80.0, std::nan("")});
  at::Tensor idx = concord::plugins::lss::lid_bin_index(d, bins);
  EXPECT_EQ(idx.scalar_type(), at::kLong);
  const std::vector<int64_t> expect{0, 0, 1, 2, 0, 47, 47, 47, 47};
  EXPECT_EQ(std::vector<int64_t>(idx.data_ptr<int64_t>(), idx.data_ptr<int64_t>() + idx.numel()),
            expect);
  EXPECT_THROW(concord::plugins::lss::lid_bin_index(at::ones({2}, at::kLong), bins), c10::Error);
}

// OpenCV camera (x right, y down, z forward) mounted looking along LiDAR +x
// (x forward, y right, z up) at t = (1.5, 0.2, 1.7) m:
// lidar = (z_cam, x_cam, -y_cam) + t.
at::Tensor camera_to_lidar() {
  at::Tensor t = at::zeros({1, 1, 4, 4});
  t[0][0][0][2] = 1.0;
  t[0][0][1][0] = 1.0;
  t[0][0][2][1] = -1.0;
  t[0][0][0][3] = 1.5;
  t[0][0][1][3] = 0.2;
  t[0][0][2][3] = 1.7;
  t[0][0][3][3] = 1.0;
  return t;
}

TEST(Frustum, PrincipalPointPixelLandsOnTheOpticalAxis) {
  EXPECT_DOUBLE_EQ(concord::plugins::lss::patch_centre(0, 8), 3.5);
  EXPECT_DOUBLE_EQ(concord::plugins::lss::patch_centre(2, 8), 19.5);
  // 2x3 feature cells at stride 8: u in {3.5, 11.5, 19.5}, v in {3.5, 11.5}.
  // Principal point at cell (row 0, col 1); f = 100 px.
  at::Tensor k =
      at::tensor({100.f, 0.f, 11.5f, 0.f, 100.f, 3.5f, 0.f, 0.f, 1.f}).view({1, 1, 3, 3});
  const LidBins bins;
  at::Tensor pts =
      concord::plugins::lss::frustum_points(k, camera_to_lidar(), bins.edges(), 2, 3, 8);
  ASSERT_EQ(pts.sizes(), (std::vector<int64_t>{1, 1, 48, 2, 3, 3}));
  const double d = 2.0 + 3 * kDelta;  // bin 2
  at::Tensor axis = pts[0][0][2][0][1];
  EXPECT_TRUE(at::allclose(axis, at::tensor({1.5 + d, 0.2, 1.7}).to(at::kFloat), 1e-5, 1e-5))
      << axis;
  // Cell (row 1, col 2): u − cx = v − cy = 8 px → x_cam = y_cam = 0.08·d.
  at::Tensor off = pts[0][0][2][1][2];
  EXPECT_TRUE(at::allclose(
      off, at::tensor({1.5 + d, 0.2 + 0.08 * d, 1.7 - 0.08 * d}).to(at::kFloat), 1e-5, 1e-5))
      << off;
  EXPECT_THROW(concord::plugins::lss::frustum_points(
                   k, at::eye(4).view({1, 1, 4, 4}).expand({2, 1, 4, 4}), bins.edges(), 2, 3, 8),
               c10::Error);
}

TEST(Splat, PointsLandInTheHandComputedCellAndOutOfRangeOnesAreDropped) {
  // x [-4, 4), y [-2, 2), z [-1, 1), 1 m cells: nx = 8, ny = 4.
  const BevGrid g = BevGrid::make(-4, 4, -2, 2, -1, 1, 1.0);
  ASSERT_EQ(g.nx, 8);
  ASSERT_EQ(g.ny, 4);
  at::Tensor pts = at::tensor({1.3f, -0.6f, 0.0f,     // sample 0: w 5, h 1
                               1.9f, -0.1f, 0.5f,     // sample 0: same cell, sums
                               4.2f, 0.0f, 0.0f,      // x out
                               0.0f, -2.5f, 0.0f,     // y out
                               0.0f, 0.0f, 1.5f,      // z out
                               -4.0f, 1.99f, -1.0f})  // sample 0: w 0, h 3 (lower bounds inclusive)
                       .view({1, 6, 3});
  at::Tensor feat =
      at::tensor({3.f, 5.f, 1.f, 1.f, 9.f, 9.f, 9.f, 9.f, 9.f, 9.f, 7.f, 2.f}).view({1, 6, 2});
  // Sample 1: one point at (−3.5, 1.5) → w 0, h 3.
  at::Tensor pts2 =
      at::cat({pts, at::tensor({-3.5f, 1.5f, 0.f}).view({1, 1, 3}).expand({1, 6, 3})});
  at::Tensor feat2 = at::cat({feat, at::tensor({1.f, 2.f}).view({1, 1, 2}).expand({1, 6, 2})});
  at::Tensor bev = concord::plugins::lss::splat_to_bev(feat2, pts2, g);
  ASSERT_EQ(bev.sizes(), (std::vector<int64_t>{2, 2, 4, 8}));
  at::Tensor expect = at::zeros({2, 2, 4, 8});
  expect[0][0][1][5] = 4.f;
  expect[0][1][1][5] = 6.f;
  expect[0][0][3][0] = 7.f;
  expect[0][1][3][0] = 2.f;
  expect[1][0][3][0] = 6.f;
  expect[1][1][3][0] = 12.f;
  EXPECT_TRUE(at::equal(bev, expect)) << bev;
  EXPECT_THROW(BevGrid::make(-4, 4, -2, 2, -1, 1, 0.3), c10::Error);
  EXPECT_THROW(concord::plugins::lss::splat_to_bev(feat, pts.narrow(1, 0, 5), g), c10::Error);
}

TEST(Splat, IsDifferentiableWithRespectToFeatures) {
  const BevGrid g = BevGrid::make(-4, 4, -2, 2, -1, 1, 1.0);
  at::Tensor pts = at::tensor({1.3f, -0.6f, 0.0f, 9.f, 0.f, 0.f}).view({1, 2, 3});
  at::Tensor feat = at::ones({1, 2, 3}).set_requires_grad(true);
  concord::plugins::lss::splat_to_bev(feat, pts, g).sum().backward();
  EXPECT_TRUE(at::equal(feat.grad(), at::tensor({1.f, 1.f, 1.f, 0.f, 0.f, 0.f}).view({1, 2, 3})));
}

// 1 image 16x16, stride 8 → 2x2 cells:
//  (0,0): mostly 10 m, one 5 m pixel and zeros → 5 m; (0,1): all zero → invalid;
//  (1,0): 60 m → clamped to the last bin; (1,1): 2 m → bin 0.
at::Tensor depth_image() {
  at::Tensor d = at::zeros({1, 16, 16});
  d.narrow(1, 0, 8).narrow(2, 0, 8).fill_(10.f);
  d[0][3][4] = 5.f;
  d[0][0][0] = 0.f;
  d.narrow(1, 8, 8).narrow(2, 0, 8).fill_(60.f);
  d.narrow(1, 8, 8).narrow(2, 8, 8).fill_(2.f);
  return d;
}

TEST(DepthLoss, TargetsAreTheNearestValidDepthPerPatch) {
  const LidBins bins;
  auto t = concord::plugins::lss::lid_depth_targets(depth_image(), 2, 2, 8, bins);
  const int64_t b5 = concord::plugins::lss::lid_bin_index(at::tensor({5.0}), bins).item<int64_t>();
  EXPECT_EQ(b5, 11);  // 5 m: edge(11) = 2 + 66Δ = 4.69, edge(12) = 2 + 78Δ = 5.18
  EXPECT_TRUE(
      at::equal(t.bins, at::tensor({b5, int64_t{0}, int64_t{47}, int64_t{0}}).view({1, 2, 2})));
  EXPECT_TRUE(at::equal(t.valid, at::tensor({1, 0, 1, 1}).to(at::kBool).view({1, 2, 2})));
  // Partial patches: a 12x20 image has ceil(12/8) x ceil(20/8) = 2x3 cells.
  auto p = concord::plugins::lss::lid_depth_targets(at::full({1, 12, 20}, 3.f), 2, 3, 8, bins);
  EXPECT_TRUE(p.valid.all().item<bool>());
  EXPECT_THROW(concord::plugins::lss::lid_depth_targets(depth_image(), 3, 2, 8, bins), c10::Error);
}

TEST(DepthLoss, ConfidentCorrectLogitsGiveZeroAndInvalidCellsAreIgnored) {
  const LidBins bins;
  auto t = concord::plugins::lss::lid_depth_targets(depth_image(), 2, 2, 8, bins);
  at::Tensor logits = at::zeros({1, 48, 2, 2});
  for (int64_t i = 0; i < 2; ++i) {
    for (int64_t j = 0; j < 2; ++j) logits[0][t.bins[0][i][j].item<int64_t>()][i][j] = 50.f;
  }
  // The invalid cell (0, 1) confidently predicts a wrong bin: it must not count.
  logits[0][0][0][1] = 0.f;
  logits[0][30][0][1] = 50.f;
  at::Tensor loss = concord::plugins::lss::depth_focal_loss(logits, depth_image(), bins);
  EXPECT_EQ(loss.dim(), 0);
  EXPECT_LT(loss.item<double>(), 1e-6);

  // Uniform logits: every valid cell has p_t = 1/D → −α(1 − 1/D)^γ·log(1/D).
  const double d = 48.0;
  const double expect = 0.25 * std::pow(1.0 - 1.0 / d, 2.0) * std::log(d);
  at::Tensor uniform = at::zeros({1, 48, 2, 2}).set_requires_grad(true);
  at::Tensor l = concord::plugins::lss::depth_focal_loss(uniform, depth_image(), bins);
  EXPECT_NEAR(l.item<double>(), expect, 1e-5);
  l.backward();
  EXPECT_TRUE(at::equal(uniform.grad().select(3, 1).select(2, 0), at::zeros({1, 48})));
  EXPECT_GT(uniform.grad().abs().sum().item<double>(), 0.0);

  // No measurement at all: loss 0.
  at::Tensor none = concord::plugins::lss::depth_focal_loss(uniform, at::zeros({1, 16, 16}), bins);
  EXPECT_EQ(none.item<double>(), 0.0);
  EXPECT_THROW(
      concord::plugins::lss::depth_focal_loss(at::zeros({1, 40, 2, 2}), depth_image(), bins),
      c10::Error);
}

}  // namespace
