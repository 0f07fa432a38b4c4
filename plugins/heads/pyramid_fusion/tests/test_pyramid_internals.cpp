// The pyramid fusion's agent weighting and occupancy loss, tested directly.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>

#include "occupancy_loss.hpp"
#include "weighted_fuse.hpp"

namespace {

namespace pyr = concord::plugins::pyramid;

TEST(PyramidWeights, SingleAgentKeepsItsFeature) {
  at::Tensor x = at::randn({1, 3, 4, 5});
  at::Tensor s = at::rand({1, 1, 4, 5}) + 1e-4;
  EXPECT_TRUE(at::equal(pyr::agent_weights(s, {1}), at::ones_like(s)));
  EXPECT_TRUE(at::equal(pyr::weighted_fuse(x, s, {1}), x));
}

TEST(PyramidWeights, SoftmaxOverEachSamplesPositiveScores) {
  // Sample 0: agents with scores 1 + 1e-4 and 1e-4 (HEAL's extremes); sample 1: one agent.
  at::Tensor s = at::tensor({1.0001f, 0.0001f, 0.5f}).view({3, 1, 1, 1});
  at::Tensor w = pyr::agent_weights(s, {2, 1});
  const double e = std::exp(1.0);
  EXPECT_NEAR(w[0].item<double>(), e / (1 + e), 1e-6);
  EXPECT_NEAR(w[1].item<double>(), 1 / (1 + e), 1e-6);
  EXPECT_EQ(w[2].item<double>(), 1.0);
  at::Tensor x = at::tensor({2.f, -4.f, 7.f}).view({3, 1, 1, 1});
  at::Tensor fused = pyr::weighted_fuse(x, s, {2, 1});
  ASSERT_EQ(fused.sizes(), (std::vector<int64_t>{2, 1, 1, 1}));
  EXPECT_NEAR(fused[0].item<double>(), 2 * e / (1 + e) - 4 / (1 + e), 1e-5);
  EXPECT_EQ(fused[1].item<double>(), 7.0);
}

TEST(PyramidWeights, ZeroScoreExcludesAndUncoveredCellsFuseToZero) {
  // Pixel 0: agent 1 excluded; pixel 1: both excluded.
  at::Tensor s = at::tensor({0.7f, 0.0f, 0.0f, 0.0f}).view({2, 1, 1, 2}).requires_grad_();
  at::Tensor x = at::tensor({3.f, 5.f, 9.f, 11.f}).view({2, 1, 1, 2});
  at::Tensor w = pyr::agent_weights(s, {2});
  EXPECT_TRUE(at::equal(w.detach().flatten(), at::tensor({1.f, 0.f, 0.f, 0.f})));
  at::Tensor fused = pyr::weighted_fuse(x, s, {2});
  EXPECT_TRUE(at::equal(fused.detach().flatten(), at::tensor({3.f, 0.f})));
  fused.sum().backward();
  EXPECT_TRUE(at::isfinite(s.grad()).all().item<bool>());
}

TEST(PyramidWeights, RefusesMismatchedCounts) {
  EXPECT_THROW(pyr::agent_weights(at::ones({3, 1, 2, 2}), {2}), c10::Error);
  EXPECT_THROW(pyr::agent_weights(at::ones({3, 1, 2, 2}), {3, 0}), c10::Error);
  EXPECT_THROW(pyr::weighted_fuse(at::ones({2, 4, 2, 2}), at::ones({2, 1, 3, 2}), {2}), c10::Error);
}

TEST(PyramidOccupancyLoss, LevelTargetsPoolAnchorsAndCells) {
  // [1, 3, 3, 2]: cell (0, 0) has a positive anchor; cell (2, 2) is negative for both anchors.
  at::Tensor pos = at::zeros({1, 3, 3, 2});
  pos[0][0][0][1] = 1;
  at::Tensor neg = at::zeros({1, 3, 3, 2});
  neg.fill_(1);
  neg[0][0][0].fill_(0);
  neg[0][1][1][0] = 0;  // one anchor not negative -> the cell is not negative
  auto [p1, n1] = pyr::occupancy_level_targets(pos, neg, 1);
  EXPECT_EQ(p1.sizes(), (std::vector<int64_t>{1, 1, 3, 3}));
  EXPECT_EQ(p1.sum().item<double>(), 1.0);
  EXPECT_EQ(n1.sum().item<double>(), 7.0);
  // Downsample 2 with ceil mode: 3 x 3 -> 2 x 2.
  auto [p2, n2] = pyr::occupancy_level_targets(pos, neg, 2);
  EXPECT_TRUE(at::equal(p2.flatten(), at::tensor({1.f, 0.f, 0.f, 0.f})));
  EXPECT_TRUE(at::equal(n2.flatten(), at::tensor({0.f, 1.f, 1.f, 1.f})));
}

TEST(PyramidOccupancyLoss, FocalLossMatchesHandValue) {
  at::Tensor l = pyr::sigmoid_focal_loss(at::zeros({2}), at::tensor({1.f, 0.f}), 0.25, 2.0);
  // p = 0.5: CE = ln 2, (1 - p_t)^2 = 0.25, alpha_t = 0.25 / 0.75.
  EXPECT_NEAR(l[0].item<double>(), 0.25 * 0.25 * std::log(2.0), 1e-6);
  EXPECT_NEAR(l[1].item<double>(), 0.75 * 0.25 * std::log(2.0), 1e-6);
}

TEST(PyramidOccupancyLoss, MatchesHandComputationAndTrainsTheLogits) {
  // Two agents on a 2 x 2 grid, one level (downsample 1, weight 0.5), zero logits.
  at::Tensor pos = at::tensor({1.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f}).view({2, 2, 2});
  at::Tensor neg = 1 - pos;
  neg[1][1][1] = 0;  // ignored cell
  at::Tensor logits = at::zeros({2, 1, 2, 2}).requires_grad_();
  pyr::PyramidOccupancyLossOptions o;
  o.relative_downsample = {1};
  o.level_weights = {0.5};
  at::Tensor loss = pyr::pyramid_occupancy_loss({logits}, pos, neg, o);
  const double ln2 = std::log(2.0);
  const double f_pos = 0.25 * 0.25 * ln2, f_neg = 0.75 * 0.25 * ln2;
  // Agent 0: 1 positive (weight 2) + 3 negatives, / 1; agent 1: 3 negatives, / max(0, 1).
  const double expected = 0.5 * ((2 * f_pos + 3 * f_neg) + 3 * f_neg) / 2;
  EXPECT_NEAR(loss.item<double>(), expected, 1e-6);
  loss.backward();
  EXPECT_LT(logits.grad()[0][0][0][0].item<double>(), 0.0);  // push the positive up
  EXPECT_GT(logits.grad()[0][0][0][1].item<double>(), 0.0);  // push a negative down
  EXPECT_EQ(logits.grad()[1][0][1][1].item<double>(), 0.0);  // ignored

  // Confident correct logits give a much smaller loss.
  at::Tensor good = (pos * 2 - 1).unsqueeze(1) * 8;
  EXPECT_LT(pyr::pyramid_occupancy_loss({good}, pos, neg, o).item<double>(), 1e-4);
}

TEST(PyramidOccupancyLoss, RefusesMisshapedLevels) {
  at::Tensor pos = at::zeros({2, 8, 8, 2});
  std::vector<at::Tensor> occ{at::zeros({2, 1, 8, 8}), at::zeros({2, 1, 4, 4}),
                              at::zeros({2, 1, 4, 4})};
  EXPECT_THROW(pyr::pyramid_occupancy_loss(occ, pos, pos), c10::Error);
  occ[2] = at::zeros({2, 1, 2, 2});
  EXPECT_NO_THROW(pyr::pyramid_occupancy_loss(occ, pos, pos));
  occ.pop_back();
  EXPECT_THROW(pyr::pyramid_occupancy_loss(occ, pos, pos), c10::Error);
}

}  // namespace
