// NegoCollab's alignment losses on hand-made tensors with hand-computed values.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>

#include "concord/negocollab/losses.hpp"

namespace {

namespace nl = concord::negocollab;

TEST(NegoLosses, DistributionLossMatchesHandValue) {
  // x = [0, 2, 4, 6] on a 2x2 map, y = 0. Mean term: (0 + 4 + 16 + 36) / 4 = 14.
  // std_x = sqrt(var_unbiased 20/3 + 1e-4) = 2.582008, std_y = sqrt(1e-4) = 0.01,
  // std term = sqrt((2.582008 - 0.01)^2 + 1e-4) = 2.572028; weight 0.5 → 15.286014.
  const at::Tensor x = at::tensor({0.f, 2.f, 4.f, 6.f}).view({1, 1, 2, 2});
  const at::Tensor y = at::zeros({1, 1, 2, 2});
  EXPECT_NEAR(nl::distribution_loss(x, y, 0.5).item<double>(), 15.286014, 1e-4);
  // Defaults of the cycle / unify wrappers: weight 0.001.
  EXPECT_NEAR(nl::cycle_loss(x, y).item<double>(), 14.0 + 0.001 * 2.572028, 1e-4);
  EXPECT_NEAR(nl::unify_distribution_loss(x, y).item<double>(), 14.0 + 0.001 * 2.572028, 1e-4);
  // Identical inputs: only the sqrt(1e-4) floor of the std term remains, per channel.
  const at::Tensor z = at::rand({2, 3, 4, 5});
  EXPECT_NEAR(nl::distribution_loss(z, z, 1.0).item<double>(), 3 * 0.01, 1e-6);
  EXPECT_THROW(nl::distribution_loss(z, at::zeros({2, 3, 4}), 1.0), c10::Error);
}

TEST(NegoLosses, KeypointsOfAxisAlignedAndTurnedBoxes) {
  // Centre (1, 2), l = 4 along the heading, w = 2.
  const at::Tensor box = at::tensor({1.f, 2.f, 0.f, 1.5f, 2.f, 4.f, 0.f}).view({1, 7});
  const at::Tensor kp = nl::box_keypoints(box)[0];
  const float want[9][2] = {{3, 3}, {3, 1}, {-1, 1}, {-1, 3}, {1, 2},
                            {3, 2}, {1, 1}, {-1, 2}, {1, 3}};
  for (int i = 0; i < 9; ++i) {
    EXPECT_NEAR(kp[i][0].item<float>(), want[i][0], 1e-5) << i;
    EXPECT_NEAR(kp[i][1].item<float>(), want[i][1], 1e-5) << i;
  }
  // Turned by 90 deg: box-frame (x, y) → (−y, x); corner (+2, +1) → (−1, 2) + (1, 2).
  at::Tensor turned = box.clone();
  turned[0][6] = static_cast<float>(M_PI / 2);
  const at::Tensor kt = nl::box_keypoints(turned)[0];
  EXPECT_NEAR(kt[0][0].item<float>(), 0.0f, 1e-5);
  EXPECT_NEAR(kt[0][1].item<float>(), 4.0f, 1e-5);
  EXPECT_NEAR(kt[4][0].item<float>(), 1.0f, 1e-5);  // the centre stays
  EXPECT_NEAR(kt[4][1].item<float>(), 2.0f, 1e-5);
}

concord::BevGrid grid16() {
  concord::BevGrid g;
  g.x_min = g.y_min = -6.4;
  g.x_max = g.y_max = 6.4;
  g.resolution = 0.8;
  return g;
}

TEST(NegoLosses, StructuralLossIsZeroForEqualMapsAndOneMinusCosineForConstantOnes) {
  const at::Tensor box = at::tensor({0.f, 0.f, 0.f, 1.5f, 1.6f, 3.9f, 0.3f}).view({1, 7});
  const at::Tensor f = at::rand({1, 8, 16, 16});
  EXPECT_NEAR(nl::structural_loss(f, f, {box}, grid16()).item<double>(), 0.0, 1e-6);
  // Constant maps e0 (student) and e1 (teacher): every sampled vector is the same unit
  // vector (times 1 / (1 + 1e-4)), so S_ss = T_tt and S_st = 0:
  // loss = mean |0 − T_tt| = 1 / (1 + 1e-4)^2 = 0.99980 for the single box.
  at::Tensor a = at::zeros({1, 2, 16, 16}), b = at::zeros({1, 2, 16, 16});
  a.select(1, 0).fill_(1.0f);
  b.select(1, 1).fill_(1.0f);
  EXPECT_NEAR(nl::structural_loss(a, b, {box}, grid16()).item<double>(), 0.99980, 1e-4);
  // No box: zero, still differentiable.
  at::Tensor s = at::rand({1, 2, 16, 16}).requires_grad_(true);
  at::Tensor none = nl::structural_loss(s, b, {at::zeros({0, 7})}, grid16());
  EXPECT_EQ(none.item<double>(), 0.0);
  none.backward();
  EXPECT_TRUE(s.grad().defined());
}

TEST(NegoLosses, StructuralLossGradientsReachStudentAndTeacher) {
  const at::Tensor box = at::tensor({1.f, -2.f, 0.f, 1.5f, 1.6f, 3.9f, 1.0f}).view({1, 7});
  at::Tensor s = at::rand({2, 4, 16, 16}).requires_grad_(true);
  at::Tensor t = at::rand({2, 4, 16, 16}).requires_grad_(true);
  at::Tensor l = nl::structural_loss(s, t, {box, at::zeros({0, 7})}, grid16());
  EXPECT_GT(l.item<double>(), 0.0);
  l.backward();
  EXPECT_GT(s.grad().abs().sum().item<double>(), 0.0);
  EXPECT_GT(t.grad().abs().sum().item<double>(), 0.0);
  // Only cells near the box get gradient; the second sample has none.
  EXPECT_EQ(s.grad()[1].abs().sum().item<double>(), 0.0);
}

TEST(NegoLosses, PragmaticFocalLossMatchesHandValueAndIgnoresUnlabelledCells) {
  // Logits 0 (p = 0.5) on an occupied and a free cell, one ignored cell:
  // occupied: 0.25 · 0.5² · ln 2 = 0.0433217, weight 2 / 1 positive;
  // free:     0.75 · 0.5² · ln 2 = 0.1299651, weight 1 / 1 → 0.2166085.
  const at::Tensor logits = at::tensor({0.f, 0.f, 3.f}).view({1, 1, 1, 3});
  const at::Tensor labels = at::tensor({1.f, 0.f, -1.f}).view({1, 1, 1, 3});
  EXPECT_NEAR(nl::pragmatic_loss(logits, labels).item<double>(), 0.2166085, 1e-6);
  // Two identical samples: divided by B, so the same value.
  EXPECT_NEAR(
      nl::pragmatic_loss(logits.repeat({2, 1, 1, 1}), labels.repeat({2, 1, 1, 1})).item<double>(),
      0.2166085, 1e-6);
  EXPECT_THROW(nl::pragmatic_loss(logits, labels.view({1, 1, 3, 1})), c10::Error);
}

}  // namespace
