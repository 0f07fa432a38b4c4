// BEV warping between agent frames: exact cell shifts and rotations, and A→B→A.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>

#include "concord/error.hpp"
#include "concord/geometry/bev_warp.hpp"

namespace {

concord::BevGrid grid8() {
  concord::BevGrid g;
  g.x_min = g.y_min = -4.0;
  g.x_max = g.y_max = 4.0;
  g.resolution = 1.0;
  return g;
}

at::Tensor rigid(double yaw_rad, double tx, double ty) {
  at::Tensor t = at::eye(4, at::kDouble);
  t[0][0] = std::cos(yaw_rad);
  t[0][1] = -std::sin(yaw_rad);
  t[1][0] = std::sin(yaw_rad);
  t[1][1] = std::cos(yaw_rad);
  t[0][3] = tx;
  t[1][3] = ty;
  return t.unsqueeze(0);
}

TEST(BevGrid, SizesAndValidation) {
  concord::BevGrid g;
  g.x_min = -102.4;
  g.x_max = 102.4;
  g.y_min = -51.2;
  g.y_max = 51.2;
  g.resolution = 0.8;
  EXPECT_EQ(g.width(), 256);
  EXPECT_EQ(g.height(), 128);
  EXPECT_EQ(g.downsampled(2).width(), 128);
  EXPECT_NO_THROW(g.validate());
  g.resolution = 0.7;
  EXPECT_THROW(g.validate(), concord::ConfigError);
}

TEST(BevWarp, IdentityReturnsTheMap) {
  at::Tensor f = at::randn({1, 3, 8, 8});
  EXPECT_TRUE(at::allclose(concord::warp_bev(f, rigid(0, 0, 0), grid8()), f, 1e-5, 1e-5));
}

TEST(BevWarp, TranslationByTwoCellsShiftsExactly) {
  // dst point p samples the source at p + (2 m, 0): dst[h, w] = src[h, w + 2].
  at::Tensor f = at::arange(64, at::kFloat).view({1, 1, 8, 8});
  at::Tensor out = concord::warp_bev(f, rigid(0, 2.0, 0), grid8());
  EXPECT_TRUE(at::allclose(out.narrow(3, 0, 6), f.narrow(3, 2, 6)));
  EXPECT_EQ(out.narrow(3, 6, 2).abs().sum().item<float>(), 0.0f);
  at::Tensor mask = concord::warp_bev_mask(rigid(0, 2.0, 0), grid8());
  EXPECT_EQ(mask.sum().item<float>(), 48.0f);  // 6 of 8 columns covered
}

TEST(BevWarp, QuarterTurnMovesCellsAsComputedByHand) {
  // R(+90°): dst (x, y) samples src (-y, x). With centres x = w - 3.5, y = h - 3.5:
  // w' = 7 - h, h' = w, so dst[h][w] = src[w][7 - h].
  at::Tensor f = at::arange(64, at::kFloat).view({1, 1, 8, 8});
  at::Tensor out = concord::warp_bev(f, rigid(M_PI / 2, 0, 0), grid8());
  auto o = out.accessor<float, 4>();
  auto s = f.accessor<float, 4>();
  for (int h = 0; h < 8; ++h) {
    for (int w = 0; w < 8; ++w)
      EXPECT_NEAR(o[0][0][h][w], s[0][0][w][7 - h], 1e-4) << h << "," << w;
  }
}

TEST(BevWarp, AToBToAReturnsTheMapWhereCovered) {
  concord::BevGrid g;
  g.x_min = g.y_min = -32.0;
  g.x_max = g.y_max = 32.0;
  g.resolution = 0.5;
  const int64_t n = g.width();
  // A smooth map of the A frame.
  at::Tensor xs = (at::arange(n, at::kFloat) + 0.5) * g.resolution + g.x_min;
  at::Tensor f = (at::sin(xs / 5).view({1, n}) + at::cos(xs / 7).view({n, 1})).view({1, 1, n, n});
  at::Tensor a_from_b = rigid(0.35, 4.0, -3.0);
  at::Tensor b_from_a = at::inverse(a_from_b[0]).unsqueeze(0);
  at::Tensor in_b = concord::warp_bev(f, a_from_b, g);
  at::Tensor back = concord::warp_bev(in_b, b_from_a, g);
  // Cells whose round trip stayed inside both maps, away from the borders.
  at::Tensor covered =
      concord::warp_bev_mask(b_from_a, g) *
      concord::warp_bev(concord::warp_bev_mask(a_from_b, g), b_from_a, g, "nearest");
  // Erode by 2 cells, counting outside the map as uncovered (bilinear blends the border).
  covered =
      covered * (at::max_pool2d(at::constant_pad_nd(1 - covered, {2, 2, 2, 2}, 1), 5, 1) == 0);
  ASSERT_GT(covered.sum().item<float>(), 0.4 * n * n);
  const float err = ((back - f).abs() * covered).max().item<float>();
  EXPECT_LT(err, 0.02f);
}

TEST(BevWarp, RefusesMismatchedShapes) {
  EXPECT_THROW(concord::warp_bev(at::zeros({1, 1, 7, 8}), rigid(0, 0, 0), grid8()), c10::Error);
  EXPECT_THROW(concord::warp_bev(at::zeros({2, 1, 8, 8}), rigid(0, 0, 0), grid8()), c10::Error);
  EXPECT_THROW(concord::bev_affine_theta(at::zeros({1, 3, 3}), grid8()), c10::Error);
}

}  // namespace
