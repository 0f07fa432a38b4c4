// Anchor head internals: anchor grid, target assignment on hand-made boxes, box
// coding round trip, direction bins and the element-wise losses against hand values.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>

#include "anchors.hpp"
#include "box_coder.hpp"
#include "losses.hpp"
#include "target_assigner.hpp"

namespace {

namespace ah = concord::plugins::anchor_head;
constexpr double kPi = 3.14159265358979323846;

/// 16 x 8 m at 0.8 m: W = 20 columns, H = 10 rows, 2 anchors per cell.
ah::AnchorSpec small_grid() {
  ah::AnchorSpec s;
  s.x_min = 0.0;
  s.y_min = 0.0;
  s.x_max = 16.0;
  s.y_max = 8.0;
  return s;
}

int64_t anchor_index(int64_t row, int64_t col, int64_t k) {
  return (row * 20 + col) * 2 + k;
}

TEST(AnchorHeadAnchors, GridCentresSizesAndYaws) {
  const auto spec = small_grid();
  EXPECT_EQ(ah::grid_size(spec), (std::pair<int64_t, int64_t>{10, 20}));
  const at::Tensor a = ah::make_anchors(spec);
  ASSERT_EQ(a.sizes(), (std::vector<int64_t>{10, 20, 2, 7}));
  EXPECT_EQ(a.scalar_type(), at::kFloat);
  // Row 3 (y), column 7 (x), anchor 1: centre (7.5 * 0.8, 3.5 * 0.8), yaw 90 deg.
  const at::Tensor expected = at::tensor({6.0f, 2.8f, -1.0f, 1.56f, 1.6f, 3.9f, float(kPi / 2)});
  EXPECT_TRUE(at::allclose(a[3][7][1], expected, 1e-5, 1e-5));
  EXPECT_FLOAT_EQ(a[3][7][0][6].item<float>(), 0.0f);
  // HEAL's default training grid: 256 x 128 cells, anchors from -102.0 to 102.0 in x.
  const auto heal = ah::make_anchors(ah::AnchorSpec{});
  ASSERT_EQ(heal.sizes(), (std::vector<int64_t>{128, 256, 2, 7}));
  EXPECT_NEAR(heal[0][0][0][0].item<double>(), -102.0, 1e-4);
  EXPECT_NEAR(heal[127][255][0][1].item<double>(), 50.8, 1e-4);
  auto bad = spec;
  bad.x_max = 16.3;
  EXPECT_THROW(ah::grid_size(bad), c10::Error);
  bad = spec;
  bad.cell_size = 0.0;
  EXPECT_THROW(ah::grid_size(bad), c10::Error);
}

TEST(AnchorHeadTargets, StandupIouUsesOpenCoodPlusOneExtents) {
  // 2 x 1 box vs the same box shifted by 1 in x.
  const at::Tensor a = at::tensor({0.0f, 0.0f, 2.0f, 1.0f}).view({1, 4});
  const at::Tensor b = at::tensor({1.0f, 0.0f, 3.0f, 1.0f}).view({1, 4});
  // Geometric: 1 / 3. With +1: inter 2 * 2 = 4, areas 3 * 2 = 6, IoU 4 / 8.
  EXPECT_NEAR(ah::standup_iou(a, b, 0.0).item<double>(), 1.0 / 3.0, 1e-6);
  EXPECT_NEAR(ah::standup_iou(a, b, 1.0).item<double>(), 0.5, 1e-6);
  EXPECT_NEAR(ah::standup_iou(a, a, 1.0).item<double>(), 1.0, 1e-6);
  // Rotated footprint: a 4 x 2 box at 90 deg spans 2 in x and 4 in y.
  const at::Tensor box = at::tensor({1.0f, 2.0f, 0.0f, 1.5f, 2.0f, 4.0f, float(kPi / 2)});
  EXPECT_TRUE(at::allclose(ah::standup_bev(box.view({1, 7})),
                           at::tensor({0.0f, 0.0f, 2.0f, 4.0f}).view({1, 4}), 1e-5, 1e-5));
}

TEST(AnchorHeadTargets, HandMadeBoxesGivePositiveNegativeAndIgnored) {
  const at::Tensor anchors = ah::make_anchors(small_grid()).view({-1, 7});
  // Exactly anchor (row 5, column 10, yaw 0): centre (8.4, 4.4).
  const at::Tensor gt = at::tensor({8.4f, 4.4f, -1.0f, 1.56f, 1.6f, 3.9f, 0.0f}).view({1, 7});
  const auto t = ah::assign_targets(anchors, gt, ah::AssignerOptions{});
  ASSERT_EQ(t.positive.sizes(), (std::vector<int64_t>{400}));
  ASSERT_EQ(t.reg.sizes(), (std::vector<int64_t>{400, 7}));

  const int64_t on = anchor_index(5, 10, 0);
  EXPECT_TRUE(t.positive[on].item<bool>());
  EXPECT_FALSE(t.negative[on].item<bool>());
  EXPECT_EQ(t.matched_gt[on].item<int64_t>(), 0);
  EXPECT_TRUE(at::allclose(t.reg[on], at::zeros({7}), 0.0, 1e-6));
  EXPECT_EQ(t.dir[on].item<int64_t>(), 1);  // floor(limit(0 - 0.7853, 0, 2 pi) / pi)

  // Standup extents with +1: 4.9 x 2.6 m. A shift s along x gives IoU (4.9 - s) / (4.9 + s).
  // s = 0.8: 0.72 > 0.6, positive with dx = -0.8 / sqrt(1.6^2 + 3.9^2).
  const int64_t near = anchor_index(5, 11, 0);
  EXPECT_TRUE(t.positive[near].item<bool>());
  EXPECT_NEAR(t.reg[near][0].item<double>(), -0.8 / std::sqrt(1.6 * 1.6 + 3.9 * 3.9), 1e-5);
  // s = 1.6: 3.3 / 6.5 = 0.51, between 0.45 and 0.6: ignored.
  const int64_t between = anchor_index(5, 12, 0);
  EXPECT_FALSE(t.positive[between].item<bool>());
  EXPECT_FALSE(t.negative[between].item<bool>());
  EXPECT_EQ(t.matched_gt[between].item<int64_t>(), -1);
  EXPECT_TRUE(at::allclose(t.reg[between], at::zeros({7})));
  // s = 2.4: 2.5 / 7.3 = 0.34: negative; far corner anchor: negative.
  EXPECT_TRUE(t.negative[anchor_index(5, 13, 0)].item<bool>());
  EXPECT_TRUE(t.negative[anchor_index(0, 0, 0)].item<bool>());
  // The 90 deg anchor on the box: 6.76 / 18.72 = 0.36: negative.
  EXPECT_TRUE(t.negative[anchor_index(5, 10, 1)].item<bool>());
  // Geometric IoU (offset 0) at s = 1.6: 2.3 / 5.5 = 0.42: negative instead of ignored.
  ah::AssignerOptions geometric;
  geometric.iou_extent_offset = 0.0;
  EXPECT_TRUE(ah::assign_targets(anchors, gt, geometric).negative[between].item<bool>());
  // Every anchor is exactly one of positive, negative or ignored.
  EXPECT_EQ(t.positive.logical_and(t.negative).sum().item<int64_t>(), 0);
}

TEST(AnchorHeadTargets, SmallBoxGetsItsBestAnchorAndNoGtGivesAllNegatives) {
  const at::Tensor anchors = ah::make_anchors(small_grid()).view({-1, 7});
  // A 2.0 x 0.6 m object: no anchor reaches IoU 0.6, its best one is still positive.
  const at::Tensor gt = at::tensor({3.1f, 6.1f, -0.8f, 1.7f, 0.6f, 2.0f, 0.1f}).view({1, 7});
  const auto t = ah::assign_targets(anchors, gt, ah::AssignerOptions{});
  const at::Tensor iou =
      ah::standup_iou(ah::standup_bev(anchors), ah::standup_bev(gt), 1.0).squeeze(1);
  ASSERT_LT(iou.max().item<double>(), 0.6);
  ASSERT_EQ(t.positive.sum().item<int64_t>(), 1);
  const int64_t best = t.positive.nonzero()[0][0].item<int64_t>();
  EXPECT_NEAR(iou[best].item<double>(), iou.max().item<double>(), 1e-6);
  EXPECT_FALSE(t.negative[best].item<bool>());
  EXPECT_EQ(t.matched_gt[best].item<int64_t>(), 0);
  // Its residual decodes back to the GT box.
  EXPECT_TRUE(at::allclose(ah::decode_boxes(t.reg[best], anchors[best]), gt[0], 1e-5, 1e-5));

  const auto none = ah::assign_targets(anchors, at::zeros({0, 7}), ah::AssignerOptions{});
  EXPECT_EQ(none.negative.sum().item<int64_t>(), 400);
  EXPECT_EQ(none.positive.sum().item<int64_t>(), 0);
  EXPECT_THROW(ah::assign_targets(anchors, at::zeros({2, 6}), ah::AssignerOptions{}), c10::Error);
}

TEST(AnchorHeadBoxCoder, EncodeDecodeRoundTrip) {
  at::manual_seed(7);
  const int64_t n = 64;
  const at::Tensor anchors = ah::make_anchors(small_grid()).view({-1, 7}).slice(0, 0, n);
  at::Tensor boxes = anchors.clone();
  boxes.narrow(1, 0, 3).add_(at::randn({n, 3}) * 2.0);
  boxes.narrow(1, 3, 3).mul_(at::rand({n, 3}) + 0.5);
  boxes.select(1, 6).uniform_(-kPi, kPi);
  const at::Tensor deltas = ah::encode_boxes(boxes, anchors);
  EXPECT_TRUE(at::allclose(ah::decode_boxes(deltas, anchors), boxes, 1e-5, 1e-5));
  // Batched decoding broadcasts the anchors; the encoding of an anchor is zero.
  EXPECT_TRUE(at::allclose(ah::decode_boxes(deltas.unsqueeze(0).repeat({2, 1, 1}), anchors)[1],
                           boxes, 1e-5, 1e-5));
  EXPECT_TRUE(at::allclose(ah::encode_boxes(anchors, anchors), at::zeros({n, 7})));
  // Hand values: dz / h_a and log size ratios.
  const at::Tensor a = at::tensor({0.0f, 0.0f, -1.0f, 2.0f, 3.0f, 4.0f, 0.0f});
  const at::Tensor b = at::tensor({5.0f, -10.0f, 0.0f, 4.0f, 3.0f, 2.0f, 0.5f});
  EXPECT_TRUE(at::allclose(
      ah::encode_boxes(b, a),
      at::tensor({1.0f, -2.0f, 0.5f, std::log(2.0f), 0.0f, std::log(0.5f), 0.5f}), 1e-6, 1e-6));
  EXPECT_THROW(ah::encode_boxes(at::zeros({3, 6}), at::zeros({3, 6})), c10::Error);
}

TEST(AnchorHeadBoxCoder, DirectionBinsAndLimitPeriod) {
  const at::Tensor yaw = at::tensor({0.0f, float(kPi / 2), float(-kPi / 2), float(kPi), 0.8f});
  const at::Tensor bins = ah::direction_bins(yaw, 0.7853, 2);
  EXPECT_EQ(bins.scalar_type(), at::kLong);
  // yaw - 0.7853 wrapped to [0, 2 pi): 5.50, 0.79, 3.93, 2.36, 0.0147 -> bins 1, 0, 1, 0, 0.
  EXPECT_TRUE(at::equal(bins, at::tensor({1, 0, 1, 0, 0}, at::kLong)));
  const at::Tensor wrapped = ah::limit_period(at::tensor({3.5f, -3.5f, 7.0f}), 0.5, 2 * kPi);
  EXPECT_TRUE(at::allclose(
      wrapped, at::tensor({float(3.5 - 2 * kPi), float(2 * kPi - 3.5), float(7.0 - 2 * kPi)}), 1e-5,
      1e-5));
}

// Two elements computed by hand (see LossOnHandMadeCellMatchesHandComputedValues):
// target 1, logit 0.5: 0.25 * (1 - 0.6224593)^2 * 0.4740770 = 0.0168934;
// target 0, logit -1: 0.75 * 0.2689414^2 * 0.3132617 = 0.0169935.
TEST(AnchorHeadLosses, FocalLossOnTwoElementsMatchesHandValues) {
  const at::Tensor logits = at::tensor({0.5f, -1.0f}).requires_grad_();
  const at::Tensor targets = at::tensor({1.0f, 0.0f});
  const at::Tensor loss = ah::sigmoid_focal_loss(logits, targets, 0.25, 2.0);
  EXPECT_NEAR(loss[0].item<double>(), 0.0168934, 1e-6);
  EXPECT_NEAR(loss[1].item<double>(), 0.0169935, 1e-6);
  loss.sum().backward();
  EXPECT_LT(logits.grad()[0].item<double>(), 0.0);  // raise the positive
  EXPECT_GT(logits.grad()[1].item<double>(), 0.0);  // lower the negative
  // gamma 0, alpha 0.5: half the plain sigmoid cross-entropy, stable for large logits.
  EXPECT_NEAR(
      ah::sigmoid_focal_loss(at::tensor({-100.0f}), at::tensor({1.0f}), 0.5, 0.0).item<double>(),
      50.0, 1e-3);
}

TEST(AnchorHeadLosses, SmoothL1SinDifferenceAndCrossEntropy) {
  // sigma 3: quadratic 4.5 d^2 up to 1/9, then |d| - 1/18.
  const at::Tensor d = ah::smooth_l1(at::tensor({0.1f, 0.5f, -2.0f}), at::zeros({3}), 3.0);
  EXPECT_TRUE(
      at::allclose(d, at::tensor({0.045f, 0.5f - 1.0f / 18, 2.0f - 1.0f / 18}), 1e-6, 1e-6));
  const at::Tensor p = at::zeros({1, 7});
  const at::Tensor t = at::zeros({1, 7});
  p[0][6] = 0.3;
  t[0][6] = 0.3 + float(kPi);  // opposite heading: the sin difference is 0
  const auto [pe, te] = ah::add_sin_difference(p, t);
  EXPECT_NEAR((pe - te).abs().sum().item<double>(), 0.0, 1e-6);
  t[0][6] = 0.8;
  const auto [pe2, te2] = ah::add_sin_difference(p, t);
  EXPECT_NEAR((pe2 - te2)[0][6].item<double>(), std::sin(0.3 - 0.8), 1e-6);
  const at::Tensor ce = ah::softmax_cross_entropy(at::tensor({0.0f, 0.0f, 2.0f, 0.0f}).view({2, 2}),
                                                  at::tensor({1, 0}, at::kLong));
  EXPECT_NEAR(ce[0].item<double>(), std::log(2.0), 1e-6);
  EXPECT_NEAR(ce[1].item<double>(), std::log(1.0 + std::exp(-2.0)), 1e-6);
}

}  // namespace
